import ArgumentParser
import Foundation
import Orchestration
import Pex
import Resolver

/// `pexify [build] …`: resolve, then write a Lambda zip, a Lambda layer or a PEX.
struct BuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build a Lambda zip, a Lambda layer or a PEX zipapp (the default command)."
    )

    @OptionGroup var requirementArguments: RequirementArguments

    @Option(help: "The archive layout: zip (Lambda function), layer (Lambda layer) or pex (zipapp).")
    var layout: Layout

    @OptionGroup var target: TargetArguments

    @Option(name: [.customShort("D"), .customLong("sources-directory")],
            help: ArgumentHelp("A directory whose contents go to the archive root (repeatable).", valueName: "dir"))
    var sourcesDirectories: [String] = []

    @Option(name: .customLong("exclude-source"),
            help: ArgumentHelp("Leave out what this .gitignore-style glob matches in the -D directories (repeatable).",
                               valueName: "glob"))
    var excludeSource: [String] = []

    @Option(name: .customLong("include-source"),
            help: ArgumentHelp("Pack what this glob matches even if ignored, built-in excluded or a secret (repeatable).",
                               valueName: "glob"))
    var includeSource: [String] = []

    @Option(name: .customLong("with-layer"),
            help: ArgumentHelp("A Lambda layer zip the function will use, in order (repeatable): counted in the 250 MiB "
                               + "budget, checked for hidden modules and native code.", valueName: "file"))
    var withLayer: [String] = []

    @Option(help: "The Lambda handler as FILE.py:FUNC (relative to a -D directory) or MODULE:FUNC.")
    var handler: String?

    @Option(name: [.customShort("e"), .customLong("entry-point")], help: "PEX entry point MODULE[:FUNC].")
    var entryPoint: String?

    @Option(name: [.customShort("c"), .customLong("console-script")], help: "PEX entry point: a console script.")
    var consoleScript: String?

    @Option(help: ArgumentHelp("Leave out this distribution and what only it needs, e.g. boto3 (repeatable).", valueName: "name"))
    var exclude: [String] = []

    @OptionGroup var index: IndexArguments

    @OptionGroup var indexTimeout: IndexTimeoutArgument

    @Option(name: .customLong("compress-level"), help: ArgumentHelp("Deflate level 0-9 for new content (default 6).", valueName: "n"))
    var compressLevel: Int?

    @Flag(name: .customLong("no-compress"), help: "Store new content uncompressed (level 0).")
    var noCompress = false

    @Option(help: ArgumentHelp("Compression workers (default: one per core).", valueName: "n"))
    var jobs: Int?

    @Option(name: .customLong("python-shebang"), help: "The PEX shebang, e.g. '/usr/bin/env python3.12'.")
    var pythonShebang: String?

    @Flag(name: .customLong("no-size-check"), help: "Do not fail above Lambda's 250 MiB unzipped limit.")
    var noSizeCheck = false

    @Flag(name: .customLong("no-native-check"), help: "Do not check shared objects against the target.")
    var noNativeCheck = false

    @Flag(help: "Leave out bytecode for other interpreters, .pyi stubs, C headers and static libraries; strip debug sections from shared objects.")
    var slim = false

    @Flag(help: "Add bytecode compiled for the target (unchecked hash-based .pyc) next to every .py.")
    var compile = false

    @Option(name: .customLong("compile-with"),
            help: ArgumentHelp("The CPython of the target's version that compiles (default: pythonX.Y on PATH); implies --compile.",
                               valueName: "path"))
    var compileWith: String?

    @Flag(help: "Print the summary as one JSON object on stdout.")
    var json = false

    @Option(name: .customLong("deploy-to"),
            help: ArgumentHelp("After a successful --layout zip build, deploy the archive to this Lambda function.",
                               valueName: "function"))
    var deployTo: String?

    @OptionGroup(title: "Deployment (with --deploy-to)") var deployment: DeployArguments

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("The archive to write.", valueName: "file"))
    var output: String

    func validate() throws {
        if requirementArguments.inputs.isEmpty && sourcesDirectories.isEmpty {
            throw ValidationError("Nothing to package: give requirements, -r FILE, --project DIR, --lock FILE or -D DIR.")
        }
        if target.specifications.count > 1 {
            throw ValidationError("A build is for one target; give one --runtime, --architecture, --platform or "
                + "--complete-platform (pexify lock takes several).")
        }
        if let compressLevel, !(0...9).contains(compressLevel) {
            throw ValidationError("--compress-level must be between 0 and 9, not \(compressLevel).")
        }
        if compressLevel != nil && noCompress { throw ValidationError("Give either --compress-level or --no-compress.") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, not \(jobs).") }
        if entryPoint != nil && consoleScript != nil {
            throw ValidationError("Give either -e/--entry-point or -c/--console-script, not both.")
        }
        if deployTo == nil && deployment.isCustomized {
            throw ValidationError("The deployment options (--alias, --publish, --s3-bucket, ...) apply only with --deploy-to FUNCTION.")
        }
        if deployTo != nil && layout != .zip {
            throw ValidationError("--deploy-to deploys a function zip; use it with --layout zip.")
        }
        switch layout {
        case .zip, .layer:
            if entryPoint != nil || consoleScript != nil || pythonShebang != nil {
                throw ValidationError("-e, -c and --python-shebang apply only to --layout pex.")
            }
            if layout == .layer && handler != nil {
                throw ValidationError("--handler applies to --layout zip (a layer has no handler).")
            }
        case .pex:
            if !withLayer.isEmpty { throw ValidationError("--with-layer applies to --layout zip or layer.") }
            if handler != nil {
                throw ValidationError("--handler applies to --layout zip; a PEX serves Lambda through its __pex__ "
                    + "package instead (handler __pex__.MODULE.FUNCTION).")
            }
        }
    }

    var request: BuildRequest {
        var request = BuildRequest(
            layout: layout,
            inputs: requirementArguments.inputs, target: target.specifications[0], index: indexTimeout.applied(to: index), sourcesDirectories: sourcesDirectories,
            handler: handler, entryPoint: entryPoint, consoleScript: consoleScript, excluded: exclude,
            compressionLevel: noCompress ? 0 : compressLevel, jobs: jobs, pythonShebang: pythonShebang,
            sizeCheck: !noSizeCheck, nativeCheck: !noNativeCheck, output: output)
        request.compile = compile || compileWith != nil
        request.compileWith = compileWith
        request.sourceRules = SourceRules(excluded: excludeSource, included: includeSource)
        request.layers = withLayer
        request.slim = slim
        return request
    }

    func run() async throws {
        if requirementArguments.lock == nil, !requirementArguments.inputs.isEmpty {
            let directory = FileManager.default.currentDirectoryPath
            for lock in LockFormat.locks(in: directory) {
                Terminal.standardError.write("hint: \(lock) in this directory pins exact versions; to install "
                    + "those instead of resolving again, give --lock \(lock).\n")
            }
        }
        let live = LiveProgress(enabled: !json)
        let summary: BuildSummary
        do {
            summary = try await Build.run(request, progress: Terminal.progress(), meter: live.meter)
            await live.finish()
        } catch {
            await live.finish()
            throw error
        }
        for warning in summary.warnings { Terminal.standardError.write("warning: \(warning)\n") }
        guard let deployTo else {
            Terminal.standardOutput.write(json ? try summary.json() + "\n" : summary.text())
            return
        }
        if !json { Terminal.standardOutput.write(summary.text()) }
        let report = try await deployment.deploy(archive: output, functionName: deployTo)
        if json {
            Terminal.standardOutput.write("{\"build\":\(try summary.json()),\"deploy\":\(report.jsonText)}\n")
        } else {
            Terminal.standardOutput.write(report.summary + "\n")
        }
    }
}
