import Basics
import Foundation
import Installer
import Pex
import Resolver
import ZipArchive

/// One `pexify` build, end to end: target → requirements → resolution → `--exclude` → install plans →
/// layout and checks → one atomic write. The command line only maps flags onto a ``BuildRequest`` and
/// prints the ``BuildSummary``; tests call this directly.
public enum Build {
    /// Runs a build.
    /// - Parameters:
    ///   - progress: receives one short line per step (the CLI shows them on an interactive stderr).
    ///   - meter: counts what resolution fetches, for a live progress line.
    /// - Throws: the first error of any step. Nothing is written then: the output path is left untouched.
    public static func run(_ request: BuildRequest, progress: @escaping @Sendable (String) -> Void = { _ in },
                           meter: TransferMeter = TransferMeter()) async throws
        -> BuildSummary {
        let started = ContinuousClock.now
        let target = try platform(for: request.target)
        // Started before resolving: a missing interpreter fails the build before any download.
        let compiler = try request.compile ? BytecodeCompiler(
            major: target.pythonVersion.major, minor: target.pythonVersion.minor, interpreter: request.compileWith) : nil
        defer { compiler?.stop() }
        progress("Resolving for \(target.name)")
        let resolved = try await Installation.resolve(request.inputs, target: target, index: request.index, meter: meter,
                                                      progress: progress, excluding: [request.output])
        let exclusion = try Installation.exclude(request.excluded, from: resolved)
        let kept = resolved.distributions.filter { exclusion.kept.contains($0.name) }

        progress("Planning \(kept.count) distributions")
        let pythonVersion = "\(target.pythonVersion.major).\(target.pythonVersion.minor)"
        // Every wheel, however it came (downloaded, found, locked), is verified the first time its sha256
        // is seen and trusted by it afterwards.
        var distributions: [InstalledDistribution] = []
        if !kept.isEmpty {
            let store = WheelStore(cache: try Cache(directory: request.index.cacheDirectory))
            // A resolution made to install has fetched every wheel: only a lock leaves paths empty.
            let plans = try store.installPlans(for: kept.map { ($0.path!, $0.sha256) }, pythonVersion: pythonVersion)
            distributions = zip(plans, kept).map { InstalledDistribution(plan: $0, sha256: $1.sha256) }
        }
        var slimmed: [SlimReport] = []
        if request.slim {
            progress("Slimming \(distributions.count) distributions")
            for index in distributions.indices {
                slimmed.append(try distributions[index].plan.slim(pythonVersion: pythonVersion))
            }
        }
        let sources = try request.sourcesDirectories.map {
            try SourcesDirectory(path: $0, excluding: [request.output], rules: request.sourceRules)
        }
        let input = LayoutInput(distributions: distributions, sources: sources, requirements: resolved.requirements,
                                target: target)
        var stages = ArchiveStages.Options(compiler: compiler, enforceSizeLimit: request.sizeCheck,
                                           nativeCheck: request.nativeCheck)
        stages.layers = try request.layers.map(FunctionLayer.init(path:))
        let prepared = switch request.layout {
        case .zip, .layer:
            try ArchiveStages.prepare(input, layout: LambdaLayout(request.layout, handler: request.handler),
                                      options: stages)
        case .pex:
            try ArchiveStages.prepare(
                input, layout: PexArchiveLayout(entryPoint: request.entryPoint, consoleScript: request.consoleScript,
                                                shebang: request.pythonShebang),
                options: stages)
        }

        progress("Writing \(request.output)")
        let policy = ArchivePolicy(compressionLevel: request.compressionLevel ?? 6,
                                   jobs: request.jobs ?? ProcessInfo.processInfo.activeProcessorCount)
        var warnings = resolved.warnings
        warnings += exclusion.unmatched.map { "--exclude \($0) matches no distribution that was resolved." }
        warnings += prepared.warnings
        let stamp = Self.stamp(request, target: target, handler: prepared.handler)
        let written = try ZipWriter.write(prepared.plan, prefix: prepared.prefix, comment: stamp.comment,
                                          to: request.output, policy: policy, permissions: prepared.permissions)
        if !prepared.budgetParts.isEmpty,  // the direct-upload warning needs the zipped size
           let warning = LambdaBudget.uploadWarning(zippedBytes: Int(written.byteCount), parts: prepared.budgetParts) {
            warnings.append(warning)
        }
        let elapsed = ContinuousClock.now - started
        var summary = BuildSummary(
            output: request.output, layout: request.layout, target: target.name, bytes: written.byteCount,
            unzippedBytes: prepared.unzippedBytes, entries: written.entryCount, handler: prepared.handler,
            entryPoint: prepared.entryPoint,
            distributions: kept.map { .init(name: "\($0.name)", version: "\($0.version)", wheel: "\($0.wheel)") },
            excluded: exclusion.dropped.map(\.description), warnings: warnings,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        summary.sources = sources.map(\.report)
        summary.slimmed = slimmed.filter { $0.savedBytes > 0 || !$0.notes.isEmpty }
        summary.layers = stages.layers.map { .init(path: $0.path, unzippedBytes: $0.unzippedBytes) }
        return summary
    }

    /// What the archive remembers of this build, for `deploy`'s target check and `inspect`.
    static func stamp(_ request: BuildRequest, target: TargetPlatform, handler: String?) -> ArchiveStamp {
        var runtime: String?, architecture: String?
        if case let .lambda(name, machine) = request.target {
            runtime = name.lowercased()
            architecture = machine.lowercased() == "aarch64" ? "arm64" : machine.lowercased()
        }
        return ArchiveStamp(layout: request.layout.rawValue, runtime: runtime, architecture: architecture,
                            target: target.name, python: "\(target.pythonVersion.major).\(target.pythonVersion.minor)",
                            machine: target.machine, handler: handler)
    }

    /// The target platform the user named.
    public static func platform(for specification: TargetSpecification) throws -> TargetPlatform {
        switch specification {
        case let .platform(platform, manylinux): try TargetPlatform.parse(platform: platform, manylinux: manylinux)
        case let .completePlatform(path): try TargetPlatform.completePlatform(path)
        case let .lambda(runtime, architecture): try TargetPlatform.lambda(runtime: runtime, architecture: architecture)
        }
    }
}
