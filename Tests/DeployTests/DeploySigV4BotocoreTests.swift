@testable import Basics
@testable import Deploy
import Foundation
import TestSupport
import Testing

/// The requests the client really sends (Lambda with an ARN in the path, S3 with a key that needs
/// encoding), re-signed by botocore's own SigV4 signers as the oracle.
@Suite struct DeploySigV4BotocoreTests {
    /// Records what would go on the wire and answers like the service would for a success.
    final class Capture: HTTPTransport, @unchecked Sendable {
        private let lock = NSLock()
        private var captured: [HTTPRequest] = []
        var requests: [HTTPRequest] { lock.withLock { captured } }

        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            lock.withLock { captured.append(request) }
            let body = request.url.path.contains("/2015-03-31/")
                ? #"{"FunctionName":"fn","CodeSha256":"x","RevisionId":"r","Name":"live","FunctionVersion":"3"}"# : ""
            return HTTPResponse(status: 200, headers: ["etag": "\"e\""], url: request.url, body: Data(body.utf8))
        }
    }

    /// botocore's Authorization header for `request`, signed at the same instant.
    func botocoreAuthorization(_ request: HTTPRequest, service: String, token: String?) throws -> String {
        let headers = request.headers.filter { !["authorization", "x-amz-date"].contains($0.key) }
        let input = try JSONSerialization.data(withJSONObject: [
            "service": service, "method": request.method, "url": request.url.absoluteString, "headers": headers,
            "body": request.body.base64EncodedString(), "token": token ?? "", "date": request.headers["x-amz-date"]!,
        ])
        return try python("""
            import base64, datetime, json, sys
            from unittest import mock
            from botocore.auth import S3SigV4Auth, SigV4Auth
            from botocore.awsrequest import AWSRequest
            from botocore.credentials import Credentials
            r = json.loads(sys.stdin.read())
            creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", r["token"] or None)
            request = AWSRequest(method=r["method"], url=r["url"], data=base64.b64decode(r["body"]), headers=r["headers"])
            signer = (S3SigV4Auth if r["service"] == "s3" else SigV4Auth)(creds, r["service"], "eu-west-1")
            when = datetime.datetime.strptime(r["date"], "%Y%m%dT%H%M%SZ")
            with mock.patch("botocore.auth.get_current_datetime", return_value=when):
                signer.add_auth(request)
            print(request.headers["Authorization"])
            """, stdin: [UInt8](input)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(arguments: [nil, "FwoGZXIvYXdzEXAMPLE//token+value=="])
    func lambdaAndS3RequestsMatchBotocore(token: String?) async throws {
        let capture = Capture()
        let client = AWSClient(
            credentials: AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                        sessionToken: token),
            region: "eu-west-1", endpointURL: nil, transport: capture, retry: RetryPolicy(),
            clock: { Date(timeIntervalSince1970: 1_440_938_160) })
        _ = try await LambdaAPI(client: client).updateFunctionCode(
            "arn:aws:lambda:eu-west-1:123456789012:function:my-fn", code: .s3(bucket: "b", key: "k"), revisionId: "r-1")
        _ = try await LambdaAPI(client: client).updateAlias("my-fn", name: "live", version: "3", revisionId: nil)

        let work = try TemporaryDirectory("pexify-sigv4")
        defer { work.remove() }
        let archive = try ArchiveFile(path: try work.write("a.zip", "PK not really a zip"))
        _ = try await S3Upload(client: client, bucket: "my-bucket", key: "builds/my fn+v1/ä.zip")
            .upload(archive: archive, partSize: 8 * 1_048_576, progress: { _ in })

        let requests = capture.requests
        #expect(requests.count == 3)
        #expect(requests[0].url.absoluteString ==
            "https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Amy-fn/code")
        #expect(requests[2].url.absoluteString == "https://my-bucket.s3.eu-west-1.amazonaws.com/builds/my%20fn%2Bv1/%C3%A4.zip")
        for (request, service) in zip(requests, ["lambda", "lambda", "s3"]) {
            #expect(request.headers["authorization"] == (try botocoreAuthorization(request, service: service, token: token)))
        }
    }

    /// The preconditions travel in the bodies (moto ignores them, so they are checked here).
    @Test func preconditionsAreSent() async throws {
        let capture = Capture()
        let client = AWSClient(credentials: AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret-key-value"),
                               region: "eu-west-1", endpointURL: nil, transport: capture, retry: RetryPolicy())
        let lambda = LambdaAPI(client: client)
        _ = try await lambda.updateFunctionCode("fn", code: .zipFile(Data("zip".utf8)), revisionId: "r-1")
        _ = try await lambda.publishVersion("fn", codeSha256: "c2hh", revisionId: "r-2", description: "d")
        _ = try await lambda.updateAlias("fn", name: "live", version: "3", revisionId: "r-3")
        let bodies = try capture.requests.map { try JSONSerialization.jsonObject(with: $0.body) as? [String: Any] ?? [:] }
        #expect(bodies[0]["RevisionId"] as? String == "r-1" && bodies[0]["ZipFile"] as? String == "emlw"
                && bodies[0]["Publish"] as? Bool == false)
        #expect(bodies[1]["RevisionId"] as? String == "r-2" && bodies[1]["CodeSha256"] as? String == "c2hh")
        #expect(bodies[2]["RevisionId"] as? String == "r-3" && bodies[2]["FunctionVersion"] as? String == "3")
        #expect(capture.requests.map(\.method) == ["PUT", "POST", "PUT"])
    }
}
