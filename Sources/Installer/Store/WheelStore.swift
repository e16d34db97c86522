import Basics
import Foundation
import Resolver

/// The verified wheels of a cache, keyed by the sha256 of the wheel file: a wheel is verified fully the
/// first time a build sees its hash (``VerifiedWheel``) and trusted by that hash afterwards
/// (docs/ARCHITECTURE.md, "Verify once, then trust the hash").
///
/// Each record is one file, `<cache>/verified/<sha256[0..<2]>/<sha256>.json`: a first line holding the
/// hex sha256 of the rest, then canonical JSON (the format number, the wheel's sha256 and size, the
/// ``VerifiedWheel``). It is written to a temporary file beside its place and renamed into place, so a
/// concurrent build sees the whole record or none; two builds that verify the same wheel at once write
/// the same bytes. A record whose checksum, format, hash or size does not match is never trusted: the
/// wheel is verified again and the record replaced. A wheel that fails verification gets no record.
public struct WheelStore: Sendable {
    /// Raised when the record's meaning changes, so records of older pexify versions are rebuilt.
    static let format = 1

    /// `<cache>/verified`.
    public let directory: String

    public init(cache: Cache) {
        directory = cache.root + "/verified"
    }

    /// The verified facts of the wheel at `path` whose sha256 is `sha256` (computed by the caller: checked
    /// against the index or lock, or remembered by ``Cache/localSHA256(path:)``): read from the store when
    /// it holds a sound record, else by verifying the wheel now and recording the result.
    /// - Throws: the errors of ``VerifiedWheel/init(verifying:workers:)`` for a wheel that fails, and
    ///   `FileAccessError` when the wheel cannot be read or the record cannot be written.
    public func verifiedWheel(at path: String, sha256: String) throws -> VerifiedWheel {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw FileAccessError(path: path, operation: "stat", reason: String(cString: strerror(errno)))
        }
        let size = UInt64(info.st_size)
        let recordPath = self.recordPath(sha256: sha256)
        if let stored = record(at: recordPath), stored.format == Self.format, stored.sha256 == sha256,
           stored.size == size {
            return stored.wheel
        }
        let wheel = try VerifiedWheel(verifying: path)
        try write(StoredRecord(format: Self.format, sha256: sha256, size: size, wheel: wheel), to: recordPath)
        return wheel
    }

    func recordPath(sha256: String) -> String {
        "\(directory)/\(sha256.prefix(2))/\(sha256).json"
    }

    private struct StoredRecord: Codable {
        var format: Int
        var sha256: String
        var size: UInt64
        var wheel: VerifiedWheel
    }

    /// The record at `path`, or nil when there is none or it is torn, edited or unreadable.
    private func record(at path: String) -> StoredRecord? {
        guard let data = FileManager.default.contents(atPath: path),
              let newline = data.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let body = data[data.index(after: newline)...]
        guard String(decoding: data[..<newline], as: UTF8.self) == sha256Hex(body) else { return nil }
        return try? JSONDecoder().decode(StoredRecord.self, from: Data(body))
    }

    private func write(_ record: StoredRecord, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = try encoder.encode(record)
        do {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            throw FileAccessError(path: path, operation: "create the directory of", reason: error.localizedDescription)
        }
        try AtomicFile.write(Data((sha256Hex(body) + "\n").utf8) + body, to: path)
    }
}
