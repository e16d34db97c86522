import ArgumentParser
import Deploy
import Foundation

/// `pexify deploy`: ship a built archive to AWS Lambda. All the work is `LambdaDeployer.deploy`.
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Upload a built Lambda zip to a function, publish a version and move an alias.",
        discussion: """
            Credentials and region are found like the AWS CLI finds them: AWS_ACCESS_KEY_ID / \
            AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, AWS_PROFILE with ~/.aws/credentials and \
            ~/.aws/config, AWS_REGION / AWS_DEFAULT_REGION, AWS_ENDPOINT_URL for emulators. Archives \
            above 50 MB go through S3 (--s3-bucket).
            """)

    @Argument(help: "The archive to deploy (a Lambda zip built by `pexify --layout zip`).")
    var archive: String

    @Option(help: "The Lambda function to update (name or ARN).")
    var functionName: String

    @OptionGroup var deployment: DeployArguments

    @Flag(help: "Print the result as JSON on stdout.")
    var json = false

    /// The library options these arguments stand for.
    var options: DeployOptions { deployment.options(functionName: functionName) }

    func run() async throws {
        let report = try await deployment.deploy(archive: archive, functionName: functionName)
        print(json ? report.jsonText : report.summary)
    }
}

/// How to deploy, shared by `pexify deploy` and a build's `--deploy-to NAME`.
struct DeployArguments: ParsableArguments {
    @Option(help: "Create or move this alias to the new version (implies --publish).")
    var alias: String?

    @Flag(help: "Publish a version after the update.")
    var publish = false

    @Option(help: "Upload through this S3 bucket (required above 50 MB).")
    var s3Bucket: String?

    @Option(help: "The S3 object key (default: pexify/<function>/<sha256>.zip).")
    var s3Key: String?

    @Option(help: "The AWS region (default: AWS_REGION, AWS_DEFAULT_REGION or the profile's region).")
    var region: String?

    @Option(help: "The profile in ~/.aws/credentials and ~/.aws/config (default: AWS_PROFILE or default).")
    var profile: String?

    @Option(help: "Send requests to this endpoint instead of AWS (an emulator such as moto).")
    var endpointURL: String?

    @Flag(help: "Print the deployment plan without sending any request.")
    var dryRun = false

    /// Whether any deployment option was given (a build refuses them without --deploy-to).
    var isCustomized: Bool {
        alias != nil || publish || s3Bucket != nil || s3Key != nil || region != nil || profile != nil
            || endpointURL != nil || dryRun
    }

    /// The library options these arguments stand for.
    func options(functionName: String) -> DeployOptions {
        DeployOptions(functionName: functionName, alias: alias, publish: publish, s3Bucket: s3Bucket, s3Key: s3Key,
                      region: region, profile: profile, endpointURL: endpointURL, dryRun: dryRun)
    }

    /// Deploys `archive` with progress on stderr; a refusal by the service exits with status 1.
    func deploy(archive: String, functionName: String) async throws -> DeployReport {
        var options = options(functionName: functionName)
        options.progress = { line in FileHandle.standardError.write(Data("pexify: \(line)\n".utf8)) }
        do {
            return try await LambdaDeployer.deploy(archive: archive, options: options)
        } catch let error as DeployError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}

extension DeployReport {
    /// Sorted-key, pretty JSON for `--json`.
    var jsonText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// The human-readable result: the plan for a dry run, what happened otherwise.
    var summary: String {
        var lines = ["\(dryRun ? "Plan for" : "Deployed") \(archive) (\(size) bytes, sha256 \(sha256)) to \(function) in \(region)"
            + (endpoint.map { " at \($0)" } ?? "") + ", credentials from \(credentialSource):"]
        if dryRun {
            lines += steps.enumerated().map { "  \($0.offset + 1). \($0.element)" }
            return lines.joined(separator: "\n")
        }
        if let s3 { lines.append("  uploaded to s3://\(s3.bucket)/\(s3.key) in \(s3.parts) part(s)") }
        lines.append("  code updated, CodeSha256 \(codeSha256) verified" + (revisionId.map { ", revision \($0)" } ?? ""))
        if let version { lines.append("  published version \(version)") }
        if let alias {
            lines.append("  alias \(alias.name) " + (alias.created ? "created at version \(alias.version)"
                : "moved from version \(alias.previousVersion ?? "?") to \(alias.version)"))
        }
        return lines.joined(separator: "\n")
    }
}
