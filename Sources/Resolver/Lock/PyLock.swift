import Basics
import Foundation
import TOMLKit

/// One wheel pinned by a lock: what to fetch and the hash it must have.
public struct LockedWheel: Sendable, Hashable {
    public var name: PackageName
    public var version: Version
    public var filename: String
    /// Remote location, or `nil` for a local `path`.
    public var url: String?
    /// Absolute local path (resolved against the lock's directory), or `nil`.
    public var path: String?
    public var size: Int?
    public var sha256: String
    public var dependencies: [PackageName]
    public var index: String?
}

/// Problems with a lock file, each naming the file and the entry.
public enum LockError: Error, CustomStringConvertible, Sendable {
    case unreadable(path: String, reason: String)
    case invalid(path: String, entry: String, reason: String)
    case wrongTarget(path: String, environments: [String], target: String)
    case noWheelForTarget(path: String, package: String, files: [String])

    public var description: String {
        switch self {
        case let .unreadable(path, reason): "The lock \(path) cannot be read: \(reason)."
        case let .invalid(path, entry, reason): "The lock \(path) is invalid at \(entry): \(reason)."
        case let .wrongTarget(path, environments, target):
            "The lock \(path) was made for \(environments.joined(separator: " or ")), which does not match the "
                + "target \(target); lock again for this target."
        case let .noWheelForTarget(path, package, files):
            "The lock \(path) lists no wheel of \(package) usable on the target (it has \(files.joined(separator: ", "))); "
                + "lock again for this target."
        }
    }
}

/// PEP 751 lock files (`pylock.toml`): written deterministically from a `Resolution`, read back and
/// fetched without resolving again.
/// https://packaging.python.org/en/latest/specifications/pylock-toml/
public enum PyLock {
    /// The lock text: `lock-version`, `environments` (the target's marker), `requires-python`,
    /// `created-by`, one `[[packages]]` per distribution with its wheel (url or path, size, sha256),
    /// and `[tool.pexify]` naming the target. Same resolution → same bytes.
    /// - Parameter directory: local paths under it are written relative to it (the lock's folder).
    public static func render(_ resolution: Resolution, relativeTo directory: String? = nil) -> String {
        let environment = resolution.target.markerEnvironment
        var out = "lock-version = \"1.0\"\n"
        out += "environments = [\(quote(environmentMarker(environment)))]\n"
        out += "requires-python = \(quote("==" + environment.pythonVersion + ".*"))\n"
        out += "created-by = \"pexify\"\n"
        for distribution in resolution.distributions {
            out += "\n[[packages]]\n"
            out += "name = \(quote(distribution.name.rawValue))\n"
            out += "version = \(quote(distribution.version.description))\n"
            if !distribution.dependencies.isEmpty {
                out += "dependencies = [" + distribution.dependencies.map { "{ name = \(quote($0.rawValue)) }" }
                    .joined(separator: ", ") + "]\n"
            }
            if distribution.source.contains("://") { out += "index = \(quote(Credentials.strip(distribution.source)))\n" }
            out += "\n[[packages.wheels]]\n"
            out += "name = \(quote(distribution.wheel.filename))\n"
            if distribution.url.hasPrefix("file:") {
                out += "path = \(quote(relativePath(distribution.path, to: directory)))\n"
            } else {
                out += "url = \(quote(Credentials.strip(distribution.url)))\n"
            }
            if let size = distribution.size { out += "size = \(size)\n" }
            out += "hashes = { sha256 = \(quote(distribution.sha256)) }\n"
        }
        out += "\n[tool.pexify]\n"
        out += "target = \(quote(resolution.target.name))\n"
        return out
    }

    /// The target's identity as a PEP 508 marker: platform, machine, implementation and Python minor
    /// version (not the patch level, which a runtime such as Lambda updates under a deployed lock).
    static func environmentMarker(_ environment: MarkerEnvironment) -> String {
        "sys_platform == '\(environment.sysPlatform)' and platform_machine == '\(environment.platformMachine)'"
            + " and implementation_name == '\(environment.implementationName)'"
            + " and python_version == '\(environment.pythonVersion)'"
    }

