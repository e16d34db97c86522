import Foundation
import TOMLKit

/// Poetry's lock (`poetry.lock`, format 2.x), read with the `pyproject.toml` beside it: the root's
/// dependencies (`[project]` or `[tool.poetry]`, the requested extras and groups) are walked through
/// each package's `[package.dependencies]`, keeping the edges whose `markers` and `python` hold for
/// the target. Files are pinned by name and hash; the package's source (or the configured index) says
/// where they are.
public enum PoetryLock {
    /// One edge of the graph: a dependency on `name` with its conditions.
    struct Edge {
        var name: PackageName
        var extras: [String] = []
        var marker: MarkerExpression?
        /// Alternatives (`||`): the target's Python must meet one.
        var python: [VersionSpecifiers]?
    }

    public static func read(path: String, target: TargetPlatform, selection: LockSelection = .init()) throws
        -> LockedSet {
        let document = try LockFile.toml(path: path)
        guard let format = document["metadata"]?.table?["lock-version"]?.string, format.hasPrefix("2.") else {
            throw LockError.invalid(path: path, entry: "metadata.lock-version",
                                    reason: "only format 2.x of Poetry's lock is supported; run `poetry lock` again")
        }
        let projectPath = (path as NSString).deletingLastPathComponent.isEmpty ? "pyproject.toml"
            : (path as NSString).deletingLastPathComponent + "/pyproject.toml"
        let project = try LockFile.toml(path: projectPath)
        let roots = try rootEdges(project, selection: selection, path: projectPath, lockPath: path)
        guard let array = document["package"]?.array else {
            throw LockError.invalid(path: path, entry: "package", reason: "the array of tables is missing")
        }
        var byName: [PackageName: [TOMLTable]] = [:]
        for (position, item) in array.enumerated() {
            guard let table = item.table, let name = table["name"]?.string.flatMap({ try? PackageName($0) }) else {
                throw LockError.invalid(path: path, entry: "package[\(position)]", reason: "a valid name is required")
            }
            byName[name, default: []].append(table)
        }
        let environment = target.markerEnvironment
        func holds(_ edge: Edge, extras: Set<ExtraName> = []) -> Bool {
            (edge.marker?.evaluate(environment, extras: extras) ?? true)
                && (edge.python.map { $0.contains { target.satisfies(requiresPython: $0) } } ?? true)
        }
        /// The lock's entry for `name` on the target (several only where markers split versions).
        func entry(_ name: PackageName) throws -> TOMLTable {
            let candidates = byName[name] ?? []
            if candidates.count == 1 { return candidates[0] }
            // `markers` is one string, or one per dependency group (`{ main = "…", dev = "…" }`).
            let applicable = try candidates.filter { table in
                let markers = table["markers"]?.string.map { [$0] }
                    ?? (table["markers"]?.table.map { Array($0) } ?? []).compactMap { $0.1.string }
                return try markers.contains {
                    try LockFile.marker($0, path: path, entry: "[[package]] \(name)").evaluate(environment)
                }
            }
            guard applicable.count == 1 else {
                throw candidates.isEmpty ? LockError.notCovered(path: path, package: name.rawValue, target: target.name)
                    : LockError.invalid(path: path, entry: "[[package]] \(name)",
                                        reason: "several versions apply to the target \(target.name)")
            }
            return applicable[0]
        }
        var selected: [PackageName: Set<PackageName>] = [:]
        var visited: Set<String> = []
        var queue = roots.filter { holds($0, extras: selection.extras) }.map { ($0.name, $0.extras) }
        while let (name, extras) = queue.popLast() {
            guard visited.insert("\(name) \(extras.sorted())").inserted else { continue }
            let table = try entry(name)
            let label = "[[package]] \(name)"
            let active = Set(extras.compactMap { extra in
                table["extras"]?.table?.first { canonicalizeLeniently($0.0) == canonicalizeLeniently(extra) }?.1.array
            }.flatMap { $0.compactMap(\.string).compactMap(requirementName) })
            let requested = Set(extras.compactMap { try? ExtraName($0) })
            var dependencies = selected[name] ?? []
            for edge in try edges(table["dependencies"]?.table, path: path, entry: label)
            where holds(edge.0, extras: requested) && (!edge.optional || active.contains(edge.0.name)) {
                dependencies.insert(edge.0.name)
                queue.append((edge.0.name, edge.0.extras))
            }
            selected[name] = dependencies
        }
        let packages = try selected.map { name, dependencies in
            try package(try entry(name), name: name, dependencies: dependencies, path: path)
        }
        return LockedSet(packages: packages.sorted { $0.name < $1.name })
    }

