import Basics
import Foundation

/// The on-disk cache shared by every pexify process of a user.
///
/// Layout under `root`:
/// - `wheels/<sha256[0..<2]>/<sha256>/<filename>`: content-addressed wheels, verified on entry;
/// - `metadata/<key>.METADATA`: core metadata keyed by the wheel's sha256 (or URL hash);
/// - `metadata/<sha256>.size`: a wheel's size in bytes where reading its metadata learned it (a range
///   request's `Content-Range` total), so a lock records it without fetching the wheel;
/// - `pages/<sha256(url)>.{body,json}`: index pages with their HTTP validators;
/// - `local/<sha256(path)>.json`: sha256 of find-links files keyed by their stat (device, inode, size, mtime);
/// - `verified/`: the verified wheel store (Installer's `WheelStore`);
/// - `tmp/`: partial writes. Every entry is written to `tmp/` and renamed into place, so readers never
///   see a partial file and concurrent writers of the same entry simply replace identical bytes.
public struct Cache: Sendable {
    public let root: String

    /// Opens (creating when missing) the cache at `directory`, else `$XDG_CACHE_HOME/pexify`,
    /// else `~/.cache/pexify`.
    public init(directory: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        if let directory {
            root = directory
        } else if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            root = xdg + "/pexify"
        } else {
            root = (environment["HOME"] ?? NSHomeDirectory()) + "/.cache/pexify"
        }
        for sub in ["wheels", "metadata", "pages", "local", "tmp"] {
            do {
                try FileManager.default.createDirectory(atPath: root + "/" + sub, withIntermediateDirectories: true)
            } catch {
                throw IndexError.cache(path: root, reason: "\(sub)/ cannot be created (\(error.localizedDescription))")
            }
        }
        if Self.swept.insert(root) { removeAbandonedPartialFiles() }
    }

    /// The caches already swept by this process: a build opens its cache several times, one listing is enough.
    private static let swept = SweptRoots()

    private final class SweptRoots: @unchecked Sendable {
        private let lock = NSLock()
        private var roots: Set<String> = []
        /// Whether `root` was not swept yet (and is now taken).
        func insert(_ root: String) -> Bool { lock.withLock { roots.insert(root).inserted } }
    }

    /// Partial writes of killed processes (an interrupt removes its own; SIGKILL cannot): whatever in
    /// `tmp/` nobody has touched for a day, far beyond any live transfer's stall timeout and deadline.
    func removeAbandonedPartialFiles(olderThan age: TimeInterval = 86_400) {
        let directory = root + "/tmp"
        let cutoff = Date().timeIntervalSince1970 - age
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            var status = stat()
            guard lstat(directory + "/" + name, &status) == 0, TimeInterval(status.st_mtim.tv_sec) < cutoff else { continue }
            try? FileManager.default.removeItem(atPath: directory + "/" + name)
        }
    }

    /// A fresh path under `tmp/` for a partial write.
    public func temporaryPath() -> String { root + "/tmp/" + UUID().uuidString }

    // MARK: Wheels

    public func wheelPath(sha256: String, filename: String) -> String {
        "\(root)/wheels/\(sha256.prefix(2))/\(sha256)/\(filename)"
    }

    /// The cached wheel with this hash and name, if present.
    public func wheel(sha256: String, filename: String) -> String? {
        let path = wheelPath(sha256: sha256, filename: filename)
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// Moves a fully written and verified temporary file into the wheel store.
    public func storeWheel(from temporary: String, sha256: String, filename: String) throws -> String {
        let path = wheelPath(sha256: sha256, filename: filename)
        try moveIntoPlace(temporary, path)
        return path
    }

    // MARK: Metadata

    public func metadata(key: String) -> Data? {
        FileManager.default.contents(atPath: "\(root)/metadata/\(key).METADATA")
    }

    public func storeMetadata(_ data: Data, key: String) throws {
        try write(data, to: "\(root)/metadata/\(key).METADATA")
    }

    /// The size of the wheel with this sha256, when reading its metadata learned it.
    public func wheelSize(sha256: String) -> Int? {
        FileManager.default.contents(atPath: "\(root)/metadata/\(sha256).size")
            .flatMap { Int(String(decoding: $0, as: UTF8.self)) }
    }

    public func storeWheelSize(_ size: Int, sha256: String) throws {
        try write(Data(String(size).utf8), to: "\(root)/metadata/\(sha256).size")
    }

    // MARK: Index pages

    /// What we remember about an index page: the validators to revalidate it with, and how long the
    /// server said it stays fresh (`Cache-Control: max-age`), during which it is not asked again.
    public struct PageRecord: Codable, Sendable {
        public var url: String
        public var finalURL: String
        public var contentType: String?
        public var etag: String?
        public var lastModified: String?
        /// Seconds since 1970 when the page was fetched or last revalidated.
        public var fetchedAt: Double?
        public var maxAge: Double?

        public var isFresh: Bool {
            guard let fetchedAt, let maxAge else { return false }
            return Date().timeIntervalSince1970 - fetchedAt < maxAge
        }
    }

    public func page(url: String) -> (record: PageRecord, body: Data)? {
        let base = "\(root)/pages/\(sha256Hex(Data(url.utf8)))"
        guard let json = FileManager.default.contents(atPath: base + ".json"),
              let record = try? JSONDecoder().decode(PageRecord.self, from: json), record.url == url,
              let body = FileManager.default.contents(atPath: base + ".body") else { return nil }
        return (record, body)
    }

    /// The body goes in first: a reader that finds the record always finds a body at least as new.
    public func storePage(_ record: PageRecord, body: Data) throws {
        let base = "\(root)/pages/\(sha256Hex(Data(record.url.utf8)))"
        try write(body, to: base + ".body")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try write(try encoder.encode(record), to: base + ".json")
    }

    // MARK: Local files

    /// What identifies an unchanged file without reading it: the `stat(2)` key of device, inode, size and
    /// modification time in nanoseconds. Replacing or editing the file changes one of them (the time at
    /// least, which has nanosecond resolution).
    private struct LocalRecord: Codable, Equatable {
        var path: String
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modifiedSeconds: Int64
        var modifiedNanoseconds: Int64
        var sha256: String
    }

    /// The sha256 of a local file (a find-links wheel), remembered by its stat key (device, inode, size,
    /// modification time in nanoseconds), so an unchanged file is hashed once and a changed one again.
    public func localSHA256(path: String) throws -> String {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw IndexError.cache(path: path, reason: "it cannot be read (\(String(cString: strerror(errno))))")
        }
        #if canImport(Darwin)
        let modified = info.st_mtimespec
        #else
        let modified = info.st_mtim
        #endif
        var key = LocalRecord(
            path: path, device: UInt64(truncatingIfNeeded: info.st_dev), inode: UInt64(truncatingIfNeeded: info.st_ino), size: Int64(info.st_size),
            modifiedSeconds: Int64(modified.tv_sec), modifiedNanoseconds: Int64(modified.tv_nsec), sha256: "")
        let recordPath = "\(root)/local/\(sha256Hex(Data(path.utf8))).json"
        if let data = FileManager.default.contents(atPath: recordPath),
           let record = try? JSONDecoder().decode(LocalRecord.self, from: data) {
            key.sha256 = record.sha256
            if record == key { return record.sha256 }
        }
        do { key.sha256 = try sha256Hex(ofFile: path) } catch { throw IndexError.cache(path: path, reason: error.reason) }
        try write(try JSONEncoder().encode(key), to: recordPath)
        return key.sha256
    }

    // MARK: Atomic writes

    /// Writes through `tmp/`, like every cache entry, so the partial file of a killed process is found by
    /// the sweep of `tmp/` and never left beside an entry.
    func write(_ data: Data, to path: String) throws {
        let temporary = PartialFiles.track(temporaryPath())
        do {
            try data.write(to: URL(fileURLWithPath: temporary))
        } catch {
            PartialFiles.release(temporary)
            try? FileManager.default.removeItem(atPath: temporary)
            throw IndexError.cache(path: root, reason: "writing \(temporary) failed (\(error.localizedDescription))")
        }
        try moveIntoPlace(temporary, path)
    }

    /// `rename(2)` is atomic within one file system and replaces an existing entry, which for a
    /// content-addressed path holds the same bytes.
    func moveIntoPlace(_ temporary: String, _ path: String) throws {
        try createParent(of: path)
        do {
            try AtomicFile.moveIntoPlace(temporary, path)
        } catch {
            throw IndexError.cache(path: root, reason: error.description)
        }
    }

    private func createParent(of path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw IndexError.cache(path: root, reason: "\(directory) cannot be created (\(error.localizedDescription))")
        }
    }
}
