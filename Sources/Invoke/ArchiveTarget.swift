import Foundation
import Pex
import ZipArchive

/// What an archive needs from the interpreter that runs it, read from what it ships: the tags in each
/// `.dist-info/WHEEL` ([PEP 425](https://peps.python.org/pep-0425/)), the names of extension modules
/// (`mod.cpython-311-x86_64-linux-gnu.so`, [PEP 3149](https://peps.python.org/pep-3149/)) and a PEX's
/// `#!/usr/bin/env pythonX.Y` shebang. Pure-Python archives need nothing in particular.
public struct ArchiveTarget: Sendable {
    /// One thing the archive needs, with the entry that says so.
    public struct Need: Sendable, Equatable {
        /// The values that satisfy it (any one will do): `3.11`, `x86_64`, `glibc`.
        public var accepted: Set<String>
        /// The entry or part of the archive that needs it, for messages.
        public var source: String
    }

    /// CPython `X.Y` versions.
    public var pythonVersions: [Need] = []
    /// `platform.machine()` values (`x86_64`, `aarch64`).
    public var machines: [Need] = []
    /// Operating system and C library: `linux-glibc`, `linux-musl`, `macos`, `windows`.
    public var systems: [Need] = []
    /// The newest glibc any manylinux wheel needs at least, with that wheel.
    public var glibc: (version: (major: Int, minor: Int), source: String)?
    /// For a PEX: the entry point in PEX-INFO (`module:function` or `module`).
    public var pexEntryPoint: String?
    public var isPex = false
    /// Whether `lambda_function.py` (pexify's handler shim, Lambda's default module) is at the root.
    public var hasLambdaFunctionModule = false

    public init() {}

    /// Reads the archive at `path` (function zip, layer or PEX) with the strict reader.
    public init(path: String) throws {
        let reader = try ZipReader(path: path)
        let label = (path as NSString).lastPathComponent
        for entry in reader.entries where !entry.isDirectory {
            if entry.name.hasSuffix(".dist-info/WHEEL") {
                let text = String(decoding: try reader.contents(of: entry), as: UTF8.self)
                let tags = text.split(whereSeparator: \.isNewline).compactMap { line -> String? in
                    guard line.lowercased().hasPrefix("tag:") else { return nil }
                    return line.dropFirst(4).trimmingCharacters(in: .whitespaces)
                }
                addWheelTags(tags, source: "\(label): \(entry.name) (\(tags.joined(separator: ", ")))")
            } else if let leaf = entry.name.split(separator: "/").last, leaf.hasSuffix(".so") {
                addExtensionModule(String(leaf), source: "\(label): \(entry.name)")
            }
        }
        hasLambdaFunctionModule = reader.entry(named: "lambda_function.py") != nil
        if let info = reader.entry(named: "PEX-INFO") {
            isPex = true
            pexEntryPoint = try PexInfo(json: reader.contents(of: info)).entryPoint
            if let version = try Self.shebangVersion(path: path, prefixSize: reader.concatenatedPrefixSize) {
                pythonVersions.append(Need(accepted: [version], source: "\(label): the shebang (python\(version))"))
            }
        }
    }

    /// Adds what another archive (a layer) needs.
    public mutating func merge(_ other: ArchiveTarget) {
        pythonVersions += other.pythonVersions
        machines += other.machines
        systems += other.systems
        if let theirs = other.glibc, glibc.map({ theirs.version > $0.version }) ?? true { glibc = theirs }
    }

    /// The Python versions every need accepts (nil when nothing constrains it).
    public var pythonVersion: Set<String>? {
        pythonVersions.reduce(nil as Set<String>?) { partial, need in partial.map { $0.intersection(need.accepted) } ?? need.accepted }
    }

