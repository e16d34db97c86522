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
    /// The description of a published version.
    public var description: String?
    /// Deploy even when the function's runtime, architecture or handler does not fit the archive.
    public var force = false
    /// Create the function when it does not exist (requires `role`; a `role` alone implies it).
    public var create = false
    /// The execution role of a created function.
    public var role: String?
    /// Memory (MB), timeout (seconds), environment and description of a created function.
    public var memory: Int?
    public var timeout: Int?
    public var functionEnvironment: [String: String] = [:]
    public var functionDescription: String?
    /// Set the function's layers to these version ARNs, in order; `nil` leaves them as they are.
    public var layers: [String]?
    /// Publish the archive as a new version of this layer instead of deploying a function.
    public var layerName: String?
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
    /// What the archive was built for (its comment); `nil` when pexify did not build it.
    public var stamp: ArchiveStamp?
    /// Whether the function was created by this deploy.
    public var created: Bool?
    /// The layers counted against the unzipped limit, with their sizes.
    public var layers: [LayerUsage]?
    /// For a layer publish: the new version's ARN.
    public var layerVersionArn: String?
    /// Mismatches deployed anyway (`--force`), estimated sizes.
    public var warnings: [String]?

    /// A layer's share of the function's unzipped size.
    public struct LayerUsage: Codable, Sendable, Equatable {
        public var arn: String
        public var unzippedBytes: Int64
        /// False when only the zipped size was known (a layer pexify did not publish): a lower bound.
        public var exact: Bool

        public init(arn: String, unzippedBytes: Int64, exact: Bool) {
            self.arn = arn
            self.unzippedBytes = unzippedBytes
            self.exact = exact
        }
    }
}

