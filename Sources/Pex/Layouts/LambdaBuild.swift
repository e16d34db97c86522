import Foundation
import Resolver

/// Builds the `zip` and `layer` layouts: assembly, the generated `lambda_function.py`, the handler check,
/// the size budget and the native-code check, all before a byte is written.
enum LambdaBuild {
    static func prepare(_ request: BuildRequest, distributions: [WheelInstallPlan], sources: [SourcesDirectory],
                        target: TargetPlatform, compiler: BytecodeCompiler? = nil) throws -> PreparedArchive {
        let prefix = LambdaLayout.prefix(for: request.layout)
        var assembly = try LambdaLayout.assemble(distributions: distributions, sources: sources, prefix: prefix)

        var handlerString: String?
        if let spec = request.handler {
            let handler = try LambdaHandler(parsing: spec, sourcesDirectories: request.sourcesDirectories)
            try handler.check(archivePaths: Set(assembly.owners.keys), python: target.pythonVersion)
            if handler.needsShim {
                try assembly.add(
                    ArchiveEntry(path: prefix + LambdaHandler.shimPath, content: .bytes(Array(handler.shimSource.utf8))),
                    owner: "the generated \(LambdaHandler.shimPath)")
            }
            handlerString = LambdaHandler.awsHandler
        }

        // Each pyc belongs to its source's owner, so the size budget counts it there.
        let bytecode = try compiler?.compiledEntries(for: assembly.plan)
        for file in bytecode?.files ?? [] {
            try assembly.add(file.entry, owner: assembly.owners[file.source] ?? file.source)
        }

        var sizes: [String: UInt64] = [:]
        for (path, owner) in assembly.owners {
            sizes[owner, default: 0] += try ArchiveAssembly.size(of: assembly.content(at: path))
        }
        let parts = sizes.map { LambdaBudget.Part(name: $0.key, unzippedBytes: Int($0.value)) }
        let budget = LambdaBudget.evaluate(parts: parts, zippedBytes: nil, enforceUnzippedLimit: request.sizeCheck)
        if let error = budget.error { throw error }

        if request.nativeCheck {
            try checkNativeCode(assembly, target: target)
        }
        return PreparedArchive(plan: assembly.plan, handler: handlerString, unzippedBytes: sizes.values.reduce(0, +),
                               budgetParts: parts, warnings: budget.warnings + (bytecode?.warnings ?? []))
    }

    /// Every shared object (`*.so`, `*.so.N`) and every executable file is checked if it is ELF: machine and
    /// newest `GLIBC_x.y` against the target. Targets without glibc (macOS, musl) are not checked.
    static func checkNativeCode(_ assembly: ArchiveAssembly, target: TargetPlatform) throws {
        guard let glibc = target.glibc, let machine = ELFMachine(platformMachine: target.machine) else { return }
        let check = NativeCheck(target: NativeTarget(
            machine: machine, glibc: GlibcVersion(glibc.major, glibc.minor), name: target.name))
        let candidates = assembly.plan.entries.filter {
            !$0.isDirectory && (WheelInstallPlan.isNativeLibrary($0.path) || $0.executable)
        }
        // A large library is inflated up to its far tables (hundreds of MB for CUDA libraries): one
        // library per core, results in plan order.
        var violations: [NativeViolation] = []
        try OrderedPipeline.run(
            count: candidates.count, workers: ProcessInfo.processInfo.activeProcessorCount,
            maxCostInFlight: candidates.count, maxItemsInFlight: 64, cost: { _ in 1 },
            makeWorker: {},
            prepare: { _, index in try nativeViolations(of: candidates[index], check: check) },
            consume: { _, found in violations += found })
        if !violations.isEmpty { throw LayoutError.nativeCode(violations.map(\.description)) }
    }

    /// How much of a wheel entry is inflated first: the ELF header, program headers and version needs that
    /// the check reads sit near the start of a shared object.
    static let elfPrefixBytes = 1 << 20

    /// How much is kept from where the parser first reads past what was inflated (a dynamic segment or a
    /// version table is a few KiB).
    static let elfWindowBytes = 1 << 16

    /// The violations of one file. A wheel entry larger than `prefixBytes` is inflated only that far and
    /// parsed from there; what the parser asks for beyond it (the dynamic segment of a large library
    /// follows its code) is inflated in further streaming passes that keep only those ranges, so even
    /// libtorch is checked in little memory. Smaller entries and files on disk are read whole.
    static func nativeViolations(of entry: ArchiveEntry, check: NativeCheck,
                                 prefixBytes: Int = elfPrefixBytes) throws -> [NativeViolation] {
        guard case let .rawCopy(archive, zipEntry) = entry.content,
              zipEntry.uncompressedSize > UInt64(prefixBytes) else {
            return check.violations(path: entry.path, bytes: try ArchiveAssembly.bytes(of: entry.content))
        }
        let prefix = try ArchiveAssembly.inflated(zipEntry, in: archive, limit: prefixBytes)
        guard ELFInfo.isELF(prefix) else { return [] }
        var pieces: [Range<Int>: [UInt8]] = [0..<prefix.count: prefix]
        for _ in 0..<4 {
            var missing: Set<Range<Int>> = []
            let info = try? ELFInfo(size: Int(zipEntry.uncompressedSize)) { offset, count in
                let wanted = offset..<offset + count
                for (range, bytes) in pieces where range.lowerBound <= wanted.lowerBound
                    && wanted.upperBound <= range.lowerBound + bytes.count {
                    return Array(bytes[(wanted.lowerBound - range.lowerBound)..<(wanted.upperBound - range.lowerBound)])
                }
                // The parser walks a table an entry at a time; a window takes in the rest of it in this pass.
                missing.insert(wanted.lowerBound..<wanted.lowerBound + max(count, Self.elfWindowBytes))
                throw PrefixExhausted()
            }
            if let info, missing.isEmpty { return check.violations(path: entry.path, info: info) }
            if missing.isEmpty { break }
            pieces.merge(try ArchiveAssembly.inflated(zipEntry, in: archive, ranges: missing)) { kept, _ in kept }
        }
        return check.violations(path: entry.path, bytes: try ArchiveAssembly.bytes(of: entry.content))
    }

    private struct PrefixExhausted: Error {}
}
