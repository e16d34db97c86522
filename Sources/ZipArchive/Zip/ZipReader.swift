import Foundation

/// A strict reader of a ZIP archive's central directory (APPNOTE 4.3.12-4.3.16, zip64 aware, tolerant
/// of prefix bytes such as a shebang). It checks every entry's local header against the central record
/// and refuses archives that different readers could interpret differently, as uv does: bytes after the
/// end record, mismatched headers, overlapping entries, duplicate or unsafe names, encryption and
/// methods other than stored/deflate.
public struct ZipReader: Sendable {
    public let path: String
    /// The entries in central-directory order.
    public let entries: [ZipEntry]
    /// Bytes before the archive proper when its offsets are relative to the archive, not the file
    /// (an archive appended to a prefix by `cat`); 0 for archives written with absolute offsets.
    public let concatenatedPrefixSize: UInt64
    /// The archive comment of the end record (APPNOTE 4.3.16); empty when there is none.
    public let comment: [UInt8]
    private let index: [String: Int]
    /// The file the directory was read from: entries are read from it, not from whatever the path names
    /// later, and without opening it again for each one (verifying a wheel reads all 12,000 of torch's).
    private let file: ReadOnlyFile

    /// Reads and validates the central directory of the archive at `path`.
    /// - Parameter verifyCRC: also inflate every entry and check its size and CRC-32 (bounded memory).
    /// - Throws: `ZipError`, naming the archive and the offending entry.
    public init(path: String, verifyCRC: Bool = false) throws {
        let file = try ReadOnlyFile(path: path)
        let directory = try CentralDirectory.locate(in: file)
        let records = try directory.readRecords(in: file)
        var index: [String: Int] = [:]
        index.reserveCapacity(records.count)
        var entries: [ZipEntry] = []
        entries.reserveCapacity(records.count)
        // Only the local headers are read here: data of 4 KiB or more costs more to copy than one more `pread`.
        let window = ReadWindow(file, holes: records.compactMap { record in
            record.compressedSize < 4096 ? nil
                : record.localHeaderOffset + directory.concat + UInt64(ZipFormat.localHeaderSize + record.nameBytes.count)
        })
        for record in records {
            guard index.updateValue(entries.count, forKey: record.name) == nil else {
                throw ZipError.duplicateName(archive: path, entry: record.name)
            }
            entries.append(try record.validated(in: window, concat: directory.concat, directoryStart: directory.start))
        }
        try Self.checkOverlaps(entries, archive: path, directoryStart: directory.start)
        self.path = path
        self.entries = entries
        self.index = index
        self.file = file
        concatenatedPrefixSize = directory.concat
        comment = directory.comment
        if verifyCRC {
            for entry in entries { try decodeEntry(entry, in: file) { _ in } }
        }
    }

    public func entry(named name: String) -> ZipEntry? { index[name].map { entries[$0] } }

    /// The uncompressed bytes of `entry`, checked against its size and CRC-32. Meant for small members
    /// (METADATA, RECORD, sources): the whole content is returned in memory.
    public func contents(of entry: ZipEntry) throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(min(entry.uncompressedSize, 64 << 20)))
        try decodeEntry(entry, in: file) { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Inflates `entry` and checks its size and CRC-32, handing the bytes to `sink` chunk by chunk
    /// (bounded buffers, so entries of any size) and keeping none of them.
    public func verify(_ entry: ZipEntry, sink: (UnsafeRawBufferPointer) throws -> Void = { _ in }) throws {
        try decodeEntry(entry, in: file, sink: sink)
    }

    /// Each entry's bytes (local header through data) must end before the next entry's header starts,
    /// and all of them before the central directory.
    private static func checkOverlaps(_ entries: [ZipEntry], archive: String, directoryStart: UInt64) throws {
        let sorted = entries.indices.sorted { entries[$0].localHeaderOffset < entries[$1].localHeaderOffset }
        for (current, next) in zip(sorted, sorted.dropFirst())
        where entries[current].dataOffset + entries[current].compressedSize > entries[next].localHeaderOffset {
            throw ZipError.overlappingEntries(archive: archive, entry: entries[current].name, other: entries[next].name)
        }
    }
}

/// Where the central directory is, from the end records.
struct CentralDirectory {
    var start: UInt64          // absolute
    var size: UInt64
    var count: UInt64
    var concat: UInt64         // prefix bytes not counted by the archive's own offsets
    var archive: String
    var comment: [UInt8]

