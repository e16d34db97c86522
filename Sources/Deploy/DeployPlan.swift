import Basics

extension LambdaDeployer {
    /// Every request a deploy makes, checks included, one line each, in order: the `--dry-run` output
    /// and the `steps` of every report. Credential requests come first, from ``CredentialProvider/steps``.
    static func plan(_ options: DeployOptions, archive: ArchiveFile, contents: ArchiveContents, key: String,
                     parts: Int, partSize: Int, settings: FunctionSettings?) -> [String] {
        var steps: [String] = []
        let codeFrom = options.s3Bucket.map { "from s3://\($0)/\(key)" } ?? "with the \(ByteCount.format(archive.size)) zip"
        let upload = options.s3Bucket.map { bucket in
            parts > 1
                ? "upload \(ByteCount.format(archive.size)) to s3://\(bucket)/\(key) in \(parts) parts of \(ByteCount.format(Int64(partSize))) with SHA-256 part checksums"
                : "PutObject \(ByteCount.format(archive.size)) to s3://\(bucket)/\(key) with its SHA-256 checksum"
        }
        if let layerName = options.layerName {
            steps.append("check the archive is a layer (its content under python/)"
                + (options.force ? " (--force: deploy anyway)" : ", refuse otherwise"))
            steps += [upload].compactMap { $0 }
            steps.append("PublishLayerVersion \(layerName) \(codeFrom), compatible with "
                + (contents.stamp.map { "\($0.lambdaRuntime) on \($0.lambdaArchitecture)" } ?? "any runtime (no pexify stamp)"))
            steps.append("check the returned CodeSha256 equals \(archive.codeSha256)")
            return steps
        }
        let function = options.functionName
        let checks = contents.stamp.map { "Runtime \($0.lambdaRuntime), Architectures [\($0.lambdaArchitecture)], Handler in the archive or its layers" }
            ?? "Handler in the archive or its layers (no pexify stamp: runtime and architecture unchecked)"
        steps.append("GetFunctionConfiguration \(function): check \(checks)"
            + (options.force ? " (--force: report mismatches, deploy anyway)" : ", refuse on a mismatch")
            + (settings == nil ? "; must exist" : "; create it when absent") + "; wait for any update in progress")
        let layers = options.layers.map { "the layers \($0.joined(separator: ", "))" } ?? "the function's current layers"
        steps.append("GetLayerVersion for each of \(layers), downloading those that do not state their unzipped size or may hold the handler: refuse if the archive (\(ByteCount.format(contents.unzippedBytes)) unzipped) and the layers exceed \(ByteCount.format(Int64(LambdaQuotas.unzippedBytes)))")
        steps += [upload].compactMap { $0 }
        if let settings {
            steps.append("if absent: CreateFunction \(function) \(codeFrom) (\(settings.runtime), \(settings.architecture), handler \(settings.handler), role \(settings.role)"
                + (settings.memory.map { ", \($0) MB" } ?? "") + (settings.timeout.map { ", \($0) s timeout" } ?? "")
                + (settings.environment.isEmpty ? "" : ", environment \(settings.environment.keys.sorted().joined(separator: ", "))")
                + (settings.layers.isEmpty ? "" : ", layers \(settings.layers.joined(separator: ", "))")
                + "), then wait until State is Active")
        }
        let existing = settings == nil ? "" : "if it existed: "
        if let layers = options.layers {
            steps.append(existing + "UpdateFunctionConfiguration \(function) Layers [\(layers.joined(separator: ", "))] when they differ (RevisionId precondition), then wait until LastUpdateStatus is Successful")
        }
        steps.append(existing + "UpdateFunctionCode \(function) \(codeFrom) (RevisionId precondition)")
        steps.append("check the returned CodeSha256 equals \(archive.codeSha256)")
        steps.append("wait until LastUpdateStatus is Successful (at most \(options.updateTimeout))")
        if options.publish || options.alias != nil { steps.append("PublishVersion with CodeSha256 and RevisionId preconditions") }
        if let alias = options.alias { steps.append("create alias \(alias), or move it, to the new version") }
        return steps
    }
}