    /// The pinned wheels of a lock, for a target: checks `lock-version` and `environments`, then picks
    /// each package's best wheel for the target from the files the lock lists (never another).
    public static func read(path: String, target: TargetPlatform) throws -> [LockedWheel] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LockError.unreadable(path: path, reason: "the file does not exist or is not readable")
        }
        let document: TOMLTable
        do { document = try TOMLTable(string: String(decoding: data, as: UTF8.self)) } catch {
            throw LockError.unreadable(path: path, reason: "it is not valid TOML (\(error))")
        }
        guard let version = document["lock-version"]?.string else {
            throw LockError.invalid(path: path, entry: "lock-version", reason: "the key is missing")
        }
        guard version.split(separator: ".").first == "1" else {
            throw LockError.invalid(path: path, entry: "lock-version", reason: "version \(version) is not supported (1.x is)")
        }
        if let environments = document["environments"]?.array {
            let markers = environments.compactMap(\.string)
            let matches = try markers.contains { text in
                do { return try MarkerExpression(text).evaluate(target.markerEnvironment) } catch {
                    throw LockError.invalid(path: path, entry: "environments", reason: String(describing: error))
                }
            }
            if !markers.isEmpty, !matches {
                throw LockError.wrongTarget(path: path, environments: markers, target: target.name)
            }
        }
        guard let packages = document["packages"]?.array else {
            throw LockError.invalid(path: path, entry: "packages", reason: "the array of tables is missing")
        }
        let directory = (URL(fileURLWithPath: path).standardizedFileURL.path as NSString).deletingLastPathComponent
        return try packages.enumerated().map { position, item in
            let entry = "packages[\(position)]"
            func fail(_ reason: String, _ key: String = "") -> LockError {
                LockError.invalid(path: path, entry: key.isEmpty ? entry : "\(entry).\(key)", reason: reason)
            }
            guard let table = item.table, let rawName = table["name"]?.string, let rawVersion = table["version"]?.string
            else { throw fail("name and version are required") }
            guard let name = try? PackageName(rawName) else { throw fail("\"\(rawName)\" is not a project name", "name") }
            guard let version = Version(rawVersion) else { throw fail("\"\(rawVersion)\" is not a PEP 440 version", "version") }
            guard let wheels = table["wheels"]?.array, !wheels.isEmpty else {
                throw fail("only wheels can be installed for a foreign target, and this package lists none", "wheels")
            }
            var best: (LockedWheel, Int)?
            var seen: [String] = []
            for (index, wheelItem) in wheels.enumerated() {
                let key = "wheels[\(index)]"
                guard let wheelTable = wheelItem.table else { throw fail("not a table", key) }
                let url = wheelTable["url"]?.string
                let localPath = wheelTable["path"]?.string.map { $0.hasPrefix("/") ? $0 : directory + "/" + $0 }
                let filename = wheelTable["name"]?.string
                    ?? (url ?? localPath)?.split(separator: "/").last.map(String.init)
                guard let filename, let wheel = try? WheelFilename(filename) else {
                    throw fail("the wheel has no valid file name", key)
                }
                guard url != nil || localPath != nil else { throw fail("a wheel needs url or path", key) }
                guard let sha256 = wheelTable["hashes"]?.table?["sha256"]?.string?.lowercased() else {
                    throw fail("a sha256 hash is required", key + ".hashes")
                }
                guard isHexDigest(sha256, algorithm: "sha256") == true else {
                    throw fail("the sha256 hash \"\(sha256)\" is not 64 hex digits", key + ".hashes.sha256")
                }
                seen.append(filename)
                guard case let .compatible(rank) = target.tags.compatibility(of: wheel) else { continue }
                if let current = best, current.1 <= rank { continue }
                let dependencies = (table["dependencies"]?.array ?? []).compactMap { $0.table?["name"]?.string }
                    .compactMap { try? PackageName($0) }
                best = (LockedWheel(name: name, version: version, filename: filename, url: url, path: localPath,
                                    size: wheelTable["size"]?.int, sha256: sha256, dependencies: dependencies,
                                    index: table["index"]?.string), rank)
            }
            guard let (locked, _) = best else {
                throw LockError.noWheelForTarget(path: path, package: rawName, files: seen)
            }
            return locked
        }
    }

    /// Builds a `Resolution` from a lock without resolving: every wheel comes from the cache when its
    /// hash is there, else is downloaded (or read from its local path) and must match the lock's sha256.
    public static func resolution(lockPath: String, target: TargetPlatform, client: IndexClient) async throws
        -> Resolution
    {
        let locked = try read(path: lockPath, target: target)
        let fetched = try await withThrowingTaskGroup(of: (Int, IndexClient.LocalWheel).self) { group in
            for (position, wheel) in locked.enumerated() {
                let location = wheel.url ?? URL(fileURLWithPath: wheel.path!).absoluteString
                let file = ProjectFile(filename: wheel.filename, url: location, hashes: ["sha256": wheel.sha256],
                                       size: wheel.size, source: wheel.index ?? lockPath)
                group.addTask { (position, try await client.wheel(for: file, expectedSHA256: wheel.sha256)) }
            }
            var result: [Int: IndexClient.LocalWheel] = [:]
            for try await (position, local) in group { result[position] = local }
            return result
        }
        let distributions = try locked.enumerated().map { position, wheel in
            let local = fetched[position]!
            return ResolvedDistribution(
                name: wheel.name, version: wheel.version, wheel: try WheelFilename(wheel.filename),
                url: wheel.url ?? URL(fileURLWithPath: wheel.path!).absoluteString, sha256: local.sha256,
                size: wheel.size, path: local.path, dependencies: wheel.dependencies, yanked: nil,
                source: wheel.index ?? lockPath)
        }.sorted { $0.name < $1.name }
        return Resolution(distributions: distributions, target: target, warnings: [])
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
