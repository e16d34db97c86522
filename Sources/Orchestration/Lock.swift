import Basics
import Foundation
import Resolver

/// What `pexify lock` wrote.
public struct LockSummary: Sendable, Codable, Equatable, MachineReadable {
    public var output: String
    /// The targets' names, comma-separated.
    public var target: String
    public var distributions: [BuildSummary.Distribution]
    /// Wheels locked by the sha256 the index (or the lock read) gave, without fetching them.
    public var wheelsLockedByIndexHashes: Int
    /// Wheels hashed from their bytes: downloaded (or found in the cache) for want of a hash, or local.
    public var wheelsHashedFromFiles: Int
    public var warnings: [String]
    public var seconds: Double

    public func text() -> String {
        var lines = ["Locked \(distributions.count) distributions for \(target) in \(output)"]
        lines += distributions.map { "  \($0.name) \($0.version) (\($0.wheel))" }
        lines.append("Hashes: \(wheelsLockedByIndexHashes) from the index, \(wheelsHashedFromFiles) from fetched files")
        lines.append("Time: \(String(format: "%.2f", seconds)) s")
        return lines.joined(separator: "\n") + "\n"
    }
}

extension Build {
    /// `pexify lock`: resolves `inputs` for each target and writes one PEP 751 `pylock.toml` to `output`
    /// (atomically: a temp file renamed into place) that serves them all.
    public static func lock(_ inputs: RequirementInputs, targets: [TargetSpecification], index: IndexOptions,
                            output: String, progress: @Sendable (String) -> Void = { _ in },
                            meter: TransferMeter = TransferMeter()) async throws
        -> LockSummary {
        let started = ContinuousClock.now
        var resolutions: [Resolution] = []
        var warnings: [String] = []
        for target in targets {
            let platform = try platform(for: target)
            let marker = PyLock.environmentMarker(platform.markerEnvironment)
            if let other = resolutions.first(where: { PyLock.environmentMarker($0.target.markerEnvironment) == marker }) {
                throw BuildError.indistinctTargets(first: other.target.name, second: platform.name, marker: marker)
            }
            progress("Resolving for \(platform.name)")
            let set = try await Installation.resolve(inputs, target: platform, index: index, meter: meter, forLock: true)
            guard let resolution = set.resolution else { throw BuildError.nothingToLock }
            let built = resolution.distributions.filter { $0.sourceDistribution != nil }.map(\.name.rawValue)
            guard built.isEmpty else { throw BuildError.cannotLockBuilt(built.sorted()) }
            resolutions.append(resolution)
            warnings += set.warnings
        }
        let text = PyLock.render(resolutions, relativeTo: URL(fileURLWithPath: output).deletingLastPathComponent().path)
        try AtomicFile.write(Array(text.utf8), to: output)
        let elapsed = ContinuousClock.now - started
        var seen: Set<String> = []
        let distributions = resolutions.flatMap(\.distributions).sorted { ($0.name, $0.version) < ($1.name, $1.version) }
            .filter { seen.insert("\($0.name) \($0.version) \($0.wheel)").inserted }
        return LockSummary(
            output: output, target: resolutions.map(\.target.name).joined(separator: ", "),
            distributions: distributions.map { .init(name: "\($0.name)", version: "\($0.version)", wheel: "\($0.wheel)") },
            wheelsLockedByIndexHashes: distributions.count { $0.path == nil },
            wheelsHashedFromFiles: distributions.count { $0.path != nil }, warnings: warnings,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
