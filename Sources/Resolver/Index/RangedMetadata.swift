import Basics
import Foundation
import ZipArchive

extension IndexClient {
    /// How many bytes the first request asks for from the end of a wheel: the end record with the longest
    /// comment a ZIP allows, which usually takes in the central directory as well.
    static let wheelTailBytes = 22 + 0xFFFF

    /// The `METADATA` of a remote wheel read with HTTP range requests, for indexes that serve no PEP 658
    /// metadata: the end of the archive (end records and central directory), then the one member. About
    /// 70 KiB instead of the whole wheel, so trying many versions during resolution stays cheap.
    ///
    /// A server that does not honour ranges answers the first request with the whole wheel: it enters the
    /// cache (hash-checked, so it is not downloaded again) and the metadata is read from it.
    /// - Returns: the metadata and the wheel's size (the `Content-Range` total, or the whole body's size),
    ///   which a lock records without fetching the wheel; `nil` when the pieces at hand after a few rounds
    ///   still do not reach the member.
    /// - Throws: `IndexError.metadataUnavailable` when the pieces do not make a valid wheel.
    func rangedMetadata(_ file: ProjectFile) async throws -> (metadata: Data, wheelSize: Int)? {
        guard let (url, authorization) = credentials.authorize(file.url) else { return nil }
        let temporary = PartialFiles.track(cache.temporaryPath())
        defer {
            try? FileManager.default.removeItem(atPath: temporary)
            PartialFiles.release(temporary)
        }
        let first = try await withRetries(url.absoluteString) {
            try? FileManager.default.removeItem(atPath: temporary)
            return try await self.save(Self.request(url, authorization, range: "bytes=-\(Self.wheelTailBytes)",
                                                    timeout: self.policy.timeout), to: temporary)
        }
        guard first.status == 206, let total = Self.totalSize(contentRange: first.headers["content-range"]) else {
            guard (200..<300).contains(first.status) else {
                throw IndexError.httpStatus(url: url.absoluteString, status: first.status)
            }
            let size = FileStatus(path: temporary)?.size ?? 0
            metadataTransfers.add(size, for: file.url)
            meter.transferStarted(expectedBytes: nil)
            meter.transferFinished(bytes: size, expectedBytes: nil)
            return (try WheelMetadataReader.metadata(ofWheel: try keepWholeWheel(temporary, for: file)), size)
        }
        let tail = [UInt8](try Data(contentsOf: URL(fileURLWithPath: temporary)))
        metadataTransfers.add(tail.count, for: file.url)
        meter.transferStarted(expectedBytes: nil)
        meter.transferFinished(bytes: tail.count, expectedBytes: nil)
        guard UInt64(tail.count) <= total else { return nil }
        var archive = PartialArchive(name: file.url, size: total, tail: tail)
        // Each round fetches the one range the archive reports missing: the rest of a large central
        // directory, then the member itself.
        for _ in 0..<3 {
            do {
                guard let member = try archive.members().first(where: Self.isTopLevelMetadata) else {
                    throw IndexError.metadataUnavailable(file: file.url, reason: "it has no *.dist-info/METADATA entry")
                }
                let range = member.localRange()
                do {
                    return (Data(try archive.contents(of: member)), Int(total))
                } catch is PartialArchive.Missing {
                    let piece = try await fetch(range.clamped(to: 0..<total), of: url, authorization)
                    metadataTransfers.add(piece.count, for: file.url)
                    archive.add(piece, at: range.lowerBound)
                }
            } catch let missing as PartialArchive.Missing {
                let piece = try await fetch(missing.range, of: url, authorization)
                metadataTransfers.add(piece.count, for: file.url)
                archive.add(piece, at: missing.range.lowerBound)
            } catch let error as ZipError {
                throw IndexError.metadataUnavailable(file: file.url, reason: error.description)
            }
        }
        return nil
    }

    /// The bytes of `range` of `url`; a server that answers a range request with anything but that
    /// range is treated as a transport failure (and retried).
    private func fetch(_ range: Range<UInt64>, of url: URL, _ authorization: String?) async throws -> [UInt8] {
        meter.transferStarted(expectedBytes: range.count)
        let bytes = try await withRetries(url.absoluteString) {
            let response = try await self.get(Self.request(
                url, authorization, range: "bytes=\(range.lowerBound)-\(range.upperBound - 1)", timeout: self.policy.timeout))
            guard response.status == 206, response.body.count == range.count else {
                if let retryable = Retryable(response) { throw retryable }
                throw IndexError.httpStatus(url: url.absoluteString, status: response.status)
            }
            return [UInt8](response.body)
        }
        meter.transferFinished(bytes: bytes.count, expectedBytes: range.count)
        return bytes
    }

    /// A whole wheel received in answer to a range request: checked against the index's hash and kept
    /// in the cache like any download.
    private func keepWholeWheel(_ temporary: String, for file: ProjectFile) throws -> String {
        let digest = try sha256Hex(ofFile: temporary)
        if let expected = file.sha256, digest != expected {
            throw IndexError.hashMismatch(file: file.url, expected: expected, actual: digest)
        }
        return try cache.storeWheel(from: temporary, sha256: digest, filename: file.filename)
    }

    private static func request(_ url: URL, _ authorization: String?, range: String, timeout: TimeInterval)
        -> HTTPRequest {
        var headers = ["Range": range]
        if let authorization { headers["Authorization"] = authorization }
        return HTTPRequest(url: url, headers: headers, timeout: timeout)
    }

    /// The total size from `Content-Range: bytes 100-199/12345`.
    static func totalSize(contentRange: String?) -> UInt64? {
        guard let contentRange, contentRange.lowercased().hasPrefix("bytes "),
              let slash = contentRange.lastIndex(of: "/") else { return nil }
        return UInt64(contentRange[contentRange.index(after: slash)...].trimmingCharacters(in: .whitespaces))
    }

    static func isTopLevelMetadata(_ member: PartialArchive.Member) -> Bool {
        let parts = member.name.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && parts[0].hasSuffix(".dist-info") && parts[1] == "METADATA"
    }
}
