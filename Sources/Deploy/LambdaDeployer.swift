import Basics
import Foundation

/// What to deploy where. Everything but `functionName` has the AWS tools' defaults.
public struct DeployOptions: Sendable {
    public var functionName: String
    /// Create or move this alias to the published version (implies `publish`).
    public var alias: String?
    public var publish: Bool
    /// Upload through this bucket even when a direct upload would do; required above `directUploadLimit`.
    public var s3Bucket: String?
    /// The object key; defaults to `pexify/<function>/<sha256>.zip`, so the same code reuses one key.
    public var s3Key: String?
    public var region: String?
    public var profile: String?
    public var endpointURL: String?
    /// Only work out and return the plan; no request is sent.
    public var dryRun: Bool
    public var description: String?
    /// Lambda's limit for a zip sent in the request itself.
    public var directUploadLimit = Int64(LambdaQuotas.directUploadBytes)
    public var partSize: Int = 8 * 1_048_576
    /// How long to wait for `LastUpdateStatus` to leave `InProgress`.
    public var updateTimeout: Duration = .seconds(300)
    public var pollInterval: Duration = .milliseconds(500)
    public var retry = RetryPolicy()
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    public var homeDirectory: String = NSHomeDirectory()
    /// `nil` sends through URLSession; tests put a wrapper here.
    public var transport: (any HTTPTransport)?
    /// Called with one line per step (upload parts, waiting), for progress output.
    public var progress: (@Sendable (String) -> Void)?

    public init(functionName: String, alias: String? = nil, publish: Bool = false, s3Bucket: String? = nil,
                s3Key: String? = nil, region: String? = nil, profile: String? = nil, endpointURL: String? = nil,
                dryRun: Bool = false, description: String? = nil) {
        self.functionName = functionName
        self.alias = alias
        self.publish = publish
        self.s3Bucket = s3Bucket
        self.s3Key = s3Key
        self.region = region
        self.profile = profile
        self.endpointURL = endpointURL
        self.dryRun = dryRun
        self.description = description
    }
}

/// What a deploy did (or, for a dry run, would do). Encodes to the `--json` output; holds no secret.
public struct DeployReport: Codable, Sendable {
    public struct Alias: Codable, Sendable, Equatable {
        public var name: String
        public var version: String
        /// The version the alias pointed to before; `nil` when it was created.
        public var previousVersion: String?
        public var created: Bool

        public init(name: String, version: String, previousVersion: String?, created: Bool) {
            self.name = name
            self.version = version
            self.previousVersion = previousVersion
            self.created = created
        }
    }

    public var dryRun: Bool
    public var function: String
    public var region: String
    public var endpoint: String?
    public var credentialSource: String
    public var archive: String
    public var size: Int64
    public var sha256: String
    /// The archive's hash as Lambda reports it (base64).
    public var codeSha256: String
    /// `direct` or `s3`.
    public var upload: String
    public var s3: S3UploadReport?
    /// The plan, one step a line, in order.
    public var steps: [String]
    public var functionArn: String?
    public var revisionId: String?
    public var version: String?
    public var alias: Alias?
}

