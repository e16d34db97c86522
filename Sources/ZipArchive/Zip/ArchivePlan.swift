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
    /// Members in the order they were added.
    private var members: [ArchiveEntry] = []
    /// Each member's index, keyed by its path without a directory's trailing "/": a file and a directory
    /// of the same name, which would collide when extracted, meet on one key.
    private var positions: [String: Int] = [:]
    /// The parent directory (with its "/") of the last entry added: entries usually arrive grouped by
    /// directory, and a parent already in the plan has all of its own parents checked and added.
    private var lastParent = ""

    public init() {}

    /// Adds `entry` and any missing parent directories.
    /// - Throws: `ZipError.duplicateEntry` for a second entry with an existing file path, or when a file
    ///   and a directory would share a name; `ZipError.invalidPath` for absolute, `..` or empty paths.
    ///   Directories may be added more than once.
    public mutating func add(_ entry: ArchiveEntry) throws {
        let (index, inserted) = try insert(entry)
        if !inserted && !members[index].isDirectory { throw ZipError.duplicateEntry(path: entry.path) }
    }

    /// Adds `entry` and any missing parent directories unless a file is already at its path; then the
    /// plan is unchanged and the existing member's index is returned, so that a caller can compare the
    /// two without looking the path up again.
    /// - Returns: the index of the member at the path (see ``member(at:)``), and whether it is `entry`.
    /// - Throws: `ZipError.duplicateEntry` when a file and a directory would share a name;
    ///   `ZipError.invalidPath` for absolute, `..` or empty paths.
    public mutating func insert(_ entry: ArchiveEntry) throws -> (index: Int, inserted: Bool) {
        let slash = UInt8(ascii: "/")
        var entry = entry
        if entry.isDirectory && entry.path.utf8.last != slash { entry.path += "/" }
        if let reason = EntryName.problem(entry.path) { throw ZipError.invalidPath(path: entry.path, reason: reason) }
        if !entry.isDirectory && entry.path.utf8.last == slash {
            throw ZipError.invalidPath(path: entry.path, reason: "only directories may end in '/'")
        }
        var key = entry.isDirectory ? String(entry.path.utf8.dropLast())! : entry.path
        // Plans of 100k entries come through here: the parent is found and compared as bytes (`==` on
        // strings would also take canonically equivalent names for the same), and the key is hashed once.
        let parentLength = key.withUTF8 { bytes in bytes.lastIndex(of: slash).map { $0 + 1 } ?? 0 }
        if parentLength > 0 && !EntryName.hasPrefix(key, lastParent, length: parentLength) {
            try addParents(of: key, parentLength: parentLength)
            lastParent = String(key.utf8.prefix(parentLength))!
        }
        if let existing = positions.updateValue(members.count, forKey: key) {
            positions[key] = existing
            guard entry.isDirectory == members[existing].isDirectory else { throw ZipError.duplicateEntry(path: key) }
            return (existing, false)
        }
        members.append(entry)
        return (members.count - 1, true)
    }

    /// The member with this index (from ``insert(_:)`` or ``index(ofFile:)``); indices never change.
    public func member(at index: Int) -> ArchiveEntry { members[index] }

    /// The index of the file at `path`, or nil when there is none (or a directory is there).
    public func index(ofFile path: String) -> Int? {
        guard let index = positions[path], !members[index].isDirectory else { return nil }
        return index
    }

    /// Adds the missing directories above `key`, whose parent is its first `parentLength` bytes (with "/").
    private mutating func addParents(of key: String, parentLength: Int) throws {
        var parent = String(key.utf8.prefix(parentLength - 1))!
        while true {
            if let existing = positions[parent] {
                guard members[existing].isDirectory else { throw ZipError.duplicateEntry(path: parent) }
                return   // its own parents were added with it
            }
            positions[parent] = members.count
            members.append(ArchiveEntry(path: parent + "/", content: .directory, executable: true))
            guard let slash = parent.utf8.lastIndex(of: UInt8(ascii: "/")) else { return }
            parent = String(parent[..<slash])
        }
    }

    /// Makes room for `count` members in all, so adding them does not rehash every path added so far.
    public mutating func reserveCapacity(_ count: Int) {
        members.reserveCapacity(count)
        positions.reserveCapacity(count)
    }

    /// Number of members, parent directories included.
    public var count: Int { members.count }

    /// The members in the order they were added, parents before the entry that brought them: for scans
    /// whose result does not depend on order, which then skip ``entries``'s sort.
    public var unorderedEntries: [ArchiveEntry] { members }

    /// Whether `a` comes before `b` in an archive: by the UTF-8 bytes of the paths.
    public static func precedes(_ a: String, _ b: String) -> Bool { EntryName.precedes(a, b) }

    /// The members in canonical order (sorted on each access: O(n log n); the members themselves are
    /// shared with the plan, not copied).
    public var entries: OrderedEntries {
        let order = members.indices.sorted { EntryName.precedes(members[$0].path, members[$1].path) }
        return OrderedEntries(members: members, order: order)
    }

    /// The plan's members in canonical order.
    public struct OrderedEntries: RandomAccessCollection, Sendable {
        fileprivate let members: [ArchiveEntry]
        fileprivate let order: [Int]

        public var startIndex: Int { 0 }
        public var endIndex: Int { order.count }
        public subscript(position: Int) -> ArchiveEntry { members[order[position]] }
    }
}
