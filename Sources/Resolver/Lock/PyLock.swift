import Basics
import Foundation
import TOMLKit

/// PEP 751 lock files (`pylock.toml`): written deterministically from a `Resolution`, read back and
/// fetched without resolving again.
/// https://packaging.python.org/en/latest/specifications/pylock-toml/
public enum PyLock {
    /// The lock text: `lock-version`, `environments` (the target's marker), `requires-python`,
    /// `created-by`, one `[[packages]]` per distribution with its wheel (url or path, size, sha256),
    /// and `[tool.pexify]` naming the target. Same resolution → same bytes.
    /// - Parameter directory: local paths under it are written relative to it (the lock's folder).
    public static func render(_ resolution: Resolution, relativeTo directory: String? = nil) -> String {
        render([resolution], relativeTo: directory)
    }

    /// One lock for several targets: `environments` lists every target's marker, a package found for
    /// only some targets carries a `marker` naming them, and a version shared by targets lists each
    /// target's wheel (an installer takes the best for its tags). Targets must differ in their markers.
    public static func render(_ resolutions: [Resolution], relativeTo directory: String? = nil) -> String {
        let markers = resolutions.map { environmentMarker($0.target.markerEnvironment) }
        let pythons = resolutions.map(\.target.pythonVersion)
        let oldest = pythons.min { ($0.major, $0.minor) < ($1.major, $1.minor) }!
        var out = "lock-version = \"1.0\"\n"
        out += "environments = [\(markers.map(quote).joined(separator: ", "))]\n"
        let minors = Set(pythons.map { "\($0.major).\($0.minor)" })
        let requiresPython = minors.count == 1 ? "==\(oldest.major).\(oldest.minor).*" : ">=\(oldest.major).\(oldest.minor)"
        out += "requires-python = \(quote(requiresPython))\n"
        out += "created-by = \"pexify\"\n"
        // One entry per name and version, with the targets (by position) that install it.
        var entries: [String: (distributions: [ResolvedDistribution], targets: [Int])] = [:]
        for (position, resolution) in resolutions.enumerated() {
            for distribution in resolution.distributions {
                entries["\(distribution.name) \(distribution.version)", default: ([], [])].distributions.append(distribution)
                entries["\(distribution.name) \(distribution.version)"]!.targets.append(position)
            }
        }
        let ordered = entries.values.sorted {
            ($0.distributions[0].name, $0.distributions[0].version) < ($1.distributions[0].name, $1.distributions[0].version)
        }
        for (distributions, targets) in ordered {
            let first = distributions[0]
            out += "\n[[packages]]\n"
            out += "name = \(quote(first.name.rawValue))\n"
            out += "version = \(quote(first.version.description))\n"
            if targets.count < resolutions.count {
                out += "marker = \(quote(targets.map { "(\(markers[$0]))" }.joined(separator: " or ")))\n"
            }
            let dependencies = Set(distributions.flatMap(\.dependencies)).sorted()
            if !dependencies.isEmpty {
                out += "dependencies = [" + dependencies.map { "{ name = \(quote($0.rawValue)) }" }
                    .joined(separator: ", ") + "]\n"
            }
            if first.source.contains("://") { out += "index = \(quote(Credentials.strip(first.source)))\n" }
            var written: Set<String> = []
            for distribution in distributions.sorted(by: { $0.wheel.filename < $1.wheel.filename })
            where written.insert(distribution.wheel.filename).inserted {
                out += "\n[[packages.wheels]]\n"
                out += "name = \(quote(distribution.wheel.filename))\n"
                // Where the local wheel lies, from its `file:` URL.
                if distribution.url.hasPrefix("file:"), let local = URL(string: distribution.url)?.path {
                    out += "path = \(quote(relativePath(local, to: directory)))\n"
                } else {
                    out += "url = \(quote(Credentials.strip(distribution.url)))\n"
                }
                if let size = distribution.size { out += "size = \(size)\n" }
                out += "hashes = { sha256 = \(quote(distribution.sha256)) }\n"
            }
        }
        out += "\n[tool.pexify]\n"
        out += resolutions.count == 1 ? "target = \(quote(resolutions[0].target.name))\n"
            : "targets = [\(resolutions.map { quote($0.target.name) }.joined(separator: ", "))]\n"
        return out
    }

    /// The target's identity as a PEP 508 marker: platform, machine, implementation and Python minor
    /// version (not the patch level, which a runtime such as Lambda updates under a deployed lock).
    public static func environmentMarker(_ environment: MarkerEnvironment) -> String {
        "sys_platform == '\(environment.sysPlatform)' and platform_machine == '\(environment.platformMachine)'"
            + " and implementation_name == '\(environment.implementationName)'"
            + " and python_version == '\(environment.pythonVersion)'"
    }