    /// The root's dependencies: `[project]` (or `[tool.poetry.dependencies]` when `[project]` has none),
    /// the requested extras, and the requested groups from `[tool.poetry.group]` and `[dependency-groups]`.
    private static func rootEdges(_ project: TOMLTable, selection: LockSelection, path: String, lockPath: String)
        throws -> [Edge] {
        let poetry = project["tool"]?.table?["poetry"]?.table
        let pep621 = project["project"]?.table
        let optional = pep621?["optional-dependencies"]?.table
        let poetryExtras = poetry?["extras"]?.table
        let groupTables = poetry?["group"]?.table
        let pep735 = project["dependency-groups"]?.table
        try LockFile.check(
            selection, extras: Set(((optional?.keys ?? []) + (poetryExtras?.keys ?? [])).map(canonicalizeLeniently)),
            groups: Set(((groupTables?.keys ?? []) + (pep735?.keys ?? [])).map(canonicalizeLeniently)), path: lockPath)
        func requirements(_ value: (any TOMLValueConvertible)?, key: String) throws -> [Edge] {
            try (value?.array ?? []).compactMap(\.string).map { text in
                do {
                    let requirement = try Requirement(text)
                    return Edge(name: requirement.name, extras: requirement.extras.map(\.rawValue), marker: requirement.marker)
                } catch { throw LockError.invalid(path: path, entry: key, reason: String(describing: error)) }
            }
        }
        func named<T>(_ table: TOMLTable?, _ wanted: String, _ body: (String, any TOMLValueConvertible) throws -> T?) rethrows
            -> T? {
            guard let table, let match = table.first(where: { canonicalizeLeniently($0.0) == canonicalizeLeniently(wanted) })
            else { return nil }
            return try body(match.0, match.1)
        }
        var result: [Edge] = []
        let wantedExtras = selection.extras.map(\.rawValue)
        if let dependencies = pep621?["dependencies"] {
            result += try requirements(dependencies, key: "project.dependencies")
        } else {
            let optionalNames = Set(wantedExtras.flatMap { extra in
                named(poetryExtras, extra) { _, value in value.array?.compactMap(\.string).compactMap(requirementName) } ?? []
            })
            result += try edges(poetry?["dependencies"]?.table, path: path, entry: "tool.poetry.dependencies")
                .filter { !$0.optional || optionalNames.contains($0.0.name) }.map { $0.0 }
        }
        for extra in wantedExtras {
            result += try named(optional, extra) { key, value in
                try requirements(value, key: "project.optional-dependencies.\(key)")
            } ?? []
        }
        for group in selection.groups.sorted() {
            result += try named(groupTables, group) { key, value in
                try edges(value.table?["dependencies"]?.table, path: path, entry: "tool.poetry.group.\(key).dependencies").map { $0.0 }
            } ?? []
            result += try named(pep735, group) { key, value in
                try requirements(value, key: "dependency-groups.\(key)")
            } ?? []
        }
        return result
    }

    /// A Poetry dependency table: `name = "constraint"`, `name = { version, markers, python, optional,
    /// extras }` or an array of such tables (one per condition).
    private static func edges(_ table: TOMLTable?, path: String, entry: String) throws -> [(Edge, optional: Bool)] {
        guard let table else { return [] }
        var result: [(Edge, optional: Bool)] = []
        for (key, value) in table where key.lowercased() != "python" {
            guard let name = try? PackageName(key) else {
                throw LockError.invalid(path: path, entry: entry, reason: "\"\(key)\" is not a project name")
            }
            let conditions: [TOMLTable?]
            if let array = value.array {
                conditions = array.compactMap(\.table)
            } else if let table = value.table {
                conditions = [table]
            } else {
                conditions = [nil]  // a plain version constraint
            }
            for condition in conditions {
                var edge = Edge(name: name)
                edge.extras = condition?["extras"]?.array?.compactMap(\.string) ?? []
                if let markers = condition?["markers"]?.string {
                    edge.marker = try LockFile.marker(markers, path: path, entry: "\(entry).\(key)")
                }
                if let python = condition?["python"]?.string {
                    guard let specifiers = pythonSpecifiers(python) else {
                        throw LockError.invalid(path: path, entry: "\(entry).\(key)",
                                                reason: "python = \"\(python)\" is not a version constraint")
                    }
                    edge.python = specifiers
                }
                result.append((edge, condition?["optional"]?.bool ?? false))
            }
        }
        return result
    }

