import Foundation

extension ArchiveEntry.Content {
    /// The uncompressed size: known from the plan for bytes and wheel entries, a `stat` for files.
    public func uncompressedSize() throws -> UInt64 {
        switch self {
        case .directory: return 0
        case .bytes(let bytes): return UInt64(bytes.count)
        case .rawCopy(_, let entry): return entry.uncompressedSize
        case .file(let path):
            var info = stat()
            guard stat(path, &info) == 0 else { throw ZipError.io(path: path, operation: "stat", errno: errno) }
            return UInt64(info.st_size)
        }
    }

    /// The uncompressed bytes, in memory (for colliding files, hashes of user code, small ELF files).
    public func bytes() throws -> [UInt8] {
        switch self {
        case .directory: return []
        case .bytes(let bytes): return bytes
        case .rawCopy(let archive, let entry): return try entry.inflated(in: archive)
        case .file(let path):
            let file = try ReadOnlyFile(path: path)
            var bytes = [UInt8](repeating: 0, count: Int(file.size))
            let read = try bytes.withUnsafeMutableBytes { try file.read(into: $0, at: 0) }
            guard read == bytes.count else {
                throw ZipError.sourceChanged(path: path, detail: "it shrank from \(bytes.count) to \(read) bytes")
            }
            return bytes
        }
    }

    /// Whether two contents hold the same bytes, decided cheaply when it can: different sizes (or
    /// different CRC-32s of two wheel entries) decide at once; otherwise the bytes are compared.
    public func sameBytes(as other: Self) throws -> Bool {
        if case let .rawCopy(_, x) = self, case let .rawCopy(_, y) = other,
           x.crc32 != y.crc32 || x.uncompressedSize != y.uncompressedSize {
            return false
        }
        guard try uncompressedSize() == other.uncompressedSize() else { return false }
        return try bytes() == other.bytes()
    }
}

extension ZipEntry {
    /// The uncompressed bytes of this entry of `archive`, at most `limit` of them. The entry was
    /// validated when its archive was read, so its data is read directly, without parsing the central
    /// directory again.
    public func inflated(in archive: String, limit: Int = .max) throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(min(UInt64(limit), uncompressedSize)))
        try decodeEntry(self, in: try ReadOnlyFile(path: archive), limit: UInt64(limit)) {
            bytes.append(contentsOf: $0.assumingMemoryBound(to: UInt8.self))
        }
        return bytes
    }

    /// The uncompressed bytes of `ranges` of this entry, from one streaming pass that keeps nothing
    /// else, so a large library's far structures can be read without holding the library in memory.
    /// A range past the end of the entry comes back short.
    public func inflated(in archive: String, ranges: Set<Range<Int>>) throws -> [Range<Int>: [UInt8]] {
        var pieces = Dictionary(uniqueKeysWithValues: ranges.map { ($0, [UInt8]()) })
        let end = ranges.map(\.upperBound).max() ?? 0
        var offset = 0
        try decodeEntry(self, in: try ReadOnlyFile(path: archive), limit: UInt64(end)) { chunk in
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
}
