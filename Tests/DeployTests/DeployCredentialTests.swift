import Basics
import Deploy
import Foundation
import TestSupport
import Testing

/// Credentials that take a request to get: STS `AssumeRoleWithWebIdentity` (the CI OIDC path), a
/// profile's `role_arn` + `source_profile` through STS `AssumeRole` (both answered by moto), and the
/// container credentials endpoint (a loopback server of the moto fixture). Each must end in real signed
/// Lambda calls that moto receives with the temporary key and its session token.
extension DeployMotoTests {
    /// Passes everything to URLSession and remembers, per request, the access key id that signed it
    /// (empty for unsigned ones) and the STS action of form-encoded bodies.
    final class SigningLog: HTTPTransport, @unchecked Sendable {
        let inner = URLSessionTransport()
        private let lock = NSLock()
        private var entries: [(key: String, action: String?, hasToken: Bool)] = []
        var all: [(key: String, action: String?, hasToken: Bool)] { lock.withLock { entries } }

        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            let authorization = request.headers["authorization"] ?? ""
            let key = authorization.hasPrefix("AWS4-HMAC-SHA256 ")
                ? String(authorization.split(separator: "Credential=").last?.prefix { $0 != "/" } ?? "") : ""
            let body = String(decoding: request.body, as: UTF8.self)
            let action = body.hasPrefix("Action=") ? String(body.dropFirst(7).prefix { $0 != "&" }) : nil
            lock.withLock { entries.append((key, action, request.headers["x-amz-security-token"] != nil)) }
            return try await inner.send(request)
        }

        /// The one key that signed the Lambda calls.
        func lambdaKeys() -> Set<String> { Set(all.filter { $0.action == nil && !$0.key.isEmpty }.map(\.key)) }
    }

    /// Deploys a v1 zip to a new function with `environment` as the process environment and checks that
    /// moto received the configuration read and the code update signed by a temporary key with a token.
    func deployWithTemporaryCredentials(_ environment: [String: String], sourceCredential: String) async throws -> (DeployReport, SigningLog) {
        let function = try makeFunction("creds")
        var options = DeployOptions(functionName: function, endpointURL: moto.endpoint)
        options.environment = environment.merging(["AWS_REGION": "us-east-1"]) { $1 }
        options.homeDirectory = work.path
        options.pollInterval = .milliseconds(50)
        let log = SigningLog()
        options.transport = log
        let report = try await LambdaDeployer.deploy(archive: try makeStampedZip("fn.zip"), options: options)
        #expect(report.credentialSource.contains(sourceCredential), "\(report.credentialSource)")
        let keys = log.lambdaKeys()
        let key = try #require(keys.count == 1 ? keys.first : nil, "one temporary key signed the Lambda calls: \(log.all)")
        let received = try moto.requests(signedBy: key)
        #expect(paths(received).contains("PUT /2015-03-31/functions/\(function)/code"))
        #expect(received.allSatisfy { ($0["headers"] as? [String] ?? []).contains("x-amz-security-token") },
                "every call carried the session token")
        #expect(try moto.function(function)["CodeSha256"] as? String == report.codeSha256)
        return (report, log)
    }

    @Test func webIdentityTokenIsExchangedThroughSTS() async throws {
        defer { work.remove() }
        let tokenFile = try work.write("token.jwt", "eyJhbGciOiJSUzI1NiJ9.pexify-test-web-identity-token.signature\n")
        let role = try #require(try moto.command(["cmd": "role"]) as? String)
        let (_, log) = try await deployWithTemporaryCredentials(
            ["AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": role, "AWS_ROLE_SESSION_NAME": "ci-run"],
            sourceCredential: "web identity (AWS_WEB_IDENTITY_TOKEN_FILE) for role \(role)")
        #expect(log.all.first.map { $0.action == "AssumeRoleWithWebIdentity" && $0.key.isEmpty } == true,
                "the first request was the unsigned STS call: \(log.all)")
    }

    @Test func profileRoleIsAssumedWithTheSourceProfile() async throws {
        defer { work.remove() }
        let role = try #require(try moto.command(["cmd": "role"]) as? String)
        let sourceKey = uniqueKey()
        try work.write(".aws/credentials", "[base]\naws_access_key_id = \(sourceKey)\naws_secret_access_key = \(Self.secret)\n")
        try work.write(".aws/config", "[profile deployer]\nrole_arn = \(role)\nsource_profile = base\nregion = us-east-1\n")
        let (_, log) = try await deployWithTemporaryCredentials(
            ["AWS_PROFILE": "deployer"], sourceCredential: "role \(role) assumed through profile deployer")
        #expect(log.all.first.map { $0.action == "AssumeRole" && $0.key == sourceKey } == true, "\(log.all)")
        #expect(paths(try moto.requests(signedBy: sourceKey)) == ["POST /"], "the source keys signed only AssumeRole")
    }

    @Test func containerEndpointGivesTheCredentials() async throws {
        defer { work.remove() }
        let key = uniqueKey()
        let url = try #require(try moto.command(["cmd": "container_credentials", "token": "Bearer pexify-container-token",
                                                 "key": key, "secret": Self.secret, "session": "pexify-session-token-value"]) as? String)
        try work.write("token", "Bearer pexify-container-token\n")
        let (_, log) = try await deployWithTemporaryCredentials(
            ["AWS_CONTAINER_CREDENTIALS_FULL_URI": url, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": work.child("token")],
            sourceCredential: "container credentials endpoint \(url)")
        #expect(log.lambdaKeys() == [key])
        let asked = try moto.requests(signedBy: "container").filter { ($0["path"] as? String)?.hasSuffix(key) == true }
        #expect(asked.map { $0["authorization"] as? String } == ["token"], "one request, with the token")

        // A wrong token is refused by the endpoint: a clear error, nothing signed.
        var options = deployOptions("pexify-never-reached", accessKey: "unused")
        options.environment = ["AWS_CONTAINER_CREDENTIALS_FULL_URI": url, "AWS_CONTAINER_AUTHORIZATION_TOKEN": "wrong",
                               "AWS_REGION": "us-east-1"]
        await #expect {
            try await LambdaDeployer.deploy(archive: try makeStampedZip("fn2.zip"), options: options)
        } throws: { "\($0)".contains("answered HTTP 401 without AccessKeyId and SecretAccessKey") }
    }
}