/// Ships a built archive to AWS Lambda: update the code (directly or from S3), check the
/// `CodeSha256` the service computed, wait for the update to finish, publish a version guarded by
/// `CodeSha256` and `RevisionId`, and point an alias at it.
///
/// See <https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html>.
public enum LambdaDeployer {
    /// Deploys `archive` (a Lambda zip) as described by `options`.
    /// - Returns: the report; for a dry run the plan, without any request having been sent.
    /// - Throws: `DeployError`, with a message saying what to do next.
    public static func deploy(archive path: String, options: DeployOptions) async throws -> DeployReport {
        let archive = try ArchiveFile(path: path)
        let configuration = try AWSConfiguration.resolve(
            environment: options.environment, homeDirectory: options.homeDirectory, profile: options.profile,
            region: options.region, endpointURL: options.endpointURL)
        let viaS3 = options.s3Bucket != nil || archive.size > options.directUploadLimit
        if viaS3 && options.s3Bucket == nil {
            throw DeployError.needsBucket(path: path, size: archive.size, limit: options.directUploadLimit)
        }
        let publish = options.publish || options.alias != nil
        let key = options.s3Key ?? "pexify/\(options.functionName)/\(archive.sha256Hex).zip"
        let partSize = S3Upload.partSize(for: archive.size, preferred: options.partSize)
        let parts = Int((archive.size + Int64(partSize) - 1) / Int64(partSize))

        var steps = ["GetFunctionConfiguration \(options.functionName) (must exist; wait for any update in progress)"]
        if let bucket = options.s3Bucket {
            steps.append(parts > 1
                ? "upload \(ByteCount.format(archive.size)) to s3://\(bucket)/\(key) in \(parts) parts of \(ByteCount.format(Int64(partSize))) with SHA-256 part checksums"
                : "PutObject \(ByteCount.format(archive.size)) to s3://\(bucket)/\(key) with its SHA-256 checksum")
            steps.append("UpdateFunctionCode \(options.functionName) from s3://\(bucket)/\(key) (RevisionId precondition)")
        } else {
            steps.append("UpdateFunctionCode \(options.functionName) with the \(ByteCount.format(archive.size)) zip (RevisionId precondition)")
        }
        steps.append("check the returned CodeSha256 equals \(archive.codeSha256)")
        steps.append("wait until LastUpdateStatus is Successful (at most \(options.updateTimeout))")
        if publish { steps.append("PublishVersion with CodeSha256 and RevisionId preconditions") }
        if let alias = options.alias { steps.append("create alias \(alias), or move it, to the new version") }

        var report = DeployReport(
            dryRun: options.dryRun, function: options.functionName, region: configuration.region,
            endpoint: configuration.endpointURL?.absoluteString, credentialSource: configuration.credentialSource,
            archive: path, size: archive.size, sha256: archive.sha256Hex, codeSha256: archive.codeSha256,
            upload: viaS3 ? "s3" : "direct",
            s3: options.s3Bucket.map { S3UploadReport(bucket: $0, key: key, parts: parts, partSize: partSize) },
            steps: steps)
        if options.dryRun { return report }

        guard let credentials = configuration.credentials else {
            throw DeployError.configuration(
                "No AWS credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with a profile in ~/.aws/credentials (looked for profile \(configuration.profile)).")
        }
        let client = AWSClient(credentials: credentials, region: configuration.region,
                               endpointURL: configuration.endpointURL,
                               transport: options.transport ?? CurlTransport(), retry: options.retry)
        let progress = options.progress ?? { _ in }
        let run = Run(lambda: LambdaAPI(client: client), function: options.functionName,
                      region: configuration.region, size: archive.size, options: options, progress: progress)

        let before = try await run.waitForUpdate(try await run.call(.getConfiguration))
        let code: CodeSource
        if let bucket = options.s3Bucket {
            report.s3 = try await S3Upload(client: client, bucket: bucket, key: key)
                .upload(archive: archive, partSize: options.partSize, progress: progress)
            code = .s3(bucket: bucket, key: key)
        } else {
            code = .zipFile(try archive.read(offset: 0, count: Int(archive.size)))
        }
        let updated = try await run.call(.updateCode(code, revisionId: before.revisionId))
        guard updated.codeSha256 == archive.codeSha256 else {
            throw DeployError.checksumMismatch(function: options.functionName, expected: archive.codeSha256,
                                               actual: updated.codeSha256)
        }
        progress("updated the code of \(options.functionName); waiting for LastUpdateStatus Successful")
        let settled = try await run.waitForUpdate(updated)
        guard settled.codeSha256 == archive.codeSha256 else {
            throw DeployError.checksumMismatch(function: options.functionName, expected: archive.codeSha256,
                                               actual: settled.codeSha256)
        }
        report.functionArn = settled.functionArn
        report.revisionId = settled.revisionId

        if publish {
            let published = try await run.call(.publish(codeSha256: archive.codeSha256, revisionId: settled.revisionId,
                                                          description: options.description ?? "pexify deploy sha256:\(archive.sha256Hex)"))
            guard published.codeSha256 == archive.codeSha256, let version = published.version else {
                throw DeployError.checksumMismatch(function: options.functionName, expected: archive.codeSha256,
                                                   actual: published.codeSha256)
            }
            report.version = version
            progress("published version \(version) of \(options.functionName)")
            if let alias = options.alias {
                report.alias = try await run.pointAlias(alias, to: version)
                progress("alias \(alias) now points to version \(version)")
            }
        }
        return report
    }
}

