import CZlib
import Foundation

/// Reads `<name>.dist-info/METADATA` out of a wheel without unpacking it: the end-of-central-
/// directory record, one central-directory lookup, one local header, one inflate. Only what a
/// resolver needs; the strict archive reader lives in the Pex target.
enum WheelMetadataReader {
    static func metadata(ofWheel path: String) throws -> Data {
        func fail(_ reason: String) -> IndexError { .metadataUnavailable(file: path, reason: reason) }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw fail("the file cannot be opened") }
        defer { try? handle.close() }
        let fileSize = try handle.seekToEnd()
        let tailLength = min(fileSize, 65_557)
        try handle.seek(toOffset: fileSize - tailLength)
        let tail = [UInt8](try handle.read(upToCount: Int(tailLength)) ?? Data())
        guard tail.count >= 22,
              let eocd = stride(from: tail.count - 22, through: 0, by: -1).first(where: {
                  tail.uint32(at: $0) == 0x0605_4b50 }) else {
            throw fail("it is not a zip archive (no end-of-central-directory record)")
        }
        let directorySize = UInt64(tail.uint32(at: eocd + 12))
        let directoryOffset = UInt64(tail.uint32(at: eocd + 16))
        guard directoryOffset != 0xFFFF_FFFF, directoryOffset + directorySize <= fileSize else {
            throw fail("its central directory is out of range or zip64, which is not read here")
        }
        try handle.seek(toOffset: directoryOffset)
        let directory = [UInt8](try handle.read(upToCount: Int(directorySize)) ?? Data())
        var cursor = 0
        while cursor + 46 <= directory.count, directory.uint32(at: cursor) == 0x0201_4b50 {
            let method = directory.uint16(at: cursor + 10)
            let compressedSize = Int(directory.uint32(at: cursor + 20))
            let uncompressedSize = Int(directory.uint32(at: cursor + 24))
            let nameLength = Int(directory.uint16(at: cursor + 28))
            let extraLength = Int(directory.uint16(at: cursor + 30))
            let commentLength = Int(directory.uint16(at: cursor + 32))
            let localOffset = UInt64(directory.uint32(at: cursor + 42))
            guard cursor + 46 + nameLength <= directory.count else { break }
            let name = String(decoding: directory[(cursor + 46)..<(cursor + 46 + nameLength)], as: UTF8.self)
            cursor += 46 + nameLength + extraLength + commentLength
            let parts = name.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].hasSuffix(".dist-info"), parts[1] == "METADATA" else { continue }
            try handle.seek(toOffset: localOffset)
            let header = [UInt8](try handle.read(upToCount: 30) ?? Data())
            guard header.count == 30, header.uint32(at: 0) == 0x0403_4b50 else {
                throw fail("the local header of \(name) is damaged")
            }
            try handle.seek(toOffset: localOffset + 30 + UInt64(header.uint16(at: 26)) + UInt64(header.uint16(at: 28)))
            let compressed = [UInt8](try handle.read(upToCount: compressedSize) ?? Data())
            guard compressed.count == compressedSize else { throw fail("\(name) is truncated") }
            switch method {
            case 0: return Data(compressed)
            case 8:
                guard let inflated = inflateRaw(compressed, expectedSize: uncompressedSize) else {
                    throw fail("\(name) does not inflate")
                }
                return inflated
            default: throw fail("\(name) uses compression method \(method)")
            }
        }
        throw fail("it has no *.dist-info/METADATA entry")
    }

    private static func inflateRaw(_ input: [UInt8], expectedSize: Int) -> Data? {
        var stream = z_stream()
        guard pexify_inflateInit2(&stream, -15) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: max(expectedSize, 1))
        var input = input
        let status = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = UInt32(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = UInt32(outBuffer.count)
                return inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END, Int(stream.total_out) == expectedSize else { return nil }
        return Data(output[0..<expectedSize])
    }
}

extension [UInt8] {
    func uint16(at offset: Int) -> UInt16 { UInt16(self[offset]) | UInt16(self[offset + 1]) << 8 }
    func uint32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) | UInt32(self[offset + 1]) << 8 | UInt32(self[offset + 2]) << 16
            | UInt32(self[offset + 3]) << 24
    }
}
