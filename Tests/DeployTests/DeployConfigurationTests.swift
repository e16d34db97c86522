@testable import Basics
import Deploy
import Foundation
import TestSupport
import Testing

@Suite struct DeployConfigurationTests {
    /// A home directory with the two shared files in the format the AWS CLI writes.
    private func home() throws -> TemporaryDirectory {
        let home = try TemporaryDirectory("pexify-aws-home")
        try home.write(".aws/credentials", """
            [default]
            aws_access_key_id = AKIDDEFAULT
            aws_secret_access_key = default-secret-key-value

            # a comment
            [ci]
            aws_access_key_id=AKIDCI
            aws_secret_access_key=ci-secret-key-value
            aws_session_token = ci-session-token-value
            """)
        try home.write(".aws/config", """
            [default]
            region = eu-west-1

            [profile ci]
            region = ap-southeast-2
            s3 =
              addressing_style = path
            endpoint_url = http://127.0.0.1:4566
            """)
        return home
    }

    @Test func environmentVariablesWin() throws {
        let home = try home()
        defer { home.remove() }
        let configuration = try AWSConfiguration.resolve(
            environment: ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "env-secret-key-value",
                          "AWS_SESSION_TOKEN": "env-token-value", "AWS_REGION": "us-west-2",
                          "AWS_DEFAULT_REGION": "us-east-2"],
            homeDirectory: home.path)
        #expect(configuration.credentials == AWSCredentials(accessKeyId: "AKIDENV", secretAccessKey: "env-secret-key-value",
                                                            sessionToken: "env-token-value"))
        #expect(configuration.credentialSource == "environment variables")
        #expect(configuration.region == "us-west-2")
        #expect(configuration.endpointURL == nil)
    }

    @Test func defaultProfileFromSharedFiles() throws {
        let home = try home()
        defer { home.remove() }
        let configuration = try AWSConfiguration.resolve(environment: ["AWS_DEFAULT_REGION": "us-east-2"],
                                                         homeDirectory: home.path)
        #expect(configuration.credentials == AWSCredentials(accessKeyId: "AKIDDEFAULT", secretAccessKey: "default-secret-key-value"))
        #expect(configuration.credentialSource == "profile default in \(home.path)/.aws/credentials")
        #expect(configuration.region == "us-east-2", "AWS_DEFAULT_REGION beats the profile's region")
        #expect(try AWSConfiguration.resolve(environment: [:], homeDirectory: home.path).region == "eu-west-1")
    }

    @Test func namedProfileWithRegionAndEndpoint() throws {
        let home = try home()
        defer { home.remove() }
        let configuration = try AWSConfiguration.resolve(environment: ["AWS_PROFILE": "ci"], homeDirectory: home.path)
        #expect(configuration.credentials?.accessKeyId == "AKIDCI")
        #expect(configuration.credentials?.sessionToken == "ci-session-token-value")
        #expect(configuration.region == "ap-southeast-2")
        #expect(configuration.endpointURL?.absoluteString == "http://127.0.0.1:4566")
        let overridden = try AWSConfiguration.resolve(
            environment: ["AWS_PROFILE": "ci", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000"], homeDirectory: home.path,
            region: "sa-east-1", endpointURL: "http://127.0.0.1:6000")
        #expect(overridden.region == "sa-east-1")
        #expect(overridden.endpointURL?.absoluteString == "http://127.0.0.1:6000")
        #expect(try AWSConfiguration.resolve(
            environment: ["AWS_PROFILE": "ci", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000"],
            homeDirectory: home.path).endpointURL?.absoluteString == "http://127.0.0.1:5000")
    }

    @Test func missingRegionAndBadEndpointAreExplained() throws {
        let empty = try TemporaryDirectory("pexify-aws-empty")
        defer { empty.remove() }
        #expect {
            try AWSConfiguration.resolve(environment: [:], homeDirectory: empty.path)
        } throws: { "\($0)".contains("No AWS region is set; pass --region") }
        #expect {
            try AWSConfiguration.resolve(environment: ["AWS_REGION": "us-east-1"], homeDirectory: empty.path,
                                         endpointURL: "localhost:5000")
        } throws: { "\($0)".contains("'localhost:5000' is not an http(s) URL") }
        let none = try AWSConfiguration.resolve(environment: ["AWS_REGION": "us-east-1"], homeDirectory: empty.path)
        #expect(none.credentials == nil)
    }
}

/// Failures before or instead of any answer from the service: each names what to fix, none prints a secret.
@Suite struct DeployFailureTests {
    let secret = "failure-test-secret-value"

    func options(_ work: TemporaryDirectory, credentials: Bool = true) -> DeployOptions {
        var options = DeployOptions(functionName: "fn", region: "us-east-1", endpointURL: "http://127.0.0.1:1")
        options.environment = credentials ? ["AWS_ACCESS_KEY_ID": "AKIDFAIL", "AWS_SECRET_ACCESS_KEY": secret] : [:]
        options.homeDirectory = work.path
        options.retry = RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(1), maxDelay: .milliseconds(1))
        return options
    }

    /// A real (tiny) function zip: deploy reads the central directory before any request.
    func functionZip(_ work: TemporaryDirectory) throws -> String {
        let zip = work.child("fn.zip")
        _ = try python("""
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w") as z:
                z.writestr("lambda_function.py", "def handler(event, context):\\n    return 1\\n")
            """, arguments: [zip])
        return zip
    }

    @Test func unreachableEndpoint() async throws {
        let work = try TemporaryDirectory("pexify-deploy-fail")
        defer { work.remove() }
        let zip = try functionZip(work)
        await #expect {
            try await LambdaDeployer.deploy(archive: zip, options: options(work))
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("GetFunctionConfiguration could not reach http://127.0.0.1:1") && !text.contains(secret)
        }
    }

    @Test func missingCredentialsArchiveOrBucket() async throws {
        let work = try TemporaryDirectory("pexify-deploy-fail")
        defer { work.remove() }
        let zip = try functionZip(work)
        await #expect {
            try await LambdaDeployer.deploy(archive: zip, options: options(work, credentials: false))
        } throws: { "\($0)".hasPrefix("No AWS credentials found; set AWS_ACCESS_KEY_ID") }
        await #expect {
            try await LambdaDeployer.deploy(archive: work.child("missing.zip"), options: options(work))
        } throws: { "\($0)" == "Cannot read the archive '\(work.child("missing.zip"))': it does not exist or is not readable." }
        var small = options(work)
        small.directUploadLimit = 4
        let size = ByteCount.format((try FileManager.default.attributesOfItem(atPath: zip)[.size] as? NSNumber)?.int64Value ?? 0)
        await #expect {
            try await LambdaDeployer.deploy(archive: zip, options: small)
        } throws: { "\($0)".contains("is \(size), above the 4 B limit of a direct upload; pass --s3-bucket NAME") }
        let notZip = try work.write("not.zip", "zip bytes")
        await #expect {
            try await LambdaDeployer.deploy(archive: notZip, options: options(work))
        } throws: { "\($0)".hasPrefix("Cannot read the archive '\(notZip)': it is not a zip archive Lambda can unpack") }
    }
}
