@testable import Basics
import Deploy
import Foundation
import TestSupport
import Testing

/// Deploys against moto in server mode (Tests/Fixtures/deploy/moto_fixture.py): the server computes
/// CodeSha256, stores versions and aliases, and logs every request it receives, by access key id.
@Suite struct DeployMotoTests {
    let moto: MotoFixture
    let work: TemporaryDirectory

    init() throws {
        moto = try MotoFixture.shared.get()
        work = try TemporaryDirectory("pexify-deploy")
    }

    /// A Lambda zip written by CPython's zipfile: a handler returning `marker`, plus `noise` bytes of
    /// incompressible data stored uncompressed (to make an archive of a given size quickly).
    func makeZip(_ name: String, marker: String, noise: Int = 0) throws -> String {
        let path = work.child(name)
        _ = try python("""
            import os, sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w") as z:
                z.writestr("lambda_function.py", "def handler(event, context):\\n    return %r\\n" % sys.argv[2])
                if int(sys.argv[3]):
                    z.writestr(zipfile.ZipInfo("blob.bin"), os.urandom(int(sys.argv[3])), zipfile.ZIP_STORED)
            """, arguments: [path, marker, String(noise)])
        return path
    }

    /// A function in moto created from a first zip, with a name unique to this test.
    func makeFunction(_ label: String) throws -> String {
        let name = "pexify-\(label)-\(UUID().uuidString.prefix(8))"
        _ = try moto.command(["cmd": "create_function", "name": name, "zip": try makeZip("\(name)-v0.zip", marker: "v0")])
        return name
    }

