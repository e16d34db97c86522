import Foundation

/// The result of the work done before an entry's local header can be written: its CRC and sizes must be
/// known up front because we write no data descriptors.
enum PreparedEntry: Sendable {
    /// A directory, or a raw copy (the writer streams those itself: nothing to compute).
    case nothing
    /// Content held in memory, stored or deflated.
    case memory(method: CompressionMethod, crc: UInt32, uncompressedSize: UInt64, data: [UInt8])
    /// A large file deflated into a temp file.
    case spilled(crc: UInt32, uncompressedSize: UInt64, compressedSize: UInt64, spillPath: String)
    /// A large file stored as is; the writer streams it from the source and checks the CRC again.
    case storedFile(crc: UInt32, size: UInt64, path: String)
}

extension ArchiveEntry {
    /// Whether CRC and sizes must be computed before the entry can be written (new content); directories
    /// and raw copies are written straight away.
    var needsPreparation: Bool {
        switch content {
        case .directory, .rawCopy: return false
        case .bytes, .file: return true
        }
    }
}

/// Computes CRC and compressed bytes for one entry; one per worker thread (it owns a zlib stream).
struct EntryPreparer {
    let policy: ArchivePolicy
    let spillDirectory: String
    private let deflater: Deflater?

    init(policy: ArchivePolicy, spillDirectory: String) throws {
        self.policy = policy
        self.spillDirectory = spillDirectory
        deflater = policy.compressionLevel > 0 ? try Deflater(level: policy.compressionLevel) : nil
    }

    func prepare(_ entry: ArchiveEntry, index: Int) throws -> PreparedEntry {
        switch entry.content {
        case .directory, .rawCopy: return .nothing
        case .bytes(let bytes): return try compress(bytes)
        case .file(let path):
            let file = try ReadOnlyFile(path: path)
            if file.size > UInt64(policy.spillThreshold) { return try compressLarge(file, index: index) }
            let bytes = try file.read(count: Int(file.size), at: 0)
            guard bytes.count == Int(file.size) else {
                throw ZipError.sourceChanged(path: path, detail: "expected \(file.size) bytes, read \(bytes.count)")
            }
            return try compress(bytes)
        }
    }

    /// Deflates `bytes` unless that would not make them smaller (always true for empty content):
    /// then they are stored, which readers handle faster.
    private func compress(_ bytes: [UInt8]) throws -> PreparedEntry {
        let crc = CRC32.checksum(bytes)
        let size = UInt64(bytes.count)
        if let deflater, !bytes.isEmpty {
            let compressed = try bytes.withUnsafeBytes { try deflater.compress($0) }
            if compressed.count < bytes.count {
                return .memory(method: .deflated, crc: crc, uncompressedSize: size, data: compressed)
            }
        }
        return .memory(method: .stored, crc: crc, uncompressedSize: size, data: bytes)
    }

    /// Streams a large file through CRC and deflate into a temp file, so memory stays at two buffers.
    private func compressLarge(_ file: ReadOnlyFile, index: Int) throws -> PreparedEntry {
        var crc = CRC32()
        guard let deflater else {
            try streamChunks(from: file, at: 0, length: file.size, entry: file.path) { crc.update($0) }
            return .storedFile(crc: crc.value, size: file.size, path: file.path)
        }
        let spillPath = spillDirectory + "/\(index)"
        let spill = try OutputFile(creating: spillPath, permissions: 0o600)
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 16)
        defer { output.deallocate() }
        deflater.reset()
        var remaining = file.size
        do {
            try streamChunks(from: file, at: 0, length: file.size, entry: file.path) { chunk in
                crc.update(chunk)
                remaining -= UInt64(chunk.count)
                try deflater.feed(chunk, finish: remaining == 0, output: output) { try spill.write($0) }
            }
            try spill.flush()
        } catch ZipError.truncated {
            throw ZipError.sourceChanged(path: file.path, detail: "it became shorter than \(file.size) bytes")
        }
        guard spill.offset < file.size else {
            unlink(spillPath)
            return .storedFile(crc: crc.value, size: file.size, path: file.path)
        }
        return .spilled(crc: crc.value, uncompressedSize: file.size, compressedSize: spill.offset, spillPath: spillPath)
    }
}