/// Ships a built archive to AWS Lambda: check it against the function (runtime, architecture,
/// handler, unzipped size with the layers), create the function or set its layers when asked, update the
/// code (directly or from S3), check the `CodeSha256` the service computed, wait for the update to
/// finish, publish a version guarded by `CodeSha256` and `RevisionId`, and point an alias at it. Or
/// publish the archive as a layer version.
///
/// See <https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html> and
/// <https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html>.
public enum LambdaDeployer {
    /// Deploys `archive` (a Lambda zip) as described by `options`, or publishes it as a layer version
    /// when `options.layerName` is set.
    /// - Returns: the report; for a dry run the plan, without any request having been sent.
    /// - Throws: `DeployError`, with a message saying what to do next.
    public static func deploy(archive path: String, options: DeployOptions) async throws -> DeployReport {
        let archive = try ArchiveFile(path: path)
        let contents = try ArchiveContents(path: path)
        let configuration = try AWSConfiguration.resolve(
            environment: options.environment, homeDirectory: options.homeDirectory, profile: options.profile,
            region: options.region, endpointURL: options.endpointURL)
        let viaS3 = options.s3Bucket != nil || archive.size > options.directUploadLimit
        if viaS3 && options.s3Bucket == nil {
            throw DeployError.needsBucket(path: path, size: archive.size, limit: options.directUploadLimit)
        }
        if let layers = options.layers { for arn in layers { _ = try LambdaAPI.split(layerVersionArn: arn) } }
        let target = options.layerName ?? options.functionName
        let key = options.s3Key ?? (options.layerName.map { "pexify/layers/\($0)/" } ?? "pexify/\(options.functionName)/")
            + "\(archive.sha256Hex).zip"
        let partSize = S3Upload.partSize(for: archive.size, preferred: options.partSize)
        let parts = Int((archive.size + Int64(partSize) - 1) / Int64(partSize))
        let settings = options.layerName == nil && (options.create || options.role != nil)
            ? try creationSettings(contents, options: options) : nil

        let steps = (configuration.provider?.steps ?? []) + plan(
            options, archive: archive, contents: contents, key: key, parts: parts, partSize: partSize, settings: settings)
        var warnings: [String] = []
        if let layerName = options.layerName, !contents.names.contains(where: { $0.hasPrefix("python/") }) {
            // Lambda extracts a layer to /opt; only /opt/python is on sys.path.
            let problem = "'\(path)' has nothing under python/, so its modules would land in /opt, outside sys.path; build it with --layout layer"
            guard options.force else { throw DeployError.mismatch(archive: path, function: "layer \(layerName)", problems: [problem]) }
            warnings.append("--force: \(problem)")
        }

        var report = DeployReport(
            dryRun: options.dryRun, function: target, region: configuration.region,
            endpoint: configuration.endpointURL?.absoluteString, credentialSource: configuration.credentialSource,
            archive: path, size: archive.size, sha256: archive.sha256Hex, codeSha256: archive.codeSha256,
            upload: viaS3 ? "s3" : "direct",
            s3: options.s3Bucket.map { S3UploadReport(bucket: $0, key: key, parts: parts, partSize: partSize) },
            steps: steps, stamp: contents.stamp, warnings: warnings.isEmpty ? nil : warnings)
        if options.dryRun { return report }

        guard let provider = configuration.provider else {
            throw DeployError.configuration(
                "No AWS credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with a profile in ~/.aws/credentials (looked for profile \(configuration.profile)).")
        }
        let transport = options.transport ?? CurlTransport(tls: configuration.tls)
        let credentials = try await provider.credentials(
            region: configuration.region,
            stsBase: configuration.endpointURL ?? URL(string: "https://sts.\(configuration.region).amazonaws.com")!,
            transport: transport, retry: options.retry)
        let client = AWSClient(credentials: credentials, region: configuration.region,
                               endpointURL: configuration.endpointURL, transport: transport, retry: options.retry)
        let progress = options.progress ?? { _ in }
        let run = LambdaCalls(lambda: LambdaAPI(client: client), function: target, region: configuration.region,
                              size: archive.size, options: options, progress: progress)
        let uploadCode = { () async throws -> CodeSource in
            guard let bucket = options.s3Bucket else { return .zipFile(try archive.read(offset: 0, count: Int(archive.size))) }
            report.s3 = try await S3Upload(client: client, bucket: bucket, key: key)
                .upload(archive: archive, partSize: options.partSize, progress: progress)
            return .s3(bucket: bucket, key: key)
        }

        if let layerName = options.layerName {
            let published = try await run.publishLayer(layerName, code: try await uploadCode(), archive: archive, contents: contents)
            report.layerVersionArn = published.layerVersionArn
            report.version = String(published.version)
            progress("published \(published.layerVersionArn)")
            return report
        }

        var existing: FunctionConfiguration?
        do {
            existing = try await run.call(.getConfiguration)
        } catch DeployError.functionNotFound where settings != nil {
            existing = nil
        }
        var problems: [String] = []
        if let existing {
            if existing.packageType == "Image" { throw DeployError.imageFunction(function: target) }
            problems += FunctionCheck.targetProblems(existing, archive: contents)
        }
        let handler = existing?.handler ?? settings?.handler
        let layers = options.layers ?? existing?.layers?.map(\.arn) ?? []
        // A layer's files are needed only when the handler's module is not in the archive itself.
        let listing = !layers.isEmpty
            && handler.map { FunctionCheck.handlerProblem($0, function: target, archive: contents) != nil } == true
        let downloads = FileManager.default.temporaryDirectory.path + "/pexify-layers-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: downloads, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: downloads) }
        let inspected = try await run.inspectLayers(layers, listing: listing, into: downloads)
        if let handler, let problem = FunctionCheck.handlerProblem(handler, function: target, archive: contents,
                                                                   layers: inspected.map(\.contents)) {
            problems.append(problem)
        }
        if !problems.isEmpty {
            guard options.force else { throw DeployError.mismatch(archive: path, function: target, problems: problems) }
            warnings += problems.map { "--force: \($0)" }
            problems.forEach { progress("deploying anyway (--force): \($0)") }
        }
        let usage = inspected.map(\.usage)
        report.layers = usage
        let total = contents.unzippedBytes + usage.reduce(0) { $0 + $1.unzippedBytes }
        if total > Int64(LambdaQuotas.unzippedBytes) {
            throw DeployError.overBudget(function: target, total: total, parts:
                ["the archive \(ByteCount.format(contents.unzippedBytes))"] + usage.map { "\($0.arn) \($0.exact ? "" : "at least ")\(ByteCount.format($0.unzippedBytes))" })
        }
        if listing && inspected.contains(where: { $0.contents == nil }) {
            warnings.append("the handler \(handler ?? "") is not in the archive and a layer could not be downloaded to look for it")
        }
        warnings += usage.filter { !$0.exact }.map {
            "\($0.arn) could not be downloaded and says no unzipped size; its zipped size (\(ByteCount.format($0.unzippedBytes))) was counted against the unzipped limit"
        }
        report.warnings = warnings.isEmpty ? nil : warnings

        let settled: FunctionConfiguration
        if var before = existing {
            report.created = false
            before = try await run.waitForUpdate(before)
            if let wanted = options.layers, wanted != (before.layers?.map(\.arn) ?? []) {
                progress("setting the layers of \(target) to \(wanted.joined(separator: ", "))")
                before = try await run.waitForUpdate(try await run.call(.updateLayers(wanted, revisionId: before.revisionId)))
            }
            let updated = try await run.call(.updateCode(try await uploadCode(), revisionId: before.revisionId))
            guard updated.codeSha256 == archive.codeSha256 else {
                throw DeployError.checksumMismatch(function: target, expected: archive.codeSha256, actual: updated.codeSha256)
            }
            progress("updated the code of \(target); waiting for LastUpdateStatus Successful")
            settled = try await run.waitForUpdate(updated)
        } else {
            let created = try await run.call(.create(try await uploadCode(), settings!))
            report.created = true
            guard created.codeSha256 == archive.codeSha256 else {
                throw DeployError.checksumMismatch(function: target, expected: archive.codeSha256, actual: created.codeSha256)
            }
            progress("created \(target); waiting for State Active")
            settled = try await run.waitForUpdate(created)
        }
        guard settled.codeSha256 == archive.codeSha256 else {
            throw DeployError.checksumMismatch(function: target, expected: archive.codeSha256, actual: settled.codeSha256)
        }
        report.functionArn = settled.functionArn
        report.revisionId = settled.revisionId

        if options.publish || options.alias != nil {
            let published = try await run.call(.publish(codeSha256: archive.codeSha256, revisionId: settled.revisionId,
                                                          description: options.description ?? "pexify deploy sha256:\(archive.sha256Hex)"))
            guard published.codeSha256 == archive.codeSha256, let version = published.version else {
                throw DeployError.checksumMismatch(function: target, expected: archive.codeSha256,
                                                   actual: published.codeSha256)
            }
            report.version = version
            progress("published version \(version) of \(target)")
            if let alias = options.alias {
                report.alias = try await run.pointAlias(alias, to: version)
                progress("alias \(alias) now points to version \(version)")
            }
        }
        return report
    }