/// Which source the chain picks, without any request.
@Suite struct CredentialChainTests {
    @Test func orderAndValidation() throws {
        let home = try TemporaryDirectory("pexify-chain")
        defer { home.remove() }
        let base = ["AWS_REGION": "us-east-1"]
        let web = try AWSConfiguration.resolve(
            environment: base.merging(["AWS_WEB_IDENTITY_TOKEN_FILE": "/t", "AWS_ROLE_ARN": "arn:aws:iam::1:role/r"]) { $1 },
            homeDirectory: home.path)
        #expect(web.provider == .webIdentity(roleArn: "arn:aws:iam::1:role/r", tokenFile: "/t", sessionName: "pexify-deploy"))
        #expect(web.credentials == nil, "nothing is known before the STS call")

        let keysWin = try AWSConfiguration.resolve(
            environment: base.merging(["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret-value",
                                       "AWS_WEB_IDENTITY_TOKEN_FILE": "/t", "AWS_ROLE_ARN": "arn:aws:iam::1:role/r"]) { $1 },
            homeDirectory: home.path)
        #expect(keysWin.credentialSource == "environment variables")

        let relative = try AWSConfiguration.resolve(
            environment: base.merging(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"]) { $1 },
            homeDirectory: home.path)
        #expect(relative.provider == .container(url: URL(string: "http://169.254.170.2/v2/credentials/abc")!, token: nil, tokenFile: nil))

        #expect {
            try AWSConfiguration.resolve(
                environment: base.merging(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://example.invalid/creds"]) { $1 },
                homeDirectory: home.path)
        } throws: { "\($0)".contains("must be https, or http to a loopback or ECS/EKS agent address") }

        try home.write(".aws/config", "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
            + "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n"
            + "[profile chained]\nrole_arn = arn:aws:iam::1:role/c\nsource_profile = keys\n")
        try home.write(".aws/credentials", "[keys]\naws_access_key_id = AKIDKEYS\naws_secret_access_key = keys-secret-value\n")
        #expect {
            try AWSConfiguration.resolve(environment: base.merging(["AWS_PROFILE": "a"]) { $1 }, homeDirectory: home.path)
        } throws: { "\($0)".contains("a -> b -> a name each other as source_profile in a loop") }
        let chained = try AWSConfiguration.resolve(environment: base.merging(["AWS_PROFILE": "chained"]) { $1 },
                                                   homeDirectory: home.path)
        #expect(chained.provider == .assumeRole(roleArn: "arn:aws:iam::1:role/c", sessionName: "pexify-deploy", externalId: nil,
                                                source: .keys(AWSCredentials(accessKeyId: "AKIDKEYS", secretAccessKey: "keys-secret-value"))))
    }
}
