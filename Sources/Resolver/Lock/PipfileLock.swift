import Foundation

/// Pipenv's lock (`Pipfile.lock`, JSON): every package of a category (`default`; `develop` or another
/// category with `--group`) with its `markers`, exact `version` and `hashes`. The files are named only
/// by hash, so the package's index (`_meta.sources`) says which of its files they are.
public enum PipfileLock {
    public static func read(path: String, target: TargetPlatform, selection: LockSelection = .init()) throws
        -> LockedSet {
        let object = try? JSONSerialization.jsonObject(with: Data(try LockFile.text(path: path).utf8))
        guard let document = object as? [String: Any], let meta = document["_meta"] as? [String: Any] else {
            throw LockError.invalid(path: path, entry: "_meta", reason: "the file is not a Pipfile.lock JSON object")
        }
        let categories = Set(document.keys.filter { $0 != "_meta" })
        try LockFile.check(selection, extras: [], groups: categories, path: path)
        let sources = (meta["sources"] as? [[String: Any]] ?? []).compactMap { source -> (String, String)? in
            guard let name = source["name"] as? String, let url = source["url"] as? String else { return nil }
            return (name, url)
        }
        var warnings: [String] = []
        if let python = (meta["requires"] as? [String: Any])?["python_version"] as? String,
           python != target.markerEnvironment.pythonVersion {
            warnings.append("\(path) was locked for Python \(python), the target \(target.name) has "
                + "\(target.markerEnvironment.pythonVersion); its markers were evaluated for Python \(python).")
        }
        var packages: [PackageName: LockedPackage] = [:]
        for category in ["default"] + selection.groups.sorted().filter({ $0 != "default" }) {
            for (key, value) in (document[category] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
                let entry = "\(category).\(key)"
                guard let table = value as? [String: Any], let name = try? PackageName(key) else {
                    throw LockError.invalid(path: path, entry: entry, reason: "not a package entry")
                }
                if let markers = table["markers"] as? String {
                    guard try LockFile.marker(markers, path: path, entry: entry + ".markers")
                        .evaluate(target.markerEnvironment) else { continue }
                }
                for kind in ["git", "path", "file"] where table[kind] != nil {
                    throw LockError.needsBuild(path: path, entry: entry, kind: kind == "git" ? "a vcs source" : "a local \(kind)")
                }
                let hashes = (table["hashes"] as? [String] ?? []).compactMap(LockFile.sha256)
                // Pipenv resolves for its own Python and platform only: a package whose markers did not
                // hold there is listed unpinned.
                guard let pin = table["version"] as? String, pin.hasPrefix("=="), !hashes.isEmpty else {
                    throw LockError.notCovered(path: path, package: key, target: target.name)
                }
                guard let version = Version(String(pin.dropFirst(2))) else {
                    throw LockError.invalid(path: path, entry: entry + ".version", reason: "\(pin) is not an exact version")
                }
                let index = (table["index"] as? String).flatMap { wanted in sources.first { $0.0 == wanted }?.1 }
                    ?? sources.first?.1
                if let existing = packages[name], existing.version != version {
                    throw LockError.invalid(path: path, entry: entry, reason: "\(key) is pinned to \(existing.version) in another category")
                }
                packages[name] = LockedPackage(name: name, version: version,
                                               files: hashes.map { LockedFile(filename: nil, sha256: $0) },
                                               dependencies: [], index: index)
            }
        }
        return LockedSet(packages: packages.values.sorted { $0.name < $1.name }, warnings: warnings)
    }
}