    /// Options for `function` with credentials in the environment; `accessKey` tags the requests.
    func deployOptions(_ function: String, accessKey: String) -> DeployOptions {
        var options = DeployOptions(functionName: function, endpointURL: moto.endpoint)
        options.environment = ["AWS_ACCESS_KEY_ID": accessKey, "AWS_SECRET_ACCESS_KEY": Self.secret,
                               "AWS_REGION": "us-east-1"]
        options.homeDirectory = work.path
        options.pollInterval = .milliseconds(50)
        options.retry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50))
        return options
    }

    static let secret = "pexify/Test+Secret/Key/That/Must/Never/Print"

    func uniqueKey() -> String { "AKIDPEXIFY" + UUID().uuidString.prefix(8).uppercased() }

    /// The JSON report as the CLI prints it.
    func json(_ report: DeployReport) throws -> String {
        String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
    }

    @Test func smallZipIsDeployedDirectlyAndVerified() async throws {
        defer { work.remove() }
        let function = try makeFunction("direct")
        let zip = try makeZip("v1.zip", marker: "v1")
        let key = uniqueKey()
        let report = try await LambdaDeployer.deploy(archive: zip, options: deployOptions(function, accessKey: key))

        let state = try moto.function(function)
        #expect(report.upload == "direct")
        #expect(state["CodeSha256"] as? String == report.codeSha256, "moto hashed what it received")
        let expectedHex = try python("import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],'rb').read()).hexdigest())",
                                     arguments: [zip]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(report.sha256 == expectedHex)
        #expect(state["LastUpdateStatus"] as? String == "Successful")
        #expect(report.version == nil && report.alias == nil)

        let requests = try moto.requests(signedBy: key)
        #expect(requests.map { "\($0["method"]!) \($0["path"]!)" } == [
            "GET /2015-03-31/functions/\(function)/configuration",
            "PUT /2015-03-31/functions/\(function)/code",
            "GET /2015-03-31/functions/\(function)/configuration",
        ] || requests.map { "\($0["method"]!) \($0["path"]!)" } == [
            "GET /2015-03-31/functions/\(function)/configuration",
            "PUT /2015-03-31/functions/\(function)/code",
        ])
        #expect(requests.allSatisfy { $0["authorization"] as? String == "AWS4-HMAC-SHA256" })
        #expect(try !json(report).contains(Self.secret))
    }

    @Test func largeArchiveGoesThroughS3Multipart() async throws {
        defer { work.remove() }
        let function = try makeFunction("multipart")
        let bucket = "pexify-deploy-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try moto.command(["cmd": "create_bucket", "name": bucket])
        let zip = try makeZip("big.zip", marker: "big", noise: 52 * 1_048_576)
        let key = uniqueKey()

        // Without a bucket, an archive above 50 MB is refused before any request.
        await #expect {
            try await LambdaDeployer.deploy(archive: zip, options: deployOptions(function, accessKey: key))
        } throws: { "\($0)".contains("above the 50.0 MiB limit of a direct upload; pass --s3-bucket") }
        #expect(try moto.requests(signedBy: key).isEmpty)

        var options = deployOptions(function, accessKey: key)
        options.s3Bucket = bucket
        let report = try await LambdaDeployer.deploy(archive: zip, options: options)
        let s3 = try #require(report.s3)
        #expect(report.upload == "s3")
        #expect(s3.parts == 7 && s3.partSize == 8 * 1_048_576)

        let stored = try moto.command(["cmd": "object", "bucket": bucket, "key": s3.key]) as? [String: Any]
        #expect(stored?["sha256"] as? String == report.sha256)
        #expect(try moto.function(function)["CodeSha256"] as? String == report.codeSha256)

        let requests = try moto.requests(signedBy: key)
        let parts = requests.filter { ($0["query"] as? String ?? "").contains("partNumber=") }
        #expect(parts.count == 7)
        #expect(parts.allSatisfy { !($0["checksum"] as? String ?? "").isEmpty }, "every part carries its SHA-256")
        #expect(requests.contains { $0["method"] as? String == "POST" && ($0["query"] as? String) == "uploads=" })
        #expect(requests.contains { $0["method"] as? String == "PUT" && ($0["path"] as? String ?? "").hasSuffix("/code") })
    }

    @Test func publishCreatesThenMovesTheAlias() async throws {
        defer { work.remove() }
        let function = try makeFunction("alias")
        var options = deployOptions(function, accessKey: uniqueKey())
        options.alias = "live"

        let first = try await LambdaDeployer.deploy(archive: try makeZip("v1.zip", marker: "v1"), options: options)
        #expect(first.alias == DeployReport.Alias(name: "live", version: first.version ?? "?", previousVersion: nil, created: true))

        let second = try await LambdaDeployer.deploy(archive: try makeZip("v2.zip", marker: "v2"), options: options)
        #expect(second.alias == DeployReport.Alias(name: "live", version: second.version ?? "?",
                                                   previousVersion: first.version, created: false))
        #expect(first.version != second.version)

        let state = try moto.function(function)
        let versions = state["versions"] as? [String: String] ?? [:]
        #expect(versions[try #require(first.version)] == first.codeSha256)
        #expect(versions[try #require(second.version)] == second.codeSha256)
        #expect(state["aliases"] as? [String: String] == ["live": second.version!])
    }

    @Test func corruptedUploadFailsTheChecksumAndPublishesNothing() async throws {
        defer { work.remove() }
        let function = try makeFunction("corrupt")
        var options = deployOptions(function, accessKey: uniqueKey())
        options.alias = "live"
        options.transport = CorruptingTransport(inner: URLSessionTransport())

        await #expect {
            try await LambdaDeployer.deploy(archive: try makeZip("v1.zip", marker: "v1"), options: options)
        } throws: { error in
            guard case DeployError.checksumMismatch = error else { return false }
            return "\(error)".contains("altered in transit") && "\(error)".contains(function)
        }
        let state = try moto.function(function)
        #expect((state["versions"] as? [String: String])?.keys.sorted() == ["$LATEST"])
        #expect((state["aliases"] as? [String: String])?.isEmpty == true)
    }

    @Test func dryRunSendsNothing() async throws {
        defer { work.remove() }
        let function = try makeFunction("dryrun")
        let zip = try makeZip("v1.zip", marker: "v1")
        let key = uniqueKey()
        var options = deployOptions(function, accessKey: key)
        options.alias = "live"
        options.s3Bucket = "some-bucket"
        options.dryRun = true

        let plan = try await LambdaDeployer.deploy(archive: zip, options: options)
        #expect(plan.dryRun)
        #expect(plan.steps.count == 8)
        #expect(plan.steps.contains { $0.contains("PutObject") && $0.contains("s3://some-bucket/") })
        #expect(plan.credentialSource == "environment variables")
        #expect(try moto.requests(signedBy: key).isEmpty, "the server saw no request")
        #expect(try !json(plan).contains(Self.secret))

        // The same options without --dry-run do reach the server (so the check above can fail).
        options.dryRun = false
        options.s3Bucket = nil
        _ = try await LambdaDeployer.deploy(archive: zip, options: options)
        #expect(try !moto.requests(signedBy: key).isEmpty)
    }

    @Test func missingFunctionIsNamed() async throws {
        defer { work.remove() }
        let zip = try makeZip("v1.zip", marker: "v1")
        await #expect {
            try await LambdaDeployer.deploy(archive: zip, options: deployOptions("pexify-no-such-function", accessKey: uniqueKey()))
        } throws: { error in
            "\(error)" == "The Lambda function 'pexify-no-such-function' does not exist in region us-east-1; pass --create --role ARN to create it (or check --function-name, --region and the account of your credentials)."
        }
    }

    @Test func throttlingIsRetriedThenReported() async throws {
        defer { work.remove() }
        let function = try makeFunction("throttle")
        let zip = try makeZip("v1.zip", marker: "v1")
        var options = deployOptions(function, accessKey: uniqueKey())

        let twice = ThrottlingTransport(inner: URLSessionTransport(), throttle: 2)
        options.transport = twice
        let report = try await LambdaDeployer.deploy(archive: zip, options: options)
        #expect(try moto.function(function)["CodeSha256"] as? String == report.codeSha256)
        #expect(twice.throttled == 2)

        let always = ThrottlingTransport(inner: URLSessionTransport(), throttle: .max)
        options.transport = always
        await #expect {
            try await LambdaDeployer.deploy(archive: zip, options: options)
        } throws: { error in
            guard case DeployError.throttled(let operation, let attempts) = error else { return false }
            return operation == "GetFunctionConfiguration" && attempts == 3
        }
        #expect(always.throttled == 3)
    }
}

