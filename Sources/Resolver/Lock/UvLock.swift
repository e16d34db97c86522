import Foundation
import TOMLKit

/// uv's lock (`uv.lock`): one universal resolution whose forks (`resolution-markers`) may pin several
/// versions of a package. The packages for a target are found as `uv export` finds them: walking from
/// the root project's dependencies (and the requested extras and groups), keeping each edge whose
/// marker holds for the target. Workspace members are the user's own projects: their dependencies are
/// installed, the members themselves are not (their code comes with `-D`).
public enum UvLock {
    public static func read(path: String, target: TargetPlatform, selection: LockSelection = .init()) throws
        -> LockedSet {
        let document = try LockFile.toml(path: path)
        guard let version = document["version"]?.int, version == 1 else {
            throw LockError.invalid(path: path, entry: "version", reason: "only version 1 of uv's lock format is supported")
        }
        let environment = target.markerEnvironment
        if let requiresPython = document["requires-python"]?.string {
            guard let specifiers = try? VersionSpecifiers(requiresPython) else {
                throw LockError.invalid(path: path, entry: "requires-python", reason: "\"\(requiresPython)\" is not a specifier")
            }
            if !target.satisfies(requiresPython: specifiers) {
                throw LockError.pythonNotAllowed(path: path, requiresPython: requiresPython, target: target.name)
            }
        }
        if let supported = document["supported-markers"]?.array?.compactMap(\.string), !supported.isEmpty {
            let matches = try supported.contains {
                try LockFile.marker($0, path: path, entry: "supported-markers").evaluate(environment)
            }
            if !matches { throw LockError.wrongTarget(path: path, environments: supported, target: target.name) }
        }
        guard let array = document["package"]?.array else {
            throw LockError.invalid(path: path, entry: "package", reason: "the array of tables is missing")
        }
        let packages = try array.enumerated().map { position, item in
            guard let table = item.table, let name = table["name"]?.string.flatMap({ try? PackageName($0) }) else {
                throw LockError.invalid(path: path, entry: "package[\(position)]", reason: "a valid name is required")
            }
            return (name: name, table: table, entry: "[[package]] \(name) \(table["version"]?.string ?? "")")
        }
        /// The path of a workspace member's source (editable or virtual), nil for anything installable.
        func memberPath(_ table: TOMLTable) -> String? {
            let source = table["source"]?.table
            return (source?["editable"] ?? source?["virtual"])?.string
        }
        // The project at the lock's root; a workspace whose root is no project walks from every member
        // (`uv export --all-packages`).
        let roots = packages.indices.first { memberPath(packages[$0].table) == "." }.map { [$0] }
            ?? packages.indices.filter { memberPath(packages[$0].table) != nil }
        guard !roots.isEmpty else {
            throw LockError.invalid(path: path, entry: "package", reason: "no package is a project of the workspace")
        }
        let keys = { (key: String) in
            Set(roots.flatMap { packages[$0].table[key]?.table?.keys ?? [] }.map(canonicalizeLeniently))
        }
        try LockFile.check(selection, extras: keys("optional-dependencies"), groups: keys("dev-dependencies"), path: path)

        /// The package a dependency entry points at: by name, then version, then source.
        func resolve(_ dependency: TOMLTable, from entry: String) throws -> Int {
            guard let rawName = dependency["name"]?.string, let name = try? PackageName(rawName) else {
                throw LockError.invalid(path: path, entry: entry, reason: "a dependency has no valid name")
            }
            var candidates = packages.indices.filter { packages[$0].name == name }
            if candidates.count > 1, let version = dependency["version"]?.string {
                candidates = candidates.filter { packages[$0].table["version"]?.string == version }
            }
            if candidates.count > 1, let source = dependency["source"]?.table {
                candidates = candidates.filter { packages[$0].table["source"]?.table == source }
            }
            guard candidates.count == 1 else {
                throw LockError.invalid(path: path, entry: entry, reason: candidates.isEmpty
                    ? "the dependency \(rawName) is not in the lock" : "the dependency \(rawName) is ambiguous")
            }
            return candidates[0]
        }
        // The walk: (package, extra or "" for its base dependencies) pairs, each visited once.
        var visited: Set<String> = []
        var queue: [(Int, String)] = roots.flatMap { root in
            [(root, "")] + selection.extras.sorted().map { (root, "extra:" + $0.rawValue) }
                + selection.groups.sorted().map { (root, "group:" + canonicalizeLeniently($0)) }
        }
        var selected: [Int: Set<PackageName>] = [:]
        while let (index, part) = queue.popLast() {
            guard visited.insert("\(index) \(part)").inserted else { continue }
            let table = packages[index].table
            let edges: TOMLArray?
            if part.hasPrefix("extra:") {
                edges = table["optional-dependencies"]?.table?.first { canonicalizeLeniently($0.0) == part.dropFirst(6) }?
                    .1.array
            } else if part.hasPrefix("group:") {
                edges = table["dev-dependencies"]?.table?.first { canonicalizeLeniently($0.0) == part.dropFirst(6) }?
                    .1.array
            } else {
                edges = table["dependencies"]?.array
            }
            if selected[index] == nil { selected[index] = [] }
            for edge in edges ?? [] {
                guard let dependency = edge.table else { continue }
                if let marker = dependency["marker"]?.string {
                    let expression = try LockFile.marker(marker, path: path, entry: packages[index].entry)
                    guard expression.evaluate(environment, extras: selection.extras,
                                              dependencyGroups: selection.groups) else { continue }
                }
                let next = try resolve(dependency, from: packages[index].entry)
                selected[index]!.insert(packages[next].name)
                queue.append((next, ""))
                for extra in dependency["extra"]?.array?.compactMap(\.string) ?? [] {
                    queue.append((next, "extra:" + canonicalizeLeniently(extra)))
                }
            }
        }
        var warnings: [String] = []
        var locked: [LockedPackage] = []
        for (index, dependencies) in selected.sorted(by: { $0.key < $1.key }) {
            let (name, table, entry) = packages[index]
            if memberPath(table) != nil {
                if !roots.contains(index) {
                    warnings.append("\(name) is a project of this workspace, so the lock does not pin it; add its "
                        + "code with -D.")
                }
                continue
            }
            locked.append(try package(name: name, table: table, entry: entry, dependencies: dependencies, path: path))
        }
        return LockedSet(packages: locked.sorted { $0.name < $1.name }, warnings: warnings)
    }

