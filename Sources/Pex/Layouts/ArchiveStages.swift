import Foundation
import Installer
import Resolver
import ZipArchive

/// The stages every layout shares, run once over whatever a layout laid out: `--compile` bytecode, the
/// Lambda size budget, and the native-code check. They run before a byte is written, so a build that
/// fails them leaves no output.
public enum ArchiveStages {
    /// What the stages do; each one can be turned off by the user.
    public struct Options: Sendable {
        /// Adds bytecode next to every `.py` when set (`--compile`).
        public var compiler: BytecodeCompiler?
        /// Lambda's unzipped limit is an error (a warning when false: `--no-size-check`).
        public var enforceSizeLimit: Bool
        /// Checks every ELF file against the target's machine and glibc (`--no-native-check` turns it off).
        public var nativeCheck: Bool
        /// The layers a function zip or layer will be used with (`--with-layer`): they count against the
        /// size budget, are checked for modules hidden on `sys.path`, and go through the native check.
        public var layers: [FunctionLayer] = []

        public init(compiler: BytecodeCompiler? = nil, enforceSizeLimit: Bool = true, nativeCheck: Bool = true) {
            self.compiler = compiler
            self.enforceSizeLimit = enforceSizeLimit
            self.nativeCheck = nativeCheck
        }
    }

    /// Lays `input` out with `layout`, then runs the shared stages.
    public static func prepare(_ input: LayoutInput, layout: some ArchiveLayout, options: Options) throws
        -> PreparedArchive {
        let laidOut = try layout.layOut(input)
        var assembly = laidOut.assembly

        // Each pyc belongs to its source's owner, so the size budget counts it there.
        let bytecode = try options.compiler?.compiledEntries(for: assembly.plan)
        for file in bytecode?.files ?? [] {
            try assembly.add(file.entry, owner: assembly.owner(of: file.source) ?? file.source)
        }

        let sizes = try assembly.unzippedBytesByOwner()
        var warnings = bytecode?.warnings ?? []
        var budgetParts: [LambdaBudget.Part] = []
        if laidOut.countsAgainstLambdaQuotas {
            budgetParts = sizes.map { LambdaBudget.Part(name: $0.key, unzippedBytes: Int($0.value)) }
            let budget = LambdaBudget.checkUnzipped(parts: budgetParts, layers: options.layers.map(\.budgetPart),
                                                    enforce: options.enforceSizeLimit)
            if let error = budget.error { throw error }
            warnings = budget.warnings + warnings
            let buildingLayer = (layout as? LambdaLayout)?.layout == .layer
            warnings += ModuleShadowing.warnings(
                own: assembly.owners, ownRoot: buildingLayer ? LambdaLayout.prefix(for: .layer) : "",
                buildingLayer: buildingLayer, layers: options.layers,
                pythonVersion: "\(input.target.pythonVersion.major).\(input.target.pythonVersion.minor)")
        }

        if options.nativeCheck {
            try checkNativeCode(assembly.plan, layers: options.layers, target: input.target, recorded: Dictionary(
                input.distributions.map { ($0.plan.wheelPath, $0.plan.nativeFacts) }, uniquingKeysWith: { first, _ in first }))
        }
        return PreparedArchive(
            plan: assembly.plan, prefix: laidOut.prefix, permissions: laidOut.permissions, handler: laidOut.handler,
            entryPoint: laidOut.entryPoint, unzippedBytes: sizes.values.reduce(0, +), budgetParts: budgetParts,
            warnings: warnings + layout.warnings(for: assembly.plan, target: input.target))
    }

    /// Every shared object and executable file is checked if it is ELF: machine and newest `GLIBC_x.y`
    /// against the target. Wheel entries are judged by the facts recorded when their wheel was verified
    /// (`recorded`: wheel path → entry name → facts; an entry without facts is not ELF), so nothing of a
    /// wheel is inflated here; other files (user sources, generated files) are read. Targets without glibc
    /// (macOS, musl) are not checked.
    static func checkNativeCode(_ plan: ArchivePlan, layers: [FunctionLayer] = [], target: TargetPlatform,
                                recorded: [String: [String: NativeFacts]] = [:]) throws {
        guard let glibc = target.glibc, let machine = ELFMachine(platformMachine: target.machine) else { return }
        let check = NativeCheck(target: NativeTarget(
            machine: machine, glibc: GlibcVersion(glibc.major, glibc.minor), name: target.name))
        // Violations are reported in archive order; only the candidates are sorted, not the whole plan.
        let candidates = plan.unorderedEntries.filter(NativeCheck.isCandidate)
            .sorted { ArchivePlan.precedes($0.path, $1.path) } + layers.flatMap(\.nativeCandidates)
        // A large library is inflated up to its far tables (hundreds of MB for CUDA libraries): one
        // library per core, results in plan order.
        var violations: [NativeViolation] = []
        try OrderedPipeline.run(
            count: candidates.count, workers: ProcessInfo.processInfo.activeProcessorCount,
            maxCostInFlight: candidates.count, maxItemsInFlight: 64, cost: { _ in 1 },
            readyOutput: { index -> [NativeViolation]? in
                let entry = candidates[index]
                guard case let .rawCopy(archive, source) = entry.content, let facts = recorded[archive] else { return nil }
                return facts[source.name].map { check.violations(path: entry.path, facts: $0) } ?? []
            },
            makeWorker: {},
            prepare: { _, index in try check.violations(of: candidates[index]) },
            consume: { _, found in violations += found })
        if !violations.isEmpty { throw LayoutError.nativeCode(violations.map(\.description)) }
    }
}
