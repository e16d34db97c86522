import Foundation
import Resolver

/// One `pexify` build, end to end: target → requirements → resolution → `--exclude` → install plans →
/// layout and checks → one atomic write. The command line only maps flags onto a ``BuildRequest`` and
/// prints the ``BuildSummary``; tests call this directly.
public enum Build {
    /// Runs a build.
    /// - Parameter progress: receives one short line per step (the CLI shows them on an interactive stderr).
    /// - Throws: the first error of any step. Nothing is written then: the output path is left untouched.
    public static func run(_ request: BuildRequest, progress: @Sendable (String) -> Void = { _ in }) async throws
        -> BuildSummary {
        let started = ContinuousClock.now
        let target = try platform(for: request.target)
        progress("Resolving for \(target.name)")
        let resolved = try await Installation.resolve(request.inputs, target: target, index: request.index)
        let exclusion = try Installation.exclude(request.excluded, from: resolved)
        let kept = resolved.distributions.filter { exclusion.kept.contains($0.name) }

        progress("Planning \(kept.count) distributions")
        let pythonVersion = "\(target.pythonVersion.major).\(target.pythonVersion.minor)"
        let plans = try kept.map { try WheelInstallPlan(wheelPath: $0.path, pythonVersion: pythonVersion) }
        let sources = try request.sourcesDirectories.map { try SourcesDirectory(path: $0, excluding: [request.output]) }
        let prepared: PreparedArchive
        switch request.layout {
        case .zip, .layer:
            prepared = try LambdaBuild.prepare(request, distributions: plans, sources: sources, target: target)
        case .pex:
            prepared = try PexBuild.prepare(
                request, distributions: Array(zip(plans, kept.map(\.sha256))), sources: sources,
                requirements: resolved.requirements, target: target)
        }

        progress("Writing \(request.output)")
        let policy = ArchivePolicy(compressionLevel: request.compressionLevel ?? 6,
                                   jobs: request.jobs ?? ProcessInfo.processInfo.activeProcessorCount)
        var warnings = resolved.warnings
        warnings += exclusion.unmatched.map { "--exclude \($0) matches no distribution that was resolved." }
        warnings += prepared.warnings
        let written = try ZipWriter.write(prepared.plan, prefix: prepared.prefix, to: request.output,
                                          policy: policy, permissions: prepared.permissions)
        if !prepared.budgetParts.isEmpty {  // the 50 MB direct-upload warning needs the zipped size
            warnings += LambdaBudget.evaluate(
                parts: prepared.budgetParts, zippedBytes: Int(written.byteCount), enforceUnzippedLimit: false
            ).warnings.filter { !prepared.warnings.contains($0) }
        }
        let elapsed = ContinuousClock.now - started
        return BuildSummary(
            output: request.output, layout: request.layout, target: target.name, bytes: written.byteCount,
            unzippedBytes: prepared.unzippedBytes, entries: written.entryCount, handler: prepared.handler,
            entryPoint: prepared.entryPoint,
            distributions: kept.map { .init(name: "\($0.name)", version: "\($0.version)", wheel: "\($0.wheel)") },
            excluded: exclusion.dropped.map(\.description), warnings: warnings,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
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