    /// One locked package: its files (by name and hash) and where they are.
    private static func package(_ table: TOMLTable, name: PackageName, dependencies: Set<PackageName>, path: String)
        throws -> LockedPackage {
        let label = "[[package]] \(name)"
        guard let rawVersion = table["version"]?.string, let version = Version(rawVersion) else {
            throw LockError.invalid(path: path, entry: label, reason: "a valid version is required")
        }
        let source = table["source"]?.table
        let kind = source?["type"]?.string ?? "legacy"
        let url = source?["url"]?.string
        switch kind {
        case "git", "directory":
            throw LockError.needsBuild(path: path, entry: "\(label) \(rawVersion)", kind: "a \(kind) source")
        case "file", "url":
            guard let url, url.hasSuffix(".whl") else {
                throw LockError.needsBuild(path: path, entry: "\(label) \(rawVersion)", kind: "a source archive")
            }
            let hash = (table["files"]?.array ?? []).compactMap { $0.table?["hash"]?.string }.compactMap(LockFile.sha256).first
            guard let hash else { throw LockError.invalid(path: path, entry: label, reason: "the file has no sha256 hash") }
            let location = kind == "url" ? LockedFile(filename: nil, url: url, sha256: hash)
                : LockedFile(filename: nil, path: LockFile.absolute(url, lockPath: path), sha256: hash)
            return LockedPackage(name: name, version: version, files: [location], dependencies: dependencies.sorted(),
                                 index: nil)
        default:
            let files = try (table["files"]?.array ?? []).compactMap(\.table).map { file in
                guard let filename = file["file"]?.string, let sha256 = file["hash"]?.string.flatMap(LockFile.sha256) else {
                    throw LockError.invalid(path: path, entry: label, reason: "a file needs a name and a sha256 hash")
                }
                return LockedFile(filename: filename, sha256: sha256)
            }
            guard !files.isEmpty else { throw LockError.invalid(path: path, entry: label, reason: "no files are pinned") }
            return LockedPackage(name: name, version: version, files: files, dependencies: dependencies.sorted(),
                                 index: url)
        }
    }

    /// The project name a requirement string starts with (`"PySocks (>=1.5.6) ; extra == 'x'"` → pysocks).
    static func requirementName(_ text: String) -> PackageName? {
        let name = text.prefix { $0.isLetter || $0.isNumber || "-_.".contains($0) }
        return try? PackageName(String(name))
    }

    /// Poetry's Python constraint syntax (`^3.8`, `~3.9`, `>=3.8,<4`, `3.11`, `*`, `a || b`) as PEP 440
    /// specifiers, one per `||` alternative.
    static func pythonSpecifiers(_ text: String) -> [VersionSpecifiers]? {
        let alternatives = text.components(separatedBy: "||").map(alternative)
        return alternatives.contains { $0 == nil } ? nil : alternatives.compactMap { $0 }
    }

    private static func alternative(_ text: String) -> VersionSpecifiers? {
        var clauses: [String] = []
        for raw in text.split(whereSeparator: { $0 == "," }).map({ $0.filter { !$0.isWhitespace } }) where raw != "*" {
            if raw.hasPrefix("^") || (raw.hasPrefix("~") && !raw.hasPrefix("~=")) {
                let parts = raw.dropFirst().split(separator: ".").compactMap { Int($0) }
                guard !parts.isEmpty else { return nil }
                let upper: String
                if raw.hasPrefix("^") {
                    let position = parts.firstIndex { $0 != 0 } ?? (parts.count - 1)
                    upper = (parts.prefix(position) + [parts[position] + 1]).map(String.init).joined(separator: ".")
                } else {
                    upper = parts.count == 1 ? "\(parts[0] + 1)" : "\(parts[0]).\(parts[1] + 1)"
                }
                clauses += [">=" + raw.dropFirst(), "<" + upper]
            } else if raw.first?.isNumber == true {
                clauses.append("==" + raw + (raw.hasSuffix("*") || raw.split(separator: ".").count > 2 ? "" : ".*"))
            } else {
                clauses.append(raw)
            }
        }
        return try? VersionSpecifiers(clauses.joined(separator: ","))
    }
}
