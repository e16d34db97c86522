import Basics
import Foundation
import Installer
import Resolver
import ZipArchive

/// A distribution as it goes into a PEX: its installed files, stored under `.deps/<wheel file name>/`.
public struct PexDistribution: Sendable {
    /// The wheel's file name: the directory under `.deps/` and the key in PEX-INFO `distributions`.
    public var wheelFilename: String
    /// SHA-256 (hex) of the wheel file, as verified when it entered the cache: the distribution's
    /// fingerprint, which keys the runtime's caches.
    public var sha256: String
    /// The installed files, with paths relative to the installation root (`pkg/mod.py`,
    /// `dist-1.0.dist-info/RECORD`).
    public var entries: [ArchiveEntry]
    /// Console script name → `module:function`, from `entry_points.txt`.
    public var consoleScripts: [String: String]
    /// Unpack into PEX_ROOT at run time instead of importing from the zip: native code, or code that
    /// needs its files on disk.
    public var extract: Bool

    public init(wheelFilename: String, sha256: String, entries: [ArchiveEntry],
                consoleScripts: [String: String] = [:], extract: Bool) {
        self.wheelFilename = wheelFilename
        self.sha256 = sha256
        self.entries = entries
        self.consoleScripts = consoleScripts
        self.extract = extract
    }
}

/// What the PEX runs and how it treats its host.
public struct PexOptions: Sendable {
    /// `-e MODULE[:FUNCTION]`.
    public var entryPoint: String?
    /// `-c NAME`: a console script of one of the distributions, resolved now into the entry point.
    public var consoleScript: String?
    /// The requirement strings the PEX was built from (recorded in PEX-INFO).
    public var requirements: [String]
    public var inheritPath: PexInfo.InheritPath
    /// The target's CPython `major.minor`, e.g. `3.11`: picks the shebang and the zip64 check.
    public var pythonVersion: String
    /// `--python-shebang`: the interpreter line, with or without `#!`; default `/usr/bin/env pythonX.Y`.
    public var shebang: String?

    public init(entryPoint: String? = nil, consoleScript: String? = nil, requirements: [String] = [],
                inheritPath: PexInfo.InheritPath = .fallback, pythonVersion: String, shebang: String? = nil) {
        self.entryPoint = entryPoint
        self.consoleScript = consoleScript
        self.requirements = requirements
        self.inheritPath = inheritPath
        self.pythonVersion = pythonVersion
        self.shebang = shebang
    }
}

/// A PEX ready to be written: its entries with their owners, its PEX-INFO and the shebang line before
/// the zip.
public struct PexArchive: Sendable {
    public var assembly: ArchiveAssembly
    public var plan: ArchivePlan { assembly.plan }
    public var info: PexInfo
    /// The shebang line including its newline; the zip follows it with absolute offsets.
    public var prefix: [UInt8]

    /// Writes the PEX to `path` as an executable file (atomically, see `ZipWriter.write`).
    @discardableResult
    public func write(to path: String, policy: ArchivePolicy = .default) throws -> ZipWriteResult {
        try ZipWriter.write(plan, prefix: prefix, to: path, policy: policy, permissions: 0o755)
    }
}

/// The runnable PEX zipapp layout (docs/formats/pex.md): shebang, then a zip holding `__main__.py`,
/// `PEX-INFO`, `.deps/<wheel>/` installed distributions (raw-copied from the wheels), the user code at
/// the root, `__pex__/__init__.py` and the runtime under `.bootstrap/`.
public enum PexLayout {
    /// Where installed distributions go.
    public static let dependenciesDirectory = ".deps/"

    /// Paths the layout owns at the root; user code may not provide them.
    static let reservedPaths: Set<String> = ["PEX-INFO", "__main__.py"]
    static let reservedDirectories = ["__pex__/", ".bootstrap/", ".deps/"]

