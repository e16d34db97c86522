internal import CZlib

/// CRC-32 as ZIP uses it (APPNOTE 4.4.7: reflected polynomial 0xEDB88320), computed by zlib's `crc32_z`.
struct CRC32: Sendable {
    private(set) var value: UInt32 = 0

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        value = UInt32(crc32_z(UInt(value), base.assumingMemoryBound(to: Bytef.self), Int(bytes.count)))
    }

    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBytes { checksum($0) } }
}