    /// What `CreateFunction` gets: runtime, architecture and handler from the archive's stamp, the rest
    /// from the options.
    static func creationSettings(_ archive: ArchiveContents, options: DeployOptions) throws -> FunctionSettings {
        let function = options.functionName
        guard let role = options.role else {
            throw DeployError.cannotCreate(function: function, reason: "a new function needs an execution role; pass --role arn:aws:iam::ACCOUNT:role/NAME")
        }
        guard let stamp = archive.stamp else {
            throw DeployError.cannotCreate(function: function, reason: "'\(archive.path)' has no pexify stamp in its archive comment, so its runtime and architecture are unknown; build it with pexify --layout zip --runtime python3.X --handler FILE.py:FUNC")
        }
        let handler = stamp.handler ?? "lambda_function.handler"
        if stamp.layout != "zip" {
            throw DeployError.cannotCreate(function: function, reason: "'\(archive.path)' is a \(stamp.layout), not a function zip; build it with --layout zip")
        }
        // Layers are only listed once the deploy runs; until then a module they may hold is not refused.
        if let problem = FunctionCheck.handlerProblem(handler, function: function, archive: archive,
                                                      layers: (options.layers ?? []).map { _ in nil }) {
            throw DeployError.cannotCreate(function: function, reason: problem + "; build the archive with --handler FILE.py:FUNC")
        }
        return FunctionSettings(role: role, runtime: stamp.lambdaRuntime, architecture: stamp.lambdaArchitecture,
                                handler: handler, memory: options.memory, timeout: options.timeout,
                                environment: options.functionEnvironment, description: options.functionDescription,
                                layers: options.layers ?? [])
    }
}

/// One deploy's calls to Lambda, with the service's refusals turned into specific errors.
struct LambdaCalls: Sendable {
    enum Call {
        case getConfiguration
        case create(CodeSource, FunctionSettings)
        case updateLayers([String], revisionId: String?)
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
            case .create(let code, let settings):
                return try await lambda.createFunction(function, code: code, settings: settings)
            case .updateLayers(let layers, let revisionId):
                return try await lambda.updateLayers(function, layers: layers, revisionId: revisionId)
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
        case "ResourceNotFoundException" where failure.operation == "GetLayerVersion":
            return .configuration("The layer version in --layers (or attached to '\(function)') does not exist in region \(region) (\(failure.message)); check the ARN `pexify deploy LAYER.zip --layer-name NAME` printed.")
        case "ResourceNotFoundException" where !["GetAlias", "PublishLayerVersion"].contains(failure.operation):
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
        if current.state == "Failed" {
            throw DeployError.updateFailed(function: function, status: "Failed (State)",
                                           reason: current.stateReason ?? "no reason given")
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