    /// Lays out a PEX.
    /// - Parameters:
    ///   - distributions: the installed distributions.
    ///   - sources: the user code, with archive paths relative to the root (`app/main.py`).
    /// - Throws: `PexError` for an invalid entry point, an unknown or ambiguous console script, both an
    ///   entry point and a console script, or user code at a reserved path; `ZipError` for invalid paths.
    public static func assemble(distributions: [PexDistribution], sources: [ArchiveEntry],
                                options: PexOptions) throws -> PexArchive {
        var assembly = ArchiveAssembly()
        for entry in sources {
            if reservedPaths.contains(entry.path) || reservedDirectories.contains(where: entry.path.hasPrefix) {
                throw PexError.reservedPath(entry.path)
            }
            // A file on disk names itself, so a clash between two -D directories names both files.
            let owner = if case let .file(path) = entry.content { "the sources file '\(path)'" } else { "your sources" }
            try assembly.add(entry, owner: owner)
        }
        for distribution in distributions {
            let owner = distribution.wheelFilename
            let chroot = dependenciesDirectory + distribution.wheelFilename + "/"
            try assembly.add(distribution.entries.map { entry in
                var entry = entry
                entry.path = chroot + entry.path
                return entry
            }, owner: owner)
        }
        try assembly.add(PexBootstrap.entries, owner: "the PEX runtime")
        let info = PexInfo(
            entryPoint: try entryPoint(options, distributions: distributions),
            requirements: options.requirements,
            distributions: Dictionary(distributions.map { ($0.wheelFilename, $0.sha256) }) { first, _ in first },
            extractedDistributions: Set(distributions.filter(\.extract).map(\.wheelFilename)),
            inheritPath: options.inheritPath,
            codeHash: try codeHash(sources),
            bootstrapHash: PexBootstrap.hash)
        try assembly.add(ArchiveEntry(path: "PEX-INFO", content: .bytes(info.json)), owner: "PEX-INFO")
        return PexArchive(assembly: assembly, info: info, prefix: Array((shebang(options) + "\n").utf8))
    }

    /// `#!/usr/bin/env pythonX.Y`, or the given interpreter line.
    static func shebang(_ options: PexOptions) -> String {
        guard let line = options.shebang else { return "#!/usr/bin/env python" + options.pythonVersion }
        return line.hasPrefix("#!") ? line : "#!" + line
    }

    /// The warning the CLI prints when a PEX for CPython below 3.13 needs zip64 records, which zipimport
    /// cannot read before 3.13 (docs/formats/zip-policy.md); `nil` when there is nothing to warn about.
    public static func zip64Warning(_ plan: ArchivePlan, pythonVersion: String) -> String? {
        let parts = pythonVersion.split(separator: ".").compactMap { Int($0) }
        guard parts.count >= 2, (parts[0], parts[1]) < (3, 13), ZipWriter.requiresZip64(plan) else { return nil }
        return "This PEX needs zip64 records (\(plan.count) entries, or data beyond 4 GiB), which the zipimport of "
            + "CPython \(pythonVersion) cannot read (it can from 3.13 on): running it would fail with \"can't find "
            + "'__main__' module\". Target CPython 3.13 or newer, or leave out large distributions."
    }

    /// The entry point to bake into PEX-INFO: `-e` as given (validated), or `-c` resolved against the
    /// distributions' console scripts.
    static func entryPoint(_ options: PexOptions, distributions: [PexDistribution]) throws -> String? {
        if let entryPoint = options.entryPoint {
            if let script = options.consoleScript {
                throw PexError.conflictingEntryPoints(entryPoint: entryPoint, consoleScript: script)
            }
            guard isEntryPoint(entryPoint) else { throw PexError.invalidEntryPoint(entryPoint) }
            return entryPoint
        }
        guard let name = options.consoleScript else { return nil }
        var found: [String: [String]] = [:]
        for distribution in distributions {
            if let value = distribution.consoleScripts[name] {
                found[normalizedEntryPoint(value), default: []].append(distribution.wheelFilename)
            }
        }
        guard let only = found.first, found.count == 1 else {
            if found.isEmpty {
                let available = distributions.flatMap(\.consoleScripts.keys)
                throw PexError.unknownConsoleScript(name: name, available: Array(Set(available)).sorted())
            }
            throw PexError.ambiguousConsoleScript(
                name: name, candidates: found.map { "\($0.key) in \($0.value.sorted().joined(separator: ", "))" }.sorted())
        }
        guard isEntryPoint(only.key) else { throw PexError.invalidEntryPoint(only.key) }
        return only.key
    }

