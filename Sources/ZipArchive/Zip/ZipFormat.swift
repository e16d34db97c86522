/// Constants of the ZIP format (PKWARE APPNOTE 6.3.10) used by both the writer and the reader.
/// https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT
enum ZipFormat {
    static let localHeaderSignature: UInt32 = 0x0403_4b50          // 4.3.7
    static let centralHeaderSignature: UInt32 = 0x0201_4b50        // 4.3.12
    static let endRecordSignature: UInt32 = 0x0605_4b50            // 4.3.16
    static let zip64EndRecordSignature: UInt32 = 0x0606_4b50       // 4.3.14
    static let zip64LocatorSignature: UInt32 = 0x0706_4b50         // 4.3.15
    static let zip64ExtraID: UInt16 = 0x0001                        // 4.5.3

    static let localHeaderSize = 30
    static let centralHeaderSize = 46
    static let endRecordSize = 22
    static let zip64EndRecordSize = 56
    static let zip64LocatorSize = 20

    /// A 16-bit count or 32-bit size/offset at this value means "look in the zip64 record" (4.4.1.4).
    static let max16: UInt64 = 0xFFFF
    static let max32: UInt64 = 0xFFFF_FFFF

    static let flagEncrypted: UInt16 = 1 << 0
    static let flagDataDescriptor: UInt16 = 1 << 3
    static let flagStrongEncryption: UInt16 = 1 << 6
    static let flagUTF8: UInt16 = 1 << 11

    /// "Version needed to extract": 2.0 for deflate and directories, 4.5 once zip64 fields appear (4.4.3).
    static let versionDeflate: UInt16 = 20
    static let versionZip64: UInt16 = 45
    /// High byte of "version made by": 3 = Unix, so readers take the mode from the external attributes.
    static let hostUnix: UInt16 = 3 << 8

    /// MS-DOS date of 1980-01-01 (year 0 since 1980, month 1, day 1) and time 00:00:00 (4.4.6):
    /// the deterministic stamp pex and the Rust zip crate use; date 0 would be month 0, day 0.
    static let dosDate: UInt16 = (0 << 9) | (1 << 5) | 1
    static let dosTime: UInt16 = 0

    static let modeRegular: UInt32 = 0o100000
    static let modeDirectory: UInt32 = 0o040000
    /// MS-DOS directory attribute, set next to the Unix mode as pex and Info-ZIP do.
    static let dosDirectoryAttribute: UInt32 = 0x10
}

/// Writes little-endian integers and names into memory the caller sized for them (a header at a time,
/// straight into the output buffer).
struct ByteWriter {
    private let memory: UnsafeMutableRawBufferPointer
    private(set) var count = 0

    init(_ memory: UnsafeMutableRawBufferPointer) { self.memory = memory }

    mutating func u16(_ value: UInt16) { put(value) }
    mutating func u32(_ value: UInt32) { put(value) }
    mutating func u64(_ value: UInt64) { put(value) }

    /// The UTF-8 bytes of `text`.
    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        precondition(count + bytes.count <= memory.count, "header larger than its reserved space")
        if let source = bytes.baseAddress { (memory.baseAddress! + count).copyMemory(from: source, byteCount: bytes.count) }
        count += bytes.count
    }

    private mutating func put<T: FixedWidthInteger>(_ value: T) {
        precondition(count + MemoryLayout<T>.size <= memory.count, "header larger than its reserved space")
        memory.storeBytes(of: value.littleEndian, toByteOffset: count, as: T.self)
        count += MemoryLayout<T>.size
    }
}

/// Reads little-endian integers from a byte buffer; every read is bounds-checked and returns nil past the end.
struct ByteReader {
    let bytes: ArraySlice<UInt8>
    private(set) var position: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        position = bytes.startIndex
    }

    init(_ bytes: [UInt8]) { self.init(bytes[...]) }

    var remaining: Int { bytes.endIndex - position }

    mutating func u16() -> UInt16? {
        guard remaining >= 2 else { return nil }
        defer { position += 2 }
        return UInt16(bytes[position]) | UInt16(bytes[position + 1]) << 8
    }

    mutating func u32() -> UInt32? {
        guard remaining >= 4 else { return nil }
        defer { position += 4 }
        var value: UInt32 = 0
        for index in 0..<4 { value |= UInt32(bytes[position + index]) << UInt32(8 * index) }
        return value
    }

    mutating func u64() -> UInt64? {
        guard remaining >= 8 else { return nil }
        defer { position += 8 }
        var value: UInt64 = 0
        for index in 0..<8 { value |= UInt64(bytes[position + index]) << UInt64(8 * index) }
        return value
    }

    mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, remaining >= count else { return nil }
        defer { position += count }
        return bytes[position..<position + count]
    }
}