    /// One registry, URL or local-wheel package: its wheels (and sdist, never installed) with hashes.
    private static func package(name: PackageName, table: TOMLTable, entry: String, dependencies: Set<PackageName>,
                                path: String) throws -> LockedPackage {
        let source = table["source"]?.table
        for kind in ["git", "directory"] where source?[kind] != nil {
            throw LockError.needsBuild(path: path, entry: entry, kind: kind == "git" ? "a vcs source" : "a directory source")
        }
        guard let rawVersion = table["version"]?.string, let version = Version(rawVersion) else {
            throw LockError.invalid(path: path, entry: entry, reason: "a valid version is required")
        }
        let registry = source?["registry"]?.string
        let base = registry.map { $0.contains("://") ? nil : LockFile.absolute($0, lockPath: path) } ?? nil
        var files: [LockedFile] = []
        for wheel in table["wheels"]?.array?.compactMap(\.table) ?? [] {
            guard let hash = wheel["hash"]?.string, let sha256 = LockFile.sha256(hash) else {
                throw LockError.invalid(path: path, entry: entry, reason: "a wheel has no sha256 hash")
            }
            var localPath = wheel["path"]?.string.map { file in
                base.map { $0 + "/" + file } ?? LockFile.absolute(file, lockPath: path)
            }
            if localPath == nil, wheel["url"] == nil, let file = source?["path"]?.string {
                localPath = LockFile.absolute(file, lockPath: path)
            }
            files.append(LockedFile(filename: wheel["filename"]?.string, url: wheel["url"]?.string, path: localPath,
                                    size: wheel["size"]?.int, sha256: sha256))
        }
        if files.isEmpty {
            throw LockError.needsBuild(path: path, entry: entry,
                                       kind: table["sdist"] != nil ? "a source distribution" : "no wheel")
        }
        return LockedPackage(name: name, version: version, files: files, dependencies: dependencies.sorted(),
                             index: registry.flatMap { $0.contains("://") ? $0 : nil })
    }
}
