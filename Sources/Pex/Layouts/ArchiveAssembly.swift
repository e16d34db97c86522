import ZipArchive

/// Gathers archive entries from several owners (distributions, sources directories, generated files) and
/// refuses two owners putting different bytes at one path, as `pip install --target` would silently
/// overwrite one of them and pex's flat layouts refuse (docs/formats/lambda-layout.md). Identical bytes are fine:
/// the first owner's entry is kept.
public struct ArchiveAssembly: Sendable {
    public private(set) var plan = ArchivePlan()
    /// Archive path → the owner that put it there, for files.
    public private(set) var owners: [String: String] = [:]
    private var contents: [String: ArchiveEntry.Content] = [:]

    public init() {}

    /// Adds `entry` on behalf of `owner` (a distribution `name version`, `sources directory 'src'`, …).
    /// - Throws: `LayoutError.collision` naming both owners when the path already holds different bytes;
    ///   the plan's own errors for invalid paths.
    public mutating func add(_ entry: ArchiveEntry, owner: String) throws {
        if entry.isDirectory {
            try plan.add(entry)
            return
        }
        if let first = owners[entry.path], let existing = contents[entry.path] {
            guard try existing.sameBytes(as: entry.content) else {
                throw LayoutError.collision(path: entry.path, first: first, second: owner)
            }
            return
        }
        try plan.add(entry)
        owners[entry.path] = owner
        contents[entry.path] = entry.content
    }

    public mutating func add(_ entries: [ArchiveEntry], owner: String) throws {
        plan.reserveCapacity(plan.count + entries.count)
        owners.reserveCapacity(owners.count + entries.count)
        contents.reserveCapacity(contents.count + entries.count)
        for entry in entries { try add(entry, owner: owner) }
    }

    /// The content of the file at `path` (`.directory` when there is none).
    public func content(at path: String) -> ArchiveEntry.Content { contents[path] ?? .directory }
}
