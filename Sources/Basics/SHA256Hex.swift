import Crypto
import Foundation

/// The lower-case hex SHA-256 of `bytes`: the identity of a wheel (PEP 427 RECORD hashes aside, which
/// are base64) and of everything keyed by content.
public func sha256Hex(_ bytes: some DataProtocol) -> String {
    hex(sha256Digest(bytes))
}

/// The SHA-256 digest of `bytes` (for RECORD's base64 form, PEP 376).
public func sha256Digest(_ bytes: some DataProtocol) -> [UInt8] {
    Array(SHA256.hash(data: bytes))
}

/// The lower-case hex SHA-256 of a file, read in 1 MiB chunks so files of any size hash in constant memory.
/// - Throws: ``FileAccessError`` when the file cannot be opened or read.
public func sha256Hex(ofFile path: String) throws(FileAccessError) -> String {
    guard let handle = FileHandle(forReadingAtPath: path) else {
        throw FileAccessError(path: path, operation: "open for reading", reason: "it does not exist or is not readable")
    }
    defer { try? handle.close() }
    var hasher = SHA256()
    do {
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
    } catch {
        throw FileAccessError(path: path, operation: "read", reason: error.localizedDescription)
    }
    return hex(hasher.finalize())
}

/// Lower-case hex of any bytes (a digest, a MAC).
public func hex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    text.reserveCapacity(64)
    for byte in bytes {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: text, as: UTF8.self)
}
