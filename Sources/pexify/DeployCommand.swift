import ArgumentParser
import Deploy
import Foundation

/// `pexify deploy`: ship a built archive to AWS Lambda. All the work is `LambdaDeployer.deploy`.
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Upload a built Lambda zip to a function (or create it), publish a version and move an alias; or publish a layer.",
        discussion: """
            Before any upload the function's Runtime, Architectures and Handler are checked against what \
            the archive was built for (kept in its zip comment); a mismatch is refused unless --force. \
            Credentials and region are found like the AWS CLI finds them: AWS_ACCESS_KEY_ID / \
            AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, AWS_PROFILE with ~/.aws/credentials and \
            ~/.aws/config (role_arn with source_profile), AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN, \
            AWS_CONTAINER_CREDENTIALS_FULL_URI / _RELATIVE_URI, AWS_REGION / AWS_DEFAULT_REGION, \
            AWS_ENDPOINT_URL for emulators. Server certificates are verified against AWS_CA_BUNDLE, the \
            profile's ca_bundle, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE or SSL_CERT_FILE/SSL_CERT_DIR, else \
            libcurl's default CA bundle (docs/tls-certificates.md). Archives above 50 MiB go through S3 \
            (--s3-bucket).
            """)

    @Argument(help: "The archive to deploy (a Lambda zip or layer built by `pexify --layout zip|layer`).")
    var archive: String

    @Option(help: "The Lambda function to update or create (name or ARN).")
    var functionName: String?

    @Option(help: "Publish the archive (built with --layout layer) as a new version of this layer instead.")
    var layerName: String?

    @OptionGroup var arguments: DeployArguments

    @Option(help: ArgumentHelp("Timeout of a created function, in seconds (the same as --function-timeout).",
                               valueName: "seconds"))
    var timeout: Int?

    @Flag(help: "Print the result as JSON on stdout.")
    var json = false

    /// The deployment arguments with `--timeout` folded into `--function-timeout`.
    var deployment: DeployArguments {
        var deployment = arguments
        deployment.timeout = deployment.timeout ?? timeout
        return deployment
    }

    /// The library options these arguments stand for.
    var options: DeployOptions { deployment.options(functionName: functionName ?? "", layerName: layerName) }

    func validate() throws {
        guard (functionName == nil) != (layerName == nil) else {
            throw ValidationError("Pass either --function-name FUNCTION (deploy a function zip) or --layer-name NAME (publish a layer).")
        }
        if let timeout, !(1...900).contains(timeout) {
            throw ValidationError("--timeout \(timeout) is outside Lambda's 1-900 seconds.")
        }
        if layerName != nil && deployment.appliesToFunctionsOnly {
            throw ValidationError("--alias, --publish, --create, --role, --memory, --timeout, --environment and --layers apply to functions; a layer publish takes --description, --s3-bucket and --force.")
        }
    }

    func run() async throws {
        let report = try await deployment.deploy(archive: archive, functionName: functionName ?? "", layerName: layerName)
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

    @Flag(help: "Print every request the deployment would make, checks included, without sending any.")
    var dryRun = false

    @Flag(help: "Deploy even when the function's runtime, architecture or handler does not fit the archive.")
    var force = false

    @Flag(help: "Create the function when it does not exist (needs --role); runtime, architecture and handler come from the archive.")
    var create = false

    @Option(help: ArgumentHelp("The execution role of a created function (implies --create).", valueName: "arn"))
    var role: String?

    @Option(help: ArgumentHelp("Memory of a created function, in MB.", valueName: "mb"))
    var memory: Int?

    // `--function-timeout` so that a build's `--timeout` can stay pip's network timeout; `pexify deploy`
    // also takes the AWS tools' `--timeout` for this.
    @Option(name: .customLong("function-timeout"),
            help: ArgumentHelp("Timeout of a created function, in seconds (pexify deploy: also --timeout).", valueName: "seconds"))
    var timeout: Int?

    @Option(help: ArgumentHelp("An environment variable of a created function (repeatable).", valueName: "K=V"))
    var environment: [String] = []

    @Option(name: .customLong("description"), help: "The description of a created function or a published layer.")
    var functionDescription: String?

    @Option(help: ArgumentHelp("Attach this layer version (repeatable, in order; replaces the function's layers).", valueName: "arn"))
    var layers: [String] = []

    func validate() throws {
        if let bad = environment.first(where: { !$0.contains("=") || $0.hasPrefix("=") }) {
            throw ValidationError("--environment '\(bad)' is not NAME=VALUE.")
        }
        if let memory, !(128...10_240).contains(memory) {
            throw ValidationError("--memory \(memory) is outside Lambda's 128-10240 MB.")
        }
        if let timeout, !(1...900).contains(timeout) {
            throw ValidationError("The function timeout \(timeout) is outside Lambda's 1-900 seconds.")
        }
    }

    /// Whether any deployment option was given (a build refuses them without --deploy-to).
    var isCustomized: Bool {
        alias != nil || publish || s3Bucket != nil || s3Key != nil || region != nil || profile != nil
            || endpointURL != nil || dryRun || force || functionDescription != nil || appliesToFunctionsOnly
    }

    /// Options a layer publish does not take.
    var appliesToFunctionsOnly: Bool {
        alias != nil || publish || create || role != nil || memory != nil || timeout != nil || !environment.isEmpty
            || !layers.isEmpty
    }

    /// The library options these arguments stand for.
    func options(functionName: String, layerName: String? = nil) -> DeployOptions {
        var options = DeployOptions(functionName: functionName, alias: alias, publish: publish, s3Bucket: s3Bucket,
                                    s3Key: s3Key, region: region, profile: profile, endpointURL: endpointURL,
                                    dryRun: dryRun)
        options.force = force
        options.create = create
        options.role = role
        options.memory = memory
        options.timeout = timeout
        // Later repetitions win, as in `env`.
        options.functionEnvironment = Dictionary(environment.map {
            let parts = $0.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }, uniquingKeysWith: { $1 })
        options.functionDescription = functionDescription
        options.layers = layers.isEmpty ? nil : layers
        options.layerName = layerName
        return options
    }

    /// Deploys `archive` with progress on stderr; a refusal by the service exits with status 1.
    func deploy(archive: String, functionName: String, layerName: String? = nil) async throws -> DeployReport {
        var options = options(functionName: functionName, layerName: layerName)
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
        let what = layerVersionArn != nil || (dryRun && steps.contains { $0.hasPrefix("PublishLayerVersion") })
            ? "layer \(function)" : function
        var lines = ["\(dryRun ? "Plan for" : "Deployed") \(archive) (\(size) bytes, sha256 \(sha256)) to \(what) in \(region)"
            + (endpoint.map { " at \($0)" } ?? "") + ", credentials from \(credentialSource):"]
        lines.append("  archive " + (stamp?.summary ?? "without a pexify stamp (runtime and architecture unchecked)"))
        if dryRun {
            lines += steps.enumerated().map { "  \($0.offset + 1). \($0.element)" }
            return lines.joined(separator: "\n")
        }
        if let s3 { lines.append("  uploaded to s3://\(s3.bucket)/\(s3.key) in \(s3.parts) part(s)") }
        lines += (warnings ?? []).map { "  warning: \($0)" }
        if let layerVersionArn {
            lines.append("  published layer version \(layerVersionArn)")
            return lines.joined(separator: "\n")
        }
        for layer in layers ?? [] {
            lines.append("  layer \(layer.arn): \(layer.exact ? "" : "at least ")\(layer.unzippedBytes) bytes unzipped")
        }
        lines.append("  \(created == true ? "function created" : "code updated"), CodeSha256 \(codeSha256) verified"
            + (revisionId.map { ", revision \($0)" } ?? ""))
        if let version { lines.append("  published version \(version)") }
        if let alias {
            lines.append("  alias \(alias.name) " + (alias.created ? "created at version \(alias.version)"
                : "moved from version \(alias.previousVersion ?? "?") to \(alias.version)"))
        }
        return lines.joined(separator: "\n")
    }
}