    static func locate(in file: some PositionalBytes) throws -> CentralDirectory {
        let archive = file.path
        guard file.size >= UInt64(ZipFormat.endRecordSize) else {
            throw ZipError.truncated(archive: archive, entry: nil, detail: "it is shorter than an end record")
        }
        let tailSize = Int(min(file.size, UInt64(ZipFormat.endRecordSize + 0xFFFF)))
        let tailStart = file.size - UInt64(tailSize)
        let tail = try file.read(count: tailSize, at: tailStart)
        // The end record is the last signature whose comment length reaches exactly the end of the file:
        // anything after it would be seen by some readers and not by others.
        var position = tailSize - ZipFormat.endRecordSize
        var found: Int?
        var sawSignature = false
        while position >= 0 {
            var reader = ByteReader(tail[position...])
            if reader.u32() == ZipFormat.endRecordSignature {
                sawSignature = true
                var comment = ByteReader(tail[(position + 20)...])
                if let length = comment.u16(), position + ZipFormat.endRecordSize + Int(length) == tailSize {
                    found = position
                    break
                }
            }
            position -= 1
        }
        guard let eocd = found else {
            throw ZipError.badEndRecord(archive: archive, detail: sawSignature
                ? "bytes follow the end of central directory record"
                : "no end of central directory record (truncated, or not a ZIP file)")
        }
        var record = ByteReader(tail[(eocd + 4)...])
        let disk = record.u16()!, cdDisk = record.u16()!
        let diskEntries = UInt64(record.u16()!), totalEntries = UInt64(record.u16()!)
        var size = UInt64(record.u32()!), offset = UInt64(record.u32()!)
        guard disk == 0, cdDisk == 0, diskEntries == totalEntries else {
            throw ZipError.badEndRecord(archive: archive, detail: "multi-disk archives are not supported")
        }
        var count = totalEntries
        let eocdOffset = tailStart + UInt64(eocd)
        var directoryEnd = eocdOffset   // where the central directory must end (absolute)
        let locatorOffset = eocdOffset >= UInt64(ZipFormat.zip64LocatorSize) ? eocdOffset - UInt64(ZipFormat.zip64LocatorSize) : nil
        let locator = try locatorOffset.map { try file.read(count: ZipFormat.zip64LocatorSize, at: $0) }
        var locatorReader = locator.map { ByteReader($0) }
        if locatorReader?.u32() == ZipFormat.zip64LocatorSignature, let locatorOffset {
            // CPython's zipfile and 3.13 zipimport expect the 56-byte zip64 record right before the
            // locator; require that, and consistency with the record's own stated position.
            let zip64Disk = locatorReader!.u32()!
            let recordOffset = locatorReader!.u64()!
            let disks = locatorReader!.u32()!
            guard zip64Disk == 0, disks <= 1, locatorOffset >= UInt64(ZipFormat.zip64EndRecordSize) else {
                throw ZipError.badEndRecord(archive: archive, detail: "the zip64 locator is invalid")
            }
            let zip64Offset = locatorOffset - UInt64(ZipFormat.zip64EndRecordSize)
            var zip64 = ByteReader(try file.read(count: ZipFormat.zip64EndRecordSize, at: zip64Offset))
            guard zip64.u32() == ZipFormat.zip64EndRecordSignature, zip64.u64() == 44 else {
                throw ZipError.badEndRecord(archive: archive,
                                            detail: "no 56-byte zip64 end record right before the zip64 locator")
            }
            _ = zip64.u16(); _ = zip64.u16()
            let disk64 = zip64.u32()!, cdDisk64 = zip64.u32()!
            let diskEntries64 = zip64.u64()!, total64 = zip64.u64()!
            let size64 = zip64.u64()!, offset64 = zip64.u64()!
            guard disk64 == 0, cdDisk64 == 0, diskEntries64 == total64 else {
                throw ZipError.badEndRecord(archive: archive, detail: "multi-disk archives are not supported")
            }
            guard zip64Offset >= recordOffset else {
                throw ZipError.badEndRecord(archive: archive, detail: "the zip64 locator points past its record")
            }
            // Saturated 32-bit fields defer to zip64; others must agree with it.
            for (narrow, wide, limit) in [(count, total64, ZipFormat.max16), (size, size64, ZipFormat.max32),
                                          (offset, offset64, ZipFormat.max32)] where narrow != limit && narrow != wide {
                throw ZipError.badEndRecord(archive: archive, detail: "the end record and zip64 end record disagree")
            }
            count = total64; size = size64; offset = offset64
            directoryEnd = zip64Offset
        } else if count == ZipFormat.max16 && size == ZipFormat.max32 && offset == ZipFormat.max32 {
            throw ZipError.badEndRecord(archive: archive, detail: "the zip64 end records are missing")
        }
        guard directoryEnd >= size, directoryEnd - size >= offset else {
            throw ZipError.badEndRecord(archive: archive,
                detail: "the central directory (offset \(offset), \(size) bytes) does not fit before the end record")
        }
        let start = directoryEnd - size
        return CentralDirectory(start: start, size: size, count: count, concat: start - offset, archive: archive,
                                comment: Array(tail[(eocd + ZipFormat.endRecordSize)...]))
    }

