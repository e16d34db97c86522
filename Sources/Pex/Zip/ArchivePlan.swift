/// One member of an archive to write.
public struct ArchiveEntry: Sendable {
    /// Where the bytes come from.
    public enum Content: Sendable {
        /// A directory entry (stored, empty, mode 040755).
        case directory
        /// New content held in memory.
        case bytes([UInt8])
        /// New content read from a file when the archive is written.
        case file(path: String)
        /// The compressed bytes of an entry of another archive (a wheel), copied without recompression.
        case rawCopy(archive: String, entry: ZipEntry)
    }

    /// The member name, `/`-separated, relative; a trailing `/` is added to directories.
    public var path: String
    public var content: Content
    /// Mode 0755 instead of 0644 (directories are always 0755).
    public var executable: Bool

    public init(path: String, content: Content, executable: Bool = false) {
        self.path = path
        self.content = content
        self.executable = executable
    }

    public var isDirectory: Bool {
        if case .directory = content { return true }
        return false
    }
}

/// The members of an archive in canonical order: sorted by the UTF-8 bytes of their paths, which puts
/// every parent directory before its children. Parent directories are added implicitly, because zipimport
/// before CPython 3.14 needs them for PEP 420 namespace packages.
public struct ArchivePlan: Sendable {
    private var members: [String: ArchiveEntry] = [:]
    /// The parent directory (with its "/") of the last entry added: entries usually arrive grouped by
    /// directory, and a parent already in the plan has all of its own parents checked and added.
    private var lastParent = ""

    public init() {}

    /// Adds `entry` and any missing parent directories.
    /// - Throws: `ZipError.duplicateEntry` for a second entry with an existing file path, or when a file
    ///   and a directory would share a name; `ZipError.invalidPath` for absolute, `..` or empty paths.
    ///   Directories may be added more than once.
    public mutating func add(_ entry: ArchiveEntry) throws {
        var entry = entry
        if entry.isDirectory && !entry.path.hasSuffix("/") { entry.path += "/" }
        if let reason = EntryName.problem(entry.path) { throw ZipError.invalidPath(path: entry.path, reason: reason) }
        if !entry.isDirectory && entry.path.hasSuffix("/") {
            throw ZipError.invalidPath(path: entry.path, reason: "only directories may end in '/'")
        }
        let bare = entry.isDirectory ? String(entry.path.dropLast()) : entry.path
        if let existing = members[entry.path] {
            guard entry.isDirectory && existing.isDirectory else { throw ZipError.duplicateEntry(path: entry.path) }
            return
        }
        // A file "a" and a directory "a/" would collide when extracted.
        let twin = entry.isDirectory ? bare : bare + "/"
        if members[twin] != nil { throw ZipError.duplicateEntry(path: bare) }
        if let slash = bare.lastIndex(of: "/"), bare[...slash] != lastParent {
            var parent = bare
            while let slash = parent.lastIndex(of: "/") {
                parent = String(parent[..<slash])
                if members[parent] != nil { throw ZipError.duplicateEntry(path: parent) }
                if members[parent + "/"] != nil { break }   // its own parents were added with it
                members[parent + "/"] = ArchiveEntry(path: parent + "/", content: .directory, executable: true)
            }
            lastParent = String(bare[...slash])
        }
        members[entry.path] = entry
    }

    /// Number of members, parent directories included.
    public var count: Int { members.count }

    /// The members in canonical order (sorted on each access: O(n log n)).
    public var entries: [ArchiveEntry] {
        members.values.sorted { EntryName.precedes($0.path, $1.path) }
    }
}
