import Basics
import Crypto
import Foundation

/// What an S3 upload did, for the deploy report.
public struct S3UploadReport: Codable, Sendable, Equatable {
    public var bucket: String
    public var key: String
    /// 1 for a single `PutObject`; the part count for a multipart upload.
    public var parts: Int
    public var partSize: Int
}

/// Uploads an archive to S3 with SHA-256 checksums on every request, so S3 itself rejects a part
/// that was altered in transit: `PutObject` for small files, multipart (`CreateMultipartUpload`,
/// `UploadPart` ×N, `CompleteMultipartUpload`, `AbortMultipartUpload` on failure) otherwise.
///
/// See <https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html>.
struct S3Upload: Sendable {
    var client: AWSClient
    var bucket: String
    var key: String
    /// Path-style addressing (`endpoint/bucket/key`) for custom endpoints; virtual-hosted otherwise.
    private var base: URL { client.baseURL(service: "s3", bucket: bucket) }
    private var objectPath: String {
        let encodedKey = "/" + SigV4Signer.uriEncode(key, keepSlash: true)
        let virtualHosted = client.endpointURL == nil && !bucket.contains(".")
        return virtualHosted ? encodedKey : "/" + SigV4Signer.uriEncode(bucket, keepSlash: false) + encodedKey
    }

    /// The part size for `size` bytes: at least `preferred`, and large enough to stay within S3's
    /// 10,000-part limit.
    static func partSize(for size: Int64, preferred: Int) -> Int {
        max(preferred, Int((size + 9_999) / 10_000))
    }

    func upload(archive: ArchiveFile, partSize preferred: Int, concurrency: Int = 4,
                progress: @Sendable (String) -> Void) async throws -> S3UploadReport {
        let partSize = Self.partSize(for: archive.size, preferred: preferred)
        do {
            if archive.size <= Int64(partSize) {
                let data = try archive.read(offset: 0, count: Int(archive.size))
                _ = try await client.send(
                    operation: "PutObject", service: "s3", method: "PUT", base: base, path: objectPath,
                    headers: ["content-type": "application/zip",
                              "x-amz-checksum-sha256": Data(SHA256.hash(data: data)).base64EncodedString()],
                    body: data)
                return S3UploadReport(bucket: bucket, key: key, parts: 1, partSize: partSize)
            }
            return try await multipart(archive: archive, partSize: partSize, concurrency: concurrency, progress: progress)
        } catch let failure as AWSServiceError {
            throw DeployError.upload(bucket: bucket, key: key, message: "\(failure.operation) was refused with HTTP \(failure.status) \(failure.code): \(failure.message)")
        }
    }

    private func multipart(archive: ArchiveFile, partSize: Int, concurrency: Int,
                           progress: @Sendable (String) -> Void) async throws -> S3UploadReport {
        let created = try await client.send(
            operation: "CreateMultipartUpload", service: "s3", method: "POST", base: base, path: objectPath,
            query: [("uploads", "")],
            headers: ["content-type": "application/zip", "x-amz-checksum-algorithm": "SHA256"])
        guard let uploadId = AWSServiceError.xmlElement("UploadId", in: String(decoding: created.body, as: UTF8.self)) else {
            throw DeployError.upload(bucket: bucket, key: key, message: "CreateMultipartUpload returned no UploadId")
        }
        let count = Int((archive.size + Int64(partSize) - 1) / Int64(partSize))
        do {
            var parts = [(etag: String, checksum: String)?](repeating: nil, count: count)
            try await withThrowingTaskGroup(of: (Int, String, String).self) { group in
                var next = 0
                func addPart() {
                    let number = next + 1
                    let offset = Int64(next) * Int64(partSize)
                    let length = Int(min(Int64(partSize), archive.size - offset))
                    next += 1
                    group.addTask {
                        let data = try archive.read(offset: offset, count: length)
                        let checksum = Data(SHA256.hash(data: data)).base64EncodedString()
                        let response = try await client.send(
                            operation: "UploadPart", service: "s3", method: "PUT", base: base, path: objectPath,
                            query: [("partNumber", String(number)), ("uploadId", uploadId)],
                            headers: ["x-amz-checksum-sha256": checksum], body: data)
                        guard let etag = response.headers["etag"] else {
                            throw DeployError.upload(bucket: bucket, key: key, message: "part \(number) came back without an ETag")
                        }
                        if let echoed = response.headers["x-amz-checksum-sha256"], echoed != checksum {
                            throw DeployError.upload(bucket: bucket, key: key, message: "S3 stored part \(number) with SHA-256 \(echoed), not \(checksum)")
                        }
                        return (number, etag, checksum)
                    }
                }
                while next < min(concurrency, count) { addPart() }
                var done = 0
                for try await (number, etag, checksum) in group {
                    parts[number - 1] = (etag, checksum)
                    done += 1
                    progress("uploaded part \(done)/\(count) to s3://\(bucket)/\(key)")
                    if next < count { addPart() }
                }
            }
            var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            for (index, part) in parts.enumerated() {
                xml += "<Part><PartNumber>\(index + 1)</PartNumber><ETag>\(part!.etag)</ETag><ChecksumSHA256>\(part!.checksum)</ChecksumSHA256></Part>"
            }
            xml += "</CompleteMultipartUpload>"
            let completed = try await client.send(
                operation: "CompleteMultipartUpload", service: "s3", method: "POST", base: base, path: objectPath,
                query: [("uploadId", uploadId)], headers: ["content-type": "application/xml"], body: Data(xml.utf8))
            // S3 can answer 200 with an error document once the upload has started.
            let text = String(decoding: completed.body, as: UTF8.self)
            if text.contains("<Error>") {
                throw DeployError.upload(bucket: bucket, key: key, message: "CompleteMultipartUpload failed: \(AWSServiceError.xmlElement("Message", in: text) ?? text)")
            }
            return S3UploadReport(bucket: bucket, key: key, parts: count, partSize: partSize)
        } catch {
            // Leave no billable orphan parts behind; the original error is what the user needs.
            _ = try? await client.send(operation: "AbortMultipartUpload", service: "s3", method: "DELETE",
                                       base: base, path: objectPath, query: [("uploadId", uploadId)])
            throw error
        }
    }
}
