import Basics
import Foundation
import TOMLKit

/// The lock formats pexify installs from, recognised by file name and, failing that, by content.
public enum LockFormat: String, Sendable, CaseIterable {
    /// PEP 751, from any tool. https://packaging.python.org/en/latest/specifications/pylock-toml/
    case pylock = "pylock.toml"
    /// uv's own lock. https://docs.astral.sh/uv/concepts/projects/layout/#the-lockfile
    case uv = "uv.lock"
    /// Poetry's lock (format 2.x), read with the `pyproject.toml` beside it.
    case poetry = "poetry.lock"
    /// Pipenv's JSON lock.
    case pipfile = "Pipfile.lock"

    /// The format of the lock at `path`: by its name (`pylock.toml`, `pylock.NAME.toml`, `uv.lock`,
    /// `poetry.lock`, `Pipfile.lock`), else by the keys only that format has.
    public static func detect(path: String) throws -> LockFormat {
        let name = (path as NSString).lastPathComponent
        if name.hasPrefix("pylock.") && name.hasSuffix(".toml") { return .pylock }
        if let format = LockFormat(rawValue: name) { return format }
        let text = try LockFile.text(path: path)
        if text.drop(while: \.isWhitespace).hasPrefix("{") {
            if (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?["_meta"] != nil {
                return .pipfile
            }
            throw LockError.unrecognized(path: path)
        }
        guard let document = try? TOMLText.parse(text) else { throw LockError.unrecognized(path: path) }
        if document["lock-version"] != nil && document["packages"] != nil { return .pylock }
        if document["metadata"]?.table?["content-hash"] != nil { return .poetry }
        if document["version"]?.int != nil && document["package"] != nil { return .uv }
        throw LockError.unrecognized(path: path)
    }

    /// The locks of any format in `directory`, by name, sorted.
    public static func locks(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { name in
            LockFormat(rawValue: name) != nil || (name.hasPrefix("pylock.") && name.hasSuffix(".toml"))
        }.sorted()
    }
}

/// Reading any lock pexify installs from.
public enum LockFile {
    /// What the lock at `path` installs on `target` with the extras and groups of `selection`; nothing
    /// is resolved again, and every package that applies must be pinned with hashes.
    public static func read(path: String, target: TargetPlatform, selection: LockSelection = .init()) throws
        -> LockedSet {
        switch try LockFormat.detect(path: path) {
        case .pylock: try PyLock.read(path: path, target: target, selection: selection)
        case .uv: try UvLock.read(path: path, target: target, selection: selection)
        case .poetry: try PoetryLock.read(path: path, target: target, selection: selection)
        case .pipfile: try PipfileLock.read(path: path, target: target, selection: selection)
        }
    }

    /// Reads the lock and fetches the wheels it pins for `target` (see `LockedSet.resolution`).
    public static func resolution(path: String, target: TargetPlatform, selection: LockSelection = .init(),
                                  purpose: ResolutionPurpose = .install,
                                  client: (String?) throws -> IndexClient) async throws -> Resolution {
        try await read(path: path, target: target, selection: selection)
            .resolution(lockPath: path, target: target, purpose: purpose, client: client)
    }

    static func text(path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LockError.unreadable(path: path, reason: "the file does not exist or is not readable")
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func toml(path: String) throws -> TOMLTable {
        do { return try TOMLText.parse(try text(path: path)) } catch let error as LockError { throw error } catch {
            throw LockError.unreadable(path: path, reason: "it is not valid TOML (\(error))")
        }
    }

    /// `text` parsed as a PEP 508 marker, or an error naming the entry.
    static func marker(_ text: String, path: String, entry: String) throws -> MarkerExpression {
        do { return try MarkerExpression(text) } catch {
            throw LockError.invalid(path: path, entry: entry, reason: String(describing: error))
        }
    }

    /// The hex digest of a `sha256:HEX` hash, or nil for another algorithm.
    /// - Throws: `LockError.invalid` naming `entry` when the digest is not 64 hex digits: it could match
    ///   no file, and is refused before anything is downloaded.
    static func sha256(_ text: String, path: String, entry: String) throws -> String? {
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "sha256" else { return nil }
        guard isHexDigest(parts[1], algorithm: "sha256") == true else {
            throw LockError.invalid(path: path, entry: entry, reason: "the sha256 hash \"\(parts[1])\" is not 64 hex digits")
        }
        return parts[1].lowercased()
    }

    /// Fails with `unknownSelection` when the user asked for an extra or group the lock lacks.
    static func check(_ selection: LockSelection, extras: Set<String>, groups: Set<String>, path: String) throws {
        for extra in selection.extras.map(\.rawValue).sorted() where !extras.contains(extra) {
            throw LockError.unknownSelection(path: path, kind: "extra", name: extra, available: extras.sorted())
        }
        for group in selection.groups.sorted() where !groups.contains(canonicalizeLeniently(group)) {
            throw LockError.unknownSelection(path: path, kind: "dependency group", name: group,
                                             available: groups.sorted())
        }
    }

    /// The `path` of a local file written in the lock at `lockPath`, made absolute against its folder.
    static func absolute(_ path: String, lockPath: String) -> String {
        if path.hasPrefix("/") { return path }
        let directory = (URL(fileURLWithPath: lockPath).standardizedFileURL.path as NSString).deletingLastPathComponent
        return URL(fileURLWithPath: directory + "/" + path).standardizedFileURL.path
    }
}
