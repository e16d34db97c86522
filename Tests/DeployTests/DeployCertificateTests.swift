import Basics
import Deploy
import Foundation
import TestSupport
import Testing

/// The CA certificates of `pexify deploy`, found as botocore finds them (`AWS_CA_BUNDLE`, the profile's
/// `ca_bundle`, `REQUESTS_CA_BUNDLE`), and used against a real TLS endpoint on loopback.
@Suite struct DeployCertificateTests {
    @Test func theOrderOfTheCASettings() throws {
        let home = try TemporaryDirectory("pexify-aws-tls")
        defer { home.remove() }
        for name in ["aws", "profile", "requests"] { try home.write(name + ".pem", "placeholder\n") }
        let config = try home.write(".aws/config", "[default]\nregion = eu-west-1\nca_bundle = \(home.child("profile.pem"))\n")
        var environment = ["AWS_CA_BUNDLE": home.child("aws.pem"), "REQUESTS_CA_BUNDLE": home.child("requests.pem")]
        func chosen() throws -> TLSSettings.Location? {
            try AWSConfiguration.resolve(environment: environment, homeDirectory: home.path).tls.caFile
        }
        #expect(try chosen() == .init(home.child("aws.pem"), from: .environment("AWS_CA_BUNDLE")))
        environment["AWS_CA_BUNDLE"] = nil
        #expect(try chosen() == .init(home.child("profile.pem"), from: .file(path: config, key: "ca_bundle")))
        try home.write(".aws/config", "[default]\nregion = eu-west-1\n")
        #expect(try chosen() == .init(home.child("requests.pem"), from: .environment("REQUESTS_CA_BUNDLE")))

        environment["AWS_CA_BUNDLE"] = home.child("missing.pem")
        #expect {
            try chosen()
        } throws: {
            "\($0)" == "The CA bundle '\(home.child("missing.pem"))' named by AWS_CA_BUNDLE does not exist; set "
                + "AWS_CA_BUNDLE to the path of a PEM file of the CA certificates to trust (or a directory of them), or unset it."
        }
    }

    @Test(.enabled(if: TestEnvironment.hasPython, "needs Python for the loopback endpoint (PEXIFY_TEST_PYTHON)"),
          .enabled(if: CertificateAuthority.available, "needs openssl for the test CA (scripts/setup-test-env.sh installs it)"))
    func awsCABundleTrustsTheEndpoint() async throws {
        // Any HTTPS server will do: the call is refused or answered only after the handshake.
        let fixture = try IndexFixture([])
        let authority = try CertificateAuthority()
        let server = try fixture.simpleServer(tls: authority)
        defer { server.stop(); fixture.directory.remove(); authority.directory.remove() }
        let zip = try DeployFailureTests().functionZip(fixture.directory)
        func options(_ extra: [String: String]) -> DeployOptions {
            var options = DeployOptions(functionName: "fn", region: "us-east-1", endpointURL: server.baseURL)
            options.environment = ["AWS_ACCESS_KEY_ID": "AKIDTLS", "AWS_SECRET_ACCESS_KEY": "tls-test-secret-value"]
                .merging(extra) { $1 }
            options.homeDirectory = fixture.directory.path
            options.retry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(1), maxDelay: .milliseconds(1))
            return options
        }

        await #expect {
            try await LambdaDeployer.deploy(archive: zip, options: options([:]))
        } throws: {
            "\($0)".hasPrefix("GetFunctionConfiguration could not verify the server certificate of \(server.baseURL)")
                && "\($0)".contains("point AWS_CA_BUNDLE (or `ca_bundle` in the profile) at that CA's PEM bundle")
        }
        let refused = fixture.settledRequests()
        #expect(refused.count == 1 && refused[0].hasPrefix("TLS "), "not retried: \(refused)")

        // Trusted, the request reaches the server, which knows no Lambda API and answers 404.
        await #expect(throws: (any Error).self) {
            try await LambdaDeployer.deploy(archive: zip, options: options(["AWS_CA_BUNDLE": authority.certificate]))
        }
        let log = fixture.settledRequests()
        #expect(log.contains { $0.hasPrefix("GET /2015-03-31/functions/fn/configuration") }, "\(log)")
        #expect(log.count { $0.hasPrefix("TLS ") } == 1, "\(log)")
    }
}