    /// One wheel's tags: it runs where any one of them applies.
    mutating func addWheelTags(_ tags: [String], source: String) {
        var versions: Set<String>? = [], machines: Set<String>? = [], systems: Set<String>? = []
        var oldestGlibc: (major: Int, minor: Int)?
        for tag in tags {
            let parts = tag.split(separator: "-").map(String.init)
            guard parts.count == 3 else { continue }
            for abi in parts[1].split(separator: ".") {
                if abi.hasPrefix("cp"), let version = Self.cpythonVersion(String(abi)) {
                    versions?.insert(version)
                } else {
                    versions = nil   // none or abi3: any version (abi3's minimum is left to the import)
                }
            }
            for platform in parts[2].split(separator: ".").map(String.init) {
                guard let parsed = Self.platformTag(platform) else {
                    machines = nil
                    systems = nil
                    continue
                }
                machines?.insert(parsed.machine)
                systems?.insert(parsed.system)
                if let glibc = parsed.glibc, oldestGlibc.map({ glibc < $0 }) ?? true { oldestGlibc = glibc }
            }
        }
        if let versions, !versions.isEmpty { pythonVersions.append(Need(accepted: versions, source: source)) }
        if let machines, !machines.isEmpty { self.machines.append(Need(accepted: machines, source: source)) }
        if let systems, !systems.isEmpty { self.systems.append(Need(accepted: systems, source: source)) }
        if let oldestGlibc, glibc.map({ oldestGlibc > $0.version }) ?? true { glibc = (oldestGlibc, source) }
    }

    /// `mod.cpython-311-x86_64-linux-gnu.so`, `mod.cpython-312-darwin.so`; `mod.abi3.so` and `mod.so` say nothing.
    mutating func addExtensionModule(_ leaf: String, source: String) {
        let parts = leaf.split(separator: ".")
        guard parts.count >= 3, parts[parts.count - 2].hasPrefix("cpython-") else { return }
        let fields = parts[parts.count - 2].split(separator: "-").map(String.init)   // cpython, 311, x86_64, linux, gnu
        guard fields.count >= 2, let version = Self.cpythonVersion("cp" + fields[1]) else { return }
        pythonVersions.append(Need(accepted: [version], source: source))
        if fields.count >= 5, fields[3] == "linux" {
            machines.append(Need(accepted: [fields[2]], source: source))
            systems.append(Need(accepted: [fields[4].hasPrefix("musl") ? "linux-musl" : "linux-glibc"], source: source))
        } else if fields.count == 3, fields[2] == "darwin" {
            systems.append(Need(accepted: ["macos"], source: source))
        }
    }

    /// `cp311` → `3.11` (also `cp311d`, `cp313t`).
    static func cpythonVersion(_ tag: String) -> String? {
        let digits = tag.dropFirst(2).prefix(while: \.isNumber)
        guard digits.count >= 2, let major = digits.first else { return nil }
        return "\(major).\(digits.dropFirst())"
    }

    /// A platform tag's machine, system and (manylinux) glibc; nil for `any`.
    static func platformTag(_ tag: String) -> (machine: String, system: String, glibc: (major: Int, minor: Int)?)? {
        guard tag != "any" else { return nil }
        for (prefix, minor) in [("manylinux1_", 5), ("manylinux2010_", 12), ("manylinux2014_", 17)] where tag.hasPrefix(prefix) {
            return (String(tag.dropFirst(prefix.count)), "linux-glibc", (2, minor))
        }
        for (prefix, system) in [("manylinux_", "linux-glibc"), ("musllinux_", "linux-musl")] where tag.hasPrefix(prefix) {
            let fields = tag.dropFirst(prefix.count).split(separator: "_", maxSplits: 2).map(String.init)
            guard fields.count == 3, let major = Int(fields[0]), let minor = Int(fields[1]) else { break }
            return (fields[2], system, system == "linux-glibc" ? (major, minor) : nil)
        }
        if tag.hasPrefix("linux_") { return (String(tag.dropFirst("linux_".count)), "linux-glibc", nil) }
        if tag.hasPrefix("macosx_") { return (String(tag.split(separator: "_").dropFirst(3).joined(separator: "_")), "macos", nil) }
        if tag.hasPrefix("win") { return (tag, "windows", nil) }
        return (tag, tag, nil)
    }

    /// `X.Y` from a PEX's first line `#!/usr/bin/env pythonX.Y` (nil for another shebang).
    static func shebangVersion(path: String, prefixSize: UInt64) throws -> String? {
        guard prefixSize > 2, let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let prefix = String(decoding: try handle.read(upToCount: Int(min(prefixSize, 512))) ?? Data(), as: UTF8.self)
        guard prefix.hasPrefix("#!"), let line = prefix.split(separator: "\n").first,
              let word = line.split(separator: " ").last.map({ $0.split(separator: "/").last ?? $0 }),
              word.hasPrefix("python") else { return nil }
        let version = word.dropFirst("python".count)
        let numbers = version.split(separator: ".")
        guard numbers.count == 2, numbers.allSatisfy({ Int($0) != nil }) else { return nil }
        return String(version)
    }
}
