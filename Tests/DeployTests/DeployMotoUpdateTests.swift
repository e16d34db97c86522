@testable import Basics
import Deploy
import Foundation
import TestSupport
import Testing

/// What moto cannot show by itself: an update that stays `InProgress` for a while, ends `Failed`, or
/// never finishes, and S3 parts that fail or arrive altered. The transports below change only what
/// they name; everything else goes to and comes from moto.
extension DeployMotoTests {
    @Test func waitsWhileTheUpdateIsInProgress() async throws {
        defer { work.remove() }
        let function = try makeFunction("inprogress")
        let lines = Lines()
        var options = deployOptions(function, accessKey: uniqueKey())
        options.transport = UpdateStatusTransport(inner: URLSessionTransport(), inProgressPolls: 3, final: nil)
        options.progress = { lines.append($0) }
        let report = try await LambdaDeployer.deploy(archive: try makeZip("v1.zip", marker: "v1"), options: options)
        #expect(try moto.function(function)["CodeSha256"] as? String == report.codeSha256)
        #expect(lines.all.filter { $0 == "waiting for \(function): LastUpdateStatus InProgress" }.count == 4,
                "the update response and three polls said InProgress")
    }

    @Test func failedOrEndlessUpdatesStopTheDeploy() async throws {
        defer { work.remove() }
        let function = try makeFunction("failed")
        var options = deployOptions(function, accessKey: uniqueKey())
        options.alias = "live"
        options.transport = UpdateStatusTransport(
            inner: URLSessionTransport(), inProgressPolls: 1,
            final: ("Failed", "InvalidZipFileException: Lambda was not able to unzip the file"))
        await #expect {
            try await LambdaDeployer.deploy(archive: try makeZip("v1.zip", marker: "v1"), options: options)
        } throws: { "\($0)".contains("ended with LastUpdateStatus Failed (InvalidZipFileException: Lambda was not able to unzip the file)") }

        options.transport = UpdateStatusTransport(inner: URLSessionTransport(), inProgressPolls: .max, final: nil)
        options.updateTimeout = .milliseconds(300)
        await #expect {
            try await LambdaDeployer.deploy(archive: try makeZip("v2.zip", marker: "v2"), options: options)
        } throws: { "\($0)".contains("ended with LastUpdateStatus InProgress (still in progress after") }
        #expect((try moto.function(function)["aliases"] as? [String: String])?.isEmpty == true, "nothing was published")
    }

    @Test func failedPartAbortsTheMultipartUpload() async throws {
        defer { work.remove() }
        let function = try makeFunction("abort")
        let bucket = "pexify-abort-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try moto.command(["cmd": "create_bucket", "name": bucket])
        let key = uniqueKey()
        var options = deployOptions(function, accessKey: key)
        options.s3Bucket = bucket
        options.s3Key = "fn.zip"
        options.partSize = 5 * 1_048_576
        options.transport = PartTransport(inner: URLSessionTransport(), part: 2, action: .fail)
        await #expect {
            try await LambdaDeployer.deploy(archive: try makeZip("big.zip", marker: "big", noise: 11 * 1_048_576), options: options)
        } throws: { "\($0)".hasPrefix("Uploading to s3://\(bucket)/fn.zip failed: UploadPart was refused with HTTP 500 InternalError") }
        let requests = try moto.requests(signedBy: key)
        #expect(requests.contains { $0["method"] as? String == "DELETE" && ($0["query"] as? String ?? "").hasPrefix("uploadId=") },
                "AbortMultipartUpload was sent")
        #expect(!requests.contains { ($0["path"] as? String ?? "").hasSuffix("/code") }, "the function was not touched")
    }

    @Test func alteredPartIsCaughtByTheCodeSha256Check() async throws {
        defer { work.remove() }
        let function = try makeFunction("alteredpart")
        let bucket = "pexify-altered-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try moto.command(["cmd": "create_bucket", "name": bucket])
        var options = deployOptions(function, accessKey: uniqueKey())
        options.s3Bucket = bucket
        options.partSize = 5 * 1_048_576
        options.publish = true
        // moto does not verify part checksums (real S3 answers BadDigest); the final CodeSha256
        // comparison must still refuse what Lambda received.
        options.transport = PartTransport(inner: URLSessionTransport(), part: 2, action: .flipByte)
        await #expect {
            try await LambdaDeployer.deploy(archive: try makeZip("big.zip", marker: "big", noise: 11 * 1_048_576), options: options)
        } throws: { error in
            guard case DeployError.checksumMismatch = error else { return false }
            return true
        }
        #expect((try moto.function(function)["versions"] as? [String: String])?.keys.sorted() == ["$LATEST"])
    }
}

/// Collects progress lines from concurrent callers.
final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var all: [String] { lock.withLock { lines } }
    func append(_ line: String) { lock.withLock { lines.append(line) } }
}

/// Reports the code update as `InProgress` (in the `UpdateFunctionCode` response and the next
/// `inProgressPolls` configuration reads), then moto's real status or `final`.
final class UpdateStatusTransport: HTTPTransport, @unchecked Sendable {
    let inner: any HTTPTransport
    let final: (status: String, reason: String)?
    private let lock = NSLock()
    private var updated = false
    private var remaining: Int

    init(inner: any HTTPTransport, inProgressPolls: Int, final: (status: String, reason: String)?) {
        self.inner = inner
        self.final = final
        remaining = inProgressPolls
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var response = try await inner.send(request)
        let path = request.url.path
        let status: (String, String?)? = lock.withLock {
            if request.method == "PUT" && path.hasSuffix("/code") {
                updated = true
                return ("InProgress", nil)
            }
            guard updated, request.method == "GET", path.hasSuffix("/configuration") else { return nil }
            if remaining > 0 {
                remaining -= 1
                return ("InProgress", nil)
            }
            return final.map { ($0.status, $0.reason) }
        }
        if let (value, reason) = status, var json = try JSONSerialization.jsonObject(with: response.body) as? [String: Any] {
            json["LastUpdateStatus"] = value
            json["LastUpdateStatusReason"] = reason
            response.body = try JSONSerialization.data(withJSONObject: json)
        }
        return response
    }
}

/// Fails (HTTP 500, every attempt) or flips one byte of multipart part `part`, after its checksum
/// header was computed and signed.
struct PartTransport: HTTPTransport {
    enum Action { case fail, flipByte }
    var inner: any HTTPTransport
    var part: Int
    var action: Action

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard request.method == "PUT", request.url.query?.contains("partNumber=\(part)&") == true else {
            return try await inner.send(request)
        }
        switch action {
        case .fail:
            return HTTPResponse(status: 500, headers: [:], url: request.url, body: Data(
                "<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>".utf8))
        case .flipByte:
            var request = request
            request.body[request.body.startIndex + 1000] ^= 0x01
            return try await inner.send(request)
        }
    }
}