    func readRecords(in file: some PositionalBytes) throws -> [CentralRecord] {
        guard size <= 1 << 31 else {
            throw ZipError.badEndRecord(archive: archive, detail: "the central directory claims \(size) bytes")
        }
        let bytes = try file.read(count: Int(size), at: start)
        guard bytes.count == Int(size) else {
            throw ZipError.truncated(archive: archive, entry: nil, detail: "the central directory is cut short")
        }
        var reader = ByteReader(bytes)
        var records: [CentralRecord] = []
        records.reserveCapacity(Int(min(count, 1 << 20)))
        for _ in 0..<count {
            records.append(try CentralRecord(from: &reader, archive: archive))
        }
        guard reader.remaining == 0 else {
            throw ZipError.badCentralHeader(archive: archive, entry: nil,
                detail: "\(reader.remaining) bytes follow the \(count) records the end record announces")
        }
        return records
    }
}

/// One central directory header (APPNOTE 4.3.12) with its zip64 values resolved.
struct CentralRecord {
    var name: String
    var nameBytes: ArraySlice<UInt8>
    var versionMadeBy: UInt16
    var flags: UInt16
    var method: CompressionMethod
    var crc: UInt32
    var compressedSize: UInt64
    var uncompressedSize: UInt64
    var localHeaderOffset: UInt64
    var externalAttributes: UInt32

    init(from reader: inout ByteReader, archive: String) throws {
        func malformed(_ detail: String, _ entry: String? = nil) -> ZipError {
            .badCentralHeader(archive: archive, entry: entry, detail: detail)
        }
        guard reader.remaining >= ZipFormat.centralHeaderSize else { throw malformed("a record is cut short") }
        guard reader.u32() == ZipFormat.centralHeaderSignature else { throw malformed("a record has a bad signature") }
        versionMadeBy = reader.u16()!
        _ = reader.u16()!                          // version needed
        flags = reader.u16()!
        let rawMethod = reader.u16()!
        _ = reader.u32()!                          // DOS time and date
        crc = reader.u32()!
        var compressedSize = UInt64(reader.u32()!)
        var uncompressedSize = UInt64(reader.u32()!)
        let nameLength = Int(reader.u16()!), extraLength = Int(reader.u16()!), commentLength = Int(reader.u16()!)
        let disk = reader.u16()!
        _ = reader.u16()!                          // internal attributes
        externalAttributes = reader.u32()!
        var localHeaderOffset = UInt64(reader.u32()!)
        guard let nameBytes = reader.take(nameLength), let extra = reader.take(extraLength),
              reader.take(commentLength) != nil else { throw malformed("a record's name or extra field is cut short") }
        let name = EntryName.decode(nameBytes, utf8Flag: flags & ZipFormat.flagUTF8 != 0)
        try EntryName.checkSafe(name, archive: archive)
        if flags & (ZipFormat.flagEncrypted | ZipFormat.flagStrongEncryption) != 0 {
            throw ZipError.encrypted(archive: archive, entry: name)
        }
        guard let method = CompressionMethod(rawValue: rawMethod) else {
            throw ZipError.unsupportedMethod(archive: archive, entry: name, method: rawMethod)
        }
        // The zip64 extra holds, in this order, only the values whose 32-bit field is saturated (4.5.3).
        var diskStart = UInt64(disk)
        var extras = ByteReader(extra)
        while extras.remaining >= 4 {
            let id = extras.u16()!, length = Int(extras.u16()!)
            guard let body = extras.take(length) else { throw malformed("an extra field is cut short", name) }
            guard id == ZipFormat.zip64ExtraID else { continue }
            var values = ByteReader(body)
            func wide(_ field: inout UInt64) throws {
                guard field == ZipFormat.max32 else { return }
                guard let value = values.u64() else { throw malformed("the zip64 extra field is too short", name) }
                field = value
            }
            try wide(&uncompressedSize)
            try wide(&compressedSize)
            try wide(&localHeaderOffset)
            if diskStart == ZipFormat.max16, let value = values.u32() { diskStart = UInt64(value) }
        }
        guard diskStart == 0 else { throw malformed("the entry starts on another disk", name) }
        if method == .stored && compressedSize != uncompressedSize {
            throw ZipError.sizeMismatch(archive: archive, entry: name, expected: uncompressedSize, actual: compressedSize)
        }
        self.name = name
        self.nameBytes = nameBytes
        self.method = method
        self.compressedSize = compressedSize
        self.uncompressedSize = uncompressedSize
        self.localHeaderOffset = localHeaderOffset
    }

