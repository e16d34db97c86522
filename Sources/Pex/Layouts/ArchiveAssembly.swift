import ZipArchive

/// Gathers archive entries from several owners (distributions, sources directories, generated files) and
/// refuses two owners putting different bytes at one path, as `pip install --target` would silently
/// overwrite one of them and pex's flat layouts refuse (docs/formats/lambda-layout.md). Identical bytes are fine:
/// the first owner's entry is kept.
///
/// The owners are kept beside the plan's members, by member index: a torch build adds 15,000 files, and
/// each is then looked up once (by the plan) rather than once per table.
public struct ArchiveAssembly: Sendable {
    public private(set) var plan = ArchivePlan()
    /// The owners' names, in the order they first added a file.
    private var ownerNames: [String] = []
    private var ownerNumbers: [String: Int32] = [:]
    /// By plan member index: the number of the owner of a file, -1 for a directory.
    private var memberOwners: [Int32] = []

    public init() {}

    /// Adds `entry` on behalf of `owner` (a distribution `name version`, `sources directory 'src'`, …).
    /// - Throws: `LayoutError.collision` naming both owners when the path already holds different bytes;
    ///   the plan's own errors for invalid paths.
    public mutating func add(_ entry: ArchiveEntry, owner: String) throws {
        try add(entry, ownerNumber: number(of: owner))
    }

    public mutating func add(_ entries: [ArchiveEntry], owner: String) throws {
        plan.reserveCapacity(plan.count + entries.count)
        memberOwners.reserveCapacity(plan.count + entries.count)
        let ownerNumber = number(of: owner)
        for entry in entries { try add(entry, ownerNumber: ownerNumber) }
    }

    private mutating func add(_ entry: ArchiveEntry, ownerNumber: Int32) throws {
        let (index, inserted) = try plan.insert(entry)
        // Parent directories the plan added on the way have no owner.
        while memberOwners.count < plan.count { memberOwners.append(-1) }
        guard !entry.isDirectory else { return }
        if inserted {
            memberOwners[index] = ownerNumber
        } else if try !plan.member(at: index).content.sameBytes(as: entry.content) {
            throw LayoutError.collision(path: entry.path, first: ownerNames[Int(memberOwners[index])],
                                        second: ownerNames[Int(ownerNumber)])
        }
    }

    private mutating func number(of owner: String) -> Int32 {
        if let known = ownerNumbers[owner] { return known }
        ownerNames.append(owner)
        ownerNumbers[owner] = Int32(ownerNames.count - 1)
        return Int32(ownerNames.count - 1)
    }

    /// The owner of the file at `path`, or nil when no file is there.
    public func owner(of path: String) -> String? {
        plan.index(ofFile: path).map { ownerNames[Int(memberOwners[$0])] }
    }

    /// The content of the file at `path` (`.directory` when there is none).
    public func content(at path: String) -> ArchiveEntry.Content {
        plan.index(ofFile: path).map { plan.member(at: $0).content } ?? .directory
    }

    /// Every file's archive path and owner, in the order they were added.
    public var files: [(path: String, owner: String)] {
        memberOwners.indices.compactMap { index in
            memberOwners[index] < 0 ? nil : (plan.member(at: index).path, ownerNames[Int(memberOwners[index])])
        }
    }

    /// Archive path → owner, for every file.
    public var owners: [String: String] {
        Dictionary(files, uniquingKeysWith: { first, _ in first })
    }

    /// The unzipped size of each owner's files (files on disk are measured now).
    public func unzippedBytesByOwner() throws -> [String: UInt64] {
        var sizes: [UInt64?] = Array(repeating: nil, count: ownerNames.count)
        for (index, owner) in memberOwners.enumerated() where owner >= 0 {
            sizes[Int(owner)] = (sizes[Int(owner)] ?? 0) + (try plan.member(at: index).content.uncompressedSize())
        }
        // Owners whose every file was already there (identical bytes) own nothing.
        return Dictionary(uniqueKeysWithValues: zip(ownerNames, sizes).compactMap { name, size in size.map { (name, $0) } })
    }
}