/// Flips one byte of the zip inside `UpdateFunctionCode` after it was hashed and signed: what a
/// faulty proxy or disk would do to the upload.
struct CorruptingTransport: HTTPTransport {
    var inner: any HTTPTransport

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var request = request
        if request.method == "PUT", request.url.path.hasSuffix("/code"),
           var json = try JSONSerialization.jsonObject(with: request.body) as? [String: Any],
           let encoded = json["ZipFile"] as? String, var zip = Data(base64Encoded: encoded) {
            zip[zip.count / 2] ^= 0x01
            json["ZipFile"] = zip.base64EncodedString()
            request.body = try JSONSerialization.data(withJSONObject: json)
        }
        return try await inner.send(request)
    }
}

/// Answers the first `throttle` requests itself as Lambda does when throttling (HTTP 429
/// `TooManyRequestsException`), then passes requests on.
final class ThrottlingTransport: HTTPTransport, @unchecked Sendable {
    let inner: any HTTPTransport
    let limit: Int
    private let lock = NSLock()
    private var count = 0
    var throttled: Int { lock.withLock { count } }

    init(inner: any HTTPTransport, throttle: Int) {
        self.inner = inner
        limit = throttle
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let throttle = lock.withLock { () -> Bool in
            guard count < limit else { return false }
            count += 1
            return true
        }
        if throttle {
            return HTTPResponse(status: 429, headers: ["x-amzn-errortype": "TooManyRequestsException"], url: request.url,
                                body: Data(#"{"Type":"User","message":"Rate exceeded","Reason":"CallerRateLimitExceeded"}"#.utf8))
        }
        return try await inner.send(request)
    }
}

/// Lambda's refusals that moto does not produce (it ignores the RevisionId/CodeSha256 preconditions
/// and the request size limit), answered here with the service's error document for one operation
/// while everything else goes to moto.
struct RefusingTransport: HTTPTransport {
    var inner: any HTTPTransport
    var method: String
    var pathSuffix: String
    var status: Int
    var errorType: String
    var message: String

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard request.method == method, request.url.path.hasSuffix(pathSuffix) else { return try await inner.send(request) }
        return HTTPResponse(status: status, headers: ["x-amzn-errortype": errorType, "content-type": "application/json"],
                            url: request.url, body: try JSONSerialization.data(withJSONObject: ["Type": "User", "message": message]))
    }
}

extension DeployMotoTests {
    @Test func preconditionFailureOnPublishIsExplained() async throws {
        defer { work.remove() }
        let function = try makeFunction("precondition")
        var options = deployOptions(function, accessKey: uniqueKey())
        options.alias = "live"
        options.transport = RefusingTransport(
            inner: URLSessionTransport(), method: "POST", pathSuffix: "/versions", status: 412,
            errorType: "PreconditionFailedException",
            message: "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
        await #expect {
            try await LambdaDeployer.deploy(archive: try makeZip("v1.zip", marker: "v1"), options: options)
        } throws: { error in
            guard case DeployError.preconditionFailed(let operation, let name, _) = error else { return false }
            return operation == "PublishVersion" && name == function && "\(error)".contains("run the deploy again")
        }
        #expect((try moto.function(function)["aliases"] as? [String: String])?.isEmpty == true, "no alias was moved")
    }

    @Test func codeTooLargeIsExplained() async throws {
        defer { work.remove() }
        let function = try makeFunction("toolarge")
        var options = deployOptions(function, accessKey: uniqueKey())
        options.transport = RefusingTransport(
            inner: URLSessionTransport(), method: "PUT", pathSuffix: "/code", status: 413,
            errorType: "RequestEntityTooLargeException",
            message: "Request must be smaller than 69905067 bytes for the UpdateFunctionCode operation")
        await #expect {
            try await LambdaDeployer.deploy(archive: try makeZip("v1.zip", marker: "v1"), options: options)
        } throws: { error in
            guard case DeployError.codeTooLarge = error else { return false }
            return "\(error)".contains("Request must be smaller than 69905067 bytes") && "\(error)".contains("--s3-bucket")
        }
    }
}