    /// `module : function [extra]` as entry_points.txt allows → `module:function`.
    static func normalizedEntryPoint(_ value: String) -> String {
        let withoutExtras = value.split(separator: "[", maxSplits: 1).first.map(String.init) ?? value
        return withoutExtras.split(separator: ":", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ":")
    }

    /// `dotted.module` or `dotted.module:dotted.attribute`, each part a Python identifier.
    static func isEntryPoint(_ value: String) -> Bool {
        let sides = value.split(separator: ":", omittingEmptySubsequences: false)
        guard sides.count <= 2 else { return false }
        return sides.allSatisfy { side in
            side.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
                guard let first = part.first, first == "_" || first.isLetter else { return false }
                return part.allSatisfy { $0 == "_" || $0.isLetter || $0.isNumber }
            }
        }
    }

    /// PEX-INFO `code_hash`: the identity of the user code (`contentHash` over its files).
    static func codeHash(_ sources: [ArchiveEntry]) throws -> String {
        try contentHash(sources.compactMap { entry -> (path: String, bytes: [UInt8])? in
            entry.isDirectory ? nil : (entry.path, try entry.content.bytes())
        })
    }

    /// SHA-256 over a set of files, independent of their order: for each file sorted by path, its
    /// UTF-8 path, a NUL byte, the hex SHA-256 of its bytes and a newline.
    static func contentHash(_ files: [(path: String, bytes: [UInt8])]) -> String {
        var listing: [UInt8] = []
        for file in files.sorted(by: { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }) {
            listing += Array(file.path.utf8) + [0] + Array(sha256Hex(file.bytes).utf8) + [UInt8(ascii: "\n")]
        }
        return sha256Hex(listing)
    }
}

/// The PEX layout as one of the build's layouts: each distribution installed under `.deps/<wheel>/` by
/// its ``WheelInstallPlan``, the user's sources at the root.
public struct PexArchiveLayout: ArchiveLayout {
    public var entryPoint: String?
    public var consoleScript: String?
    public var shebang: String?

    public init(entryPoint: String? = nil, consoleScript: String? = nil, shebang: String? = nil) {
        self.entryPoint = entryPoint
        self.consoleScript = consoleScript
        self.shebang = shebang
    }

    public func layOut(_ input: LayoutInput) throws -> LaidOutArchive {
        let archive = try PexLayout.assemble(
            distributions: input.distributions.map {
                PexDistribution(wheelFilename: $0.plan.filename.filename, sha256: $0.sha256,
                                entries: $0.plan.entries(under: ""), consoleScripts: $0.plan.consoleScripts,
                                extract: $0.plan.hasNativeCode)
            },
            sources: input.sources.flatMap { $0.entries(under: "") },
            options: PexOptions(entryPoint: entryPoint, consoleScript: consoleScript, requirements: input.requirements,
                                pythonVersion: Self.pythonVersion(input.target), shebang: shebang))
        // The bytecode stage compiles the `.deps/` chroots, the user code and the runtime alike; PEX-INFO's
        // code hash stays the sources'.
        return LaidOutArchive(assembly: archive.assembly, prefix: archive.prefix, permissions: 0o755,
                              entryPoint: archive.info.entryPoint, countsAgainstLambdaQuotas: false)
    }

    public func warnings(for plan: ArchivePlan, target: TargetPlatform) -> [String] {
        PexLayout.zip64Warning(plan, pythonVersion: Self.pythonVersion(target)).map { [$0] } ?? []
    }

    private static func pythonVersion(_ target: TargetPlatform) -> String {
        "\(target.pythonVersion.major).\(target.pythonVersion.minor)"
    }
}
