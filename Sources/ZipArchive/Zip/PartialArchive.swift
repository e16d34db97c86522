/// A ZIP archive known only in pieces, such as a remote wheel read with HTTP range requests: its tail
/// (end records and central directory) and the entries fetched one by one. The central directory and
/// each entry are checked by the same rules as ``ZipReader``'s (safe names, zip64, local header against
/// central record, size and CRC-32), so one member such as `METADATA` can be read without the rest.
///
/// Reading works in rounds: ask for what is needed; when a piece is missing, ``Missing`` names the byte
/// range to fetch; add it and ask again.
public struct PartialArchive: Sendable {
    /// How messages name the archive (a URL).
    public let name: String
    /// The archive's full size in bytes.
    public let size: UInt64
    private var pieces: [(offset: UInt64, bytes: [UInt8])] = []

    /// A byte range the archive needs before it can answer.
    public struct Missing: Error, Sendable, Equatable {
        public var range: Range<UInt64>
    }

    /// One member as the central directory describes it.
    public struct Member: Sendable, Equatable {
        public var name: String
        public var compressedSize: UInt64
        public var uncompressedSize: UInt64
        /// Absolute offset of the member's local header.
        public var localHeaderOffset: UInt64
        fileprivate var nameBytes: [UInt8]
        fileprivate var method: CompressionMethod
        fileprivate var crc32: UInt32

        /// The range holding the local header and the data, with room for a local extra field of up
        /// to `extraAllowance` bytes (zip64 sizes, timestamps).
        public func localRange(extraAllowance: UInt64 = 1024) -> Range<UInt64> {
            let start = localHeaderOffset
            return start..<start + UInt64(ZipFormat.localHeaderSize + nameBytes.count) + extraAllowance + compressedSize
        }
    }

    /// - Parameters:
    ///   - tail: the last `tail.count` bytes of the archive.
    public init(name: String, size: UInt64, tail: [UInt8]) {
        self.name = name
        self.size = size
        add(tail, at: size - UInt64(tail.count))
    }

    /// Adds fetched bytes (a short piece at the end of the archive is fine).
    public mutating func add(_ bytes: [UInt8], at offset: UInt64) {
        pieces.append((offset, bytes))
    }

    /// Every member, from the central directory.
    /// - Throws: ``Missing`` when the central directory starts before the bytes at hand; `ZipError` for
    ///   a malformed archive.
    public func members() throws -> [Member] {
        let view = View(archive: self)
        let directory = try CentralDirectory.locate(in: view)
        return try directory.readRecords(in: view).map { record in
            Member(name: record.name, compressedSize: record.compressedSize, uncompressedSize: record.uncompressedSize,
                   localHeaderOffset: record.localHeaderOffset + directory.concat, nameBytes: Array(record.nameBytes),
                   method: record.method, crc32: record.crc)
        }
    }

    /// The uncompressed bytes of `member`, checked against its local header, size and CRC-32.
    /// - Throws: ``Missing`` naming ``Member/localRange(extraAllowance:)`` (or more) when its bytes are not
    ///   at hand; `ZipError` when they are wrong.
    public func contents(of member: Member) throws -> [UInt8] {
        let view = View(archive: self)
        func mismatch(_ field: String) -> ZipError { .localHeaderMismatch(archive: name, entry: member.name, field: field) }
        let header = try view.read(count: ZipFormat.localHeaderSize + member.nameBytes.count, at: member.localHeaderOffset)
        var reader = ByteReader(header)
        guard header.count == ZipFormat.localHeaderSize + member.nameBytes.count,
              reader.u32() == ZipFormat.localHeaderSignature else { throw mismatch("signature") }
        _ = reader.u16()
        let flags = reader.u16()!
        guard reader.u16() == member.method.rawValue else { throw mismatch("compression method") }
        _ = reader.u32()
        let crc = reader.u32()!, compressed = reader.u32()!, uncompressed = reader.u32()!
        guard Int(reader.u16()!) == member.nameBytes.count else { throw mismatch("name") }
        let extraLength = Int(reader.u16()!)
        guard Array(header.suffix(member.nameBytes.count)) == member.nameBytes else { throw mismatch("name") }
        // Without a data descriptor the local header repeats CRC and sizes (saturated ones live in zip64).
        if flags & ZipFormat.flagDataDescriptor == 0 {
            guard crc == member.crc32 else { throw mismatch("CRC-32") }
            guard UInt64(compressed) == member.compressedSize || compressed == UInt32(ZipFormat.max32) else {
                throw mismatch("compressed size")
            }
            guard UInt64(uncompressed) == member.uncompressedSize || uncompressed == UInt32(ZipFormat.max32) else {
                throw mismatch("uncompressed size")
            }
        }
        let dataOffset = member.localHeaderOffset + UInt64(header.count + extraLength)
        guard member.compressedSize <= 1 << 31 else {
            throw ZipError.badCentralHeader(archive: name, entry: member.name, detail: "it is too large to read in memory")
        }
        let data = try view.read(count: Int(member.compressedSize), at: dataOffset)
        guard data.count == Int(member.compressedSize) else {
            throw ZipError.truncated(archive: name, entry: member.name, detail: "its data runs past the end")
        }
        var output: [UInt8] = []
        output.reserveCapacity(Int(min(member.uncompressedSize, 64 << 20)))
        func collect(_ chunk: UnsafeRawBufferPointer) throws {
            output.append(contentsOf: chunk)
            guard UInt64(output.count) <= member.uncompressedSize else {
                throw ZipError.sizeMismatch(archive: name, entry: member.name, expected: member.uncompressedSize,
                                            actual: UInt64(output.count))
            }
        }
        switch member.method {
        case .stored:
            try data.withUnsafeBytes(collect)
        case .deflated:
            let inflater = try Inflater()
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
            defer { buffer.deallocate() }
            var unused = 0
            let progress: Inflater.Progress
            do {
                progress = try data.withUnsafeBytes { try inflater.feed($0, output: buffer, unused: &unused, sink: collect) }
            } catch let failure as InflateFailure {
                throw ZipError.corruptData(archive: name, entry: member.name, detail: failure.message)
            }
            guard progress == .finished, unused == 0 else {
                throw ZipError.corruptData(archive: name, entry: member.name,
                                           detail: "the deflate stream does not end with the declared compressed size")
            }
        }
        guard UInt64(output.count) == member.uncompressedSize else {
            throw ZipError.sizeMismatch(archive: name, entry: member.name, expected: member.uncompressedSize,
                                        actual: UInt64(output.count))
        }
        let actual = CRC32.checksum(output)
        guard actual == member.crc32 else {
            throw ZipError.crcMismatch(archive: name, entry: member.name, expected: member.crc32, actual: actual)
        }
        return output
    }

    /// Reads served from the pieces; a read that no piece covers is ``Missing``.
    private struct View: PositionalBytes {
        let archive: PartialArchive
        var path: String { archive.name }
        var size: UInt64 { archive.size }

        func read(count: Int, at offset: UInt64) throws -> [UInt8] {
            let end = min(offset + UInt64(count), archive.size)
            guard offset < end else { return [] }
            for piece in archive.pieces where piece.offset <= offset && end <= piece.offset + UInt64(piece.bytes.count) {
                let start = Int(offset - piece.offset)
                return Array(piece.bytes[start..<start + Int(end - offset)])
            }
            throw Missing(range: offset..<end)
        }
    }
}
