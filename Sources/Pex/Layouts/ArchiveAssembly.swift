import Foundation

/// Gathers archive entries from several owners (distributions, sources directories, generated files) and
/// refuses two owners putting different bytes at one path, as `pip install --target` would silently
/// overwrite one of them and pex's flat layouts refuse (pex-format.md §6.5). Identical bytes are fine:
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
            guard try Self.sameBytes(existing, entry.content) else {
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

    /// Compares two contents, cheaply when it can: different sizes (or different CRC-32s of two wheel
    /// entries) decide at once; otherwise the bytes are compared.
    static func sameBytes(_ a: ArchiveEntry.Content, _ b: ArchiveEntry.Content) throws -> Bool {
        if case let .rawCopy(_, x) = a, case let .rawCopy(_, y) = b,
           x.crc32 != y.crc32 || x.uncompressedSize != y.uncompressedSize {
            return false
        }
        guard try size(of: a) == size(of: b) else { return false }
        return try bytes(of: a) == bytes(of: b)
    }

    static func size(of content: ArchiveEntry.Content) throws -> UInt64 {
        switch content {
        case .directory: return 0
        case .bytes(let bytes): return UInt64(bytes.count)
        case .rawCopy(_, let entry): return entry.uncompressedSize
        case .file(let path):
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            return (attributes[.size] as? NSNumber)?.uint64Value ?? 0
        }
    }

    /// The uncompressed bytes of a wheel entry, at most `limit` of them. The entry was validated when its
    /// wheel was read, so this reads its data directly instead of parsing the wheel's central directory again.
    static func inflated(_ entry: ZipEntry, in archive: String, limit: Int = .max) throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(min(UInt64(limit), entry.uncompressedSize)))
        try decodeEntry(entry, in: try ReadOnlyFile(path: archive), limit: UInt64(limit)) {
            bytes.append(contentsOf: $0.assumingMemoryBound(to: UInt8.self))
        }
        return bytes
    }

    /// The uncompressed bytes of `ranges` of a wheel entry, from one streaming pass that keeps nothing
    /// else, so a large library's far structures can be read without holding the library in memory.
    /// A range past the end of the entry comes back short.
    static func inflated(_ entry: ZipEntry, in archive: String, ranges: Set<Range<Int>>) throws -> [Range<Int>: [UInt8]] {
        var pieces = Dictionary(uniqueKeysWithValues: ranges.map { ($0, [UInt8]()) })
        let end = ranges.map(\.upperBound).max() ?? 0
        var offset = 0
        try decodeEntry(entry, in: try ReadOnlyFile(path: archive), limit: UInt64(end)) { chunk in
            let chunkRange = offset..<offset + chunk.count
            for range in ranges where range.overlaps(chunkRange) {
                let lower = max(range.lowerBound, chunkRange.lowerBound) - offset
                let upper = min(range.upperBound, chunkRange.upperBound) - offset
                pieces[range]!.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[lower..<upper]))
            }
            offset += chunk.count
        }
        return pieces
    }

    /// The uncompressed bytes of a content (in memory: for colliding files and the native-code check).
    static func bytes(of content: ArchiveEntry.Content) throws -> [UInt8] {
        switch content {
        case .directory: return []
        case .bytes(let bytes): return bytes
        case .rawCopy(let archive, let entry): return try inflated(entry, in: archive)
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else { throw LayoutError.unreadable(path: path) }
            return [UInt8](data)
        }
    }
}