    /// What a PEP 751 lock from any tool installs on `target`: checks `lock-version`, `environments` and
    /// `requires-python`, keeps the packages whose `marker` holds for the target with the requested
    /// extras and dependency groups (the lock's `default-groups` when none is named), and lists each
    /// one's wheels for the fetch to choose among by the target's tag ranking.
    public static func read(path: String, target: TargetPlatform, selection: LockSelection = .init()) throws
        -> LockedSet {
        let document = try LockFile.toml(path: path)
        guard let version = document["lock-version"]?.string else {
            throw LockError.invalid(path: path, entry: "lock-version", reason: "the key is missing")
        }
        guard version.split(separator: ".").first == "1" else {
            throw LockError.invalid(path: path, entry: "lock-version", reason: "version \(version) is not supported (1.x is)")
        }
        let environment = target.markerEnvironment
        if let environments = document["environments"]?.array {
            let markers = environments.compactMap(\.string)
            let matches = try markers.contains {
                try LockFile.marker($0, path: path, entry: "environments").evaluate(environment)
            }
            if !markers.isEmpty, !matches {
                throw LockError.wrongTarget(path: path, environments: markers, target: target.name)
            }
        }
        if let requiresPython = document["requires-python"]?.string {
            try check(requiresPython: requiresPython, target: target, path: path, entry: "requires-python")
        }
        let names = { (key: String) in Set((document[key]?.array ?? []).compactMap(\.string).map(canonicalizeLeniently)) }
        try LockFile.check(selection, extras: names("extras"), groups: names("dependency-groups"), path: path)
        let groups = selection.groups.isEmpty ? names("default-groups") : Set(selection.groups.map(canonicalizeLeniently))
        guard let packages = document["packages"]?.array else {
            throw LockError.invalid(path: path, entry: "packages", reason: "the array of tables is missing")
        }
        var selected: [PackageName: (package: LockedPackage, dependencies: [String], entry: String)] = [:]
        for (position, item) in packages.enumerated() {
            let entry = "packages[\(position)]"
            func fail(_ reason: String, _ key: String = "") -> LockError {
                LockError.invalid(path: path, entry: key.isEmpty ? entry : "\(entry).\(key)", reason: reason)
            }
            guard let table = item.table, let rawName = table["name"]?.string else { throw fail("name is required") }
            guard let name = try? PackageName(rawName) else { throw fail("\"\(rawName)\" is not a project name", "name") }
            if let marker = table["marker"]?.string {
                let expression = try LockFile.marker(marker, path: path, entry: entry + ".marker")
                guard expression.evaluate(environment, extras: selection.extras, dependencyGroups: groups) else { continue }
            }
            for (key, kind) in [("vcs", "a vcs source"), ("directory", "a directory source"), ("archive", "an archive source")]
            where table[key] != nil {
                throw LockError.needsBuild(path: path, entry: "\(entry) (\(rawName))", kind: kind)
            }
            guard let rawVersion = table["version"]?.string else { throw fail("a version is required", "version") }
            guard let version = Version(rawVersion) else { throw fail("\"\(rawVersion)\" is not a PEP 440 version", "version") }
            if let requiresPython = table["requires-python"]?.string {
                try check(requiresPython: requiresPython, target: target, path: path, entry: entry + ".requires-python")
            }
            if let other = selected[name] {
                throw fail("\(rawName) is also selected by \(other.entry) for this target; the lock's markers overlap")
            }
            var files: [LockedFile] = []
            for (index, wheelItem) in (table["wheels"]?.array ?? []).enumerated() {
                let key = "wheels[\(index)]"
                guard let wheel = wheelItem.table else { throw fail("not a table", key) }
                let url = wheel["url"]?.string, localPath = wheel["path"]?.string.map { LockFile.absolute($0, lockPath: path) }
                guard url != nil || localPath != nil else { throw fail("a wheel needs url or path", key) }
                guard let sha256 = wheel["hashes"]?.table?["sha256"]?.string?.lowercased() else {
                    throw fail("a sha256 hash is required", key + ".hashes")
                }
                guard isHexDigest(sha256, algorithm: "sha256") == true else {
                    throw fail("the sha256 hash \"\(sha256)\" is not 64 hex digits", key + ".hashes.sha256")
                }
                let filename = wheel["name"]?.string ?? (url ?? localPath)?.split(separator: "/").last.map(String.init)
                guard let filename, (try? WheelFilename(filename)) != nil else {
                    throw fail("the wheel has no valid file name", key)
                }
                files.append(LockedFile(filename: filename, url: url, path: localPath, size: wheel["size"]?.int,
                                        sha256: sha256))
            }
            if files.isEmpty {
                throw LockError.needsBuild(path: path, entry: "\(entry) (\(rawName) \(rawVersion))",
                                           kind: table["sdist"] != nil ? "a source distribution" : "no wheel")
            }
            let dependencies = (table["dependencies"]?.array ?? []).compactMap { $0.table?["name"]?.string }
            selected[name] = (LockedPackage(name: name, version: version, files: files, dependencies: [],
                                            index: table["index"]?.string), dependencies, entry)
        }
        let result = selected.values.map { item in
            var package = item.package
            package.dependencies = Set(item.dependencies.compactMap { try? PackageName($0) }).filter { selected[$0] != nil }
                .sorted()
            return package
        }.sorted { $0.name < $1.name }
        return LockedSet(packages: result)
    }

    private static func check(requiresPython: String, target: TargetPlatform, path: String, entry: String) throws {
        guard let specifiers = try? VersionSpecifiers(requiresPython) else {
            throw LockError.invalid(path: path, entry: entry, reason: "\"\(requiresPython)\" is not a version specifier")
        }
        if !target.satisfies(requiresPython: specifiers) {
            throw LockError.pythonNotAllowed(path: path, requiresPython: requiresPython, target: target.name)
        }
    }

    /// A TOML basic string.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\u%04X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// `path` relative to `directory` when given (with `..` as needed), else unchanged.
    static func relativePath(_ path: String, to directory: String?) -> String {
        guard let directory else { return path }
        let target = URL(fileURLWithPath: path).standardizedFileURL.pathComponents
        let base = URL(fileURLWithPath: directory).standardizedFileURL.pathComponents
        var common = 0
        while common < min(target.count, base.count), target[common] == base[common] { common += 1 }
        let parts = Array(repeating: "..", count: base.count - common) + target[common...]
        return parts.joined(separator: "/")
    }
}