/// One deploy's calls to Lambda, with the service's refusals turned into specific errors.
private struct Run: Sendable {
    enum Call {
        case getConfiguration
        case updateCode(CodeSource, revisionId: String?)
        case publish(codeSha256: String, revisionId: String?, description: String)
    }

    var lambda: LambdaAPI
    var function: String
    var region: String
    var size: Int64
    var options: DeployOptions
    var progress: @Sendable (String) -> Void

    func call(_ call: Call) async throws -> FunctionConfiguration {
        do {
            switch call {
            case .getConfiguration:
                return try await lambda.getFunctionConfiguration(function)
            case .updateCode(let code, let revisionId):
                return try await lambda.updateFunctionCode(function, code: code, revisionId: revisionId)
            case .publish(let codeSha256, let revisionId, let description):
                return try await lambda.publishVersion(function, codeSha256: codeSha256, revisionId: revisionId,
                                                       description: description)
            }
        } catch let failure as AWSServiceError {
            throw map(failure)
        }
    }

    func map(_ failure: AWSServiceError) -> DeployError {
        switch failure.code {
        case "ResourceNotFoundException" where failure.operation != "GetAlias":
            return .functionNotFound(function: function, region: region)
        case "RequestEntityTooLargeException", "CodeStorageExceededException":
            return .codeTooLarge(function: function, size: size, message: failure.message)
        case "PreconditionFailedException":
            return .preconditionFailed(operation: failure.operation, function: function, message: failure.message)
        case _ where failure.status == 413:
            return .codeTooLarge(function: function, size: size, message: failure.message)
        case _ where failure.code == "InvalidParameterValueException" && failure.message.lowercased().contains("size"):
            return .codeTooLarge(function: function, size: size, message: failure.message)
        default:
            return failure.deployError
        }
    }

    /// Polls until `LastUpdateStatus` is no longer `InProgress`, within `options.updateTimeout`.
    func waitForUpdate(_ initial: FunctionConfiguration) async throws -> FunctionConfiguration {
        var current = initial
        let clock = ContinuousClock()
        let deadline = clock.now + options.updateTimeout
        while current.lastUpdateStatus == "InProgress" || current.state == "Pending" {
            guard clock.now < deadline else {
                throw DeployError.updateFailed(function: function, status: current.lastUpdateStatus ?? "InProgress",
                                               reason: "still in progress after \(options.updateTimeout)")
            }
            progress("waiting for \(function): LastUpdateStatus \(current.lastUpdateStatus ?? "?")")
            try await Task.sleep(for: options.pollInterval)
            current = try await self.call(.getConfiguration)
        }
        if let status = current.lastUpdateStatus, status != "Successful" {
            throw DeployError.updateFailed(function: function, status: status,
                                           reason: current.lastUpdateStatusReason ?? "no reason given")
        }
        return current
    }

    /// Creates the alias, or moves it with its own `RevisionId` as the precondition.
    func pointAlias(_ name: String, to version: String) async throws -> DeployReport.Alias {
        do {
            let existing: AliasConfiguration
            do {
                existing = try await lambda.getAlias(function, name: name)
            } catch let failure as AWSServiceError where failure.code == "ResourceNotFoundException" {
                let created = try await lambda.createAlias(function, name: name, version: version)
                return DeployReport.Alias(name: name, version: created.functionVersion, previousVersion: nil, created: true)
            }
            let moved = try await lambda.updateAlias(function, name: name, version: version, revisionId: existing.revisionId)
            return DeployReport.Alias(name: name, version: moved.functionVersion,
                                      previousVersion: existing.functionVersion, created: false)
        } catch let failure as AWSServiceError {
            throw map(failure)
        }
    }
}