    /// Reads the local header and returns the entry, after checking it agrees with this record.
    func validated(in window: ReadWindow, concat: UInt64, directoryStart: UInt64) throws -> ZipEntry {
        let file = window.file
        let archive = file.path
        func mismatch(_ field: String) -> ZipError { .localHeaderMismatch(archive: archive, entry: name, field: field) }
        let headerOffset = localHeaderOffset + concat
        guard headerOffset + UInt64(ZipFormat.localHeaderSize) <= directoryStart else {
            throw ZipError.truncated(archive: archive, entry: name, detail: "its local header lies outside the data area")
        }
        // Parsed in place: the reader visits every entry of every wheel.
        let local = try window.withBytes(at: headerOffset, count: ZipFormat.localHeaderSize + nameBytes.count) {
            bytes -> (flags: UInt16, crc: UInt32, compressed: UInt64, uncompressed: UInt64, extraLength: Int)? in
            func field<T: FixedWidthInteger>(_ offset: Int, _ type: T.Type) -> T {
                T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
            }
            guard bytes.count == ZipFormat.localHeaderSize + nameBytes.count else { return nil }
            guard field(0, UInt32.self) == ZipFormat.localHeaderSignature else { throw mismatch("signature") }
            guard field(8, UInt16.self) == method.rawValue else { throw mismatch("compression method") }
            guard Int(field(26, UInt16.self)) == nameBytes.count,
                  nameBytes.withUnsafeBytes({ memcmp(bytes.baseAddress! + ZipFormat.localHeaderSize, $0.baseAddress!, $0.count) }) == 0
            else { throw mismatch("name") }
            return (field(6, UInt16.self), field(14, UInt32.self), UInt64(field(18, UInt32.self)),
                    UInt64(field(22, UInt32.self)), Int(field(28, UInt16.self)))
        }
        guard let local else {
            throw ZipError.truncated(archive: archive, entry: name, detail: "its local header is cut short")
        }
        let (localFlags, localCRC, extraLength) = (local.flags, local.crc, local.extraLength)
        var localCompressed = local.compressed, localUncompressed = local.uncompressed
        let nameLength = nameBytes.count
        guard localFlags & ZipFormat.flagEncrypted == flags & ZipFormat.flagEncrypted else { throw mismatch("encryption flag") }
        if localFlags & ZipFormat.flagDataDescriptor == 0 {
            // Sizes and CRC are in the local header (possibly in its zip64 extra, which carries both sizes).
            if localCompressed == ZipFormat.max32 || localUncompressed == ZipFormat.max32 {
                var extras = ByteReader(try file.read(count: extraLength,
                    at: headerOffset + UInt64(ZipFormat.localHeaderSize + nameLength)))
                while extras.remaining >= 4 {
                    let id = extras.u16()!, length = Int(extras.u16()!)
                    guard let body = extras.take(length) else { throw mismatch("extra field") }
                    guard id == ZipFormat.zip64ExtraID else { continue }
                    var values = ByteReader(body)
                    if localUncompressed == ZipFormat.max32, let value = values.u64() { localUncompressed = value }
                    if localCompressed == ZipFormat.max32, let value = values.u64() { localCompressed = value }
                }
            }
            guard localCRC == crc else { throw mismatch("CRC-32") }
            guard localCompressed == compressedSize else { throw mismatch("compressed size") }
            guard localUncompressed == uncompressedSize else { throw mismatch("uncompressed size") }
        }
        let dataOffset = headerOffset + UInt64(ZipFormat.localHeaderSize + nameLength + extraLength)
        guard dataOffset + compressedSize <= directoryStart else {
            throw ZipError.truncated(archive: archive, entry: name,
                                     detail: "its \(compressedSize) bytes of data run into the central directory")
        }
        let unixMode = versionMadeBy >> 8 == 3 && externalAttributes >> 16 != 0
            ? UInt16(externalAttributes >> 16) : nil
        return ZipEntry(name: name, method: method, crc32: crc, compressedSize: compressedSize,
                        uncompressedSize: uncompressedSize, dataOffset: dataOffset,
                        localHeaderOffset: headerOffset, unixMode: unixMode)
    }
}
