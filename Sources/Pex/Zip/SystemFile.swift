import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An open read-only file read with positional reads (`pread`), so several threads can share one
/// descriptor without a shared seek position. Closed when the last reference goes away.
final class ReadOnlyFile: Sendable {
    let path: String
    let descriptor: Int32
    let size: UInt64

    init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ZipError.io(path: path, operation: "open", errno: errno) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw ZipError.io(path: path, operation: "stat", errno: code)
        }
        self.path = path
        descriptor = fd
        size = UInt64(info.st_size)
    }

    deinit { close(descriptor) }

    /// Reads up to `buffer.count` bytes at `offset`; returns fewer only at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws -> Int {
        var done = 0
        while done < buffer.count {
            let count = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if count < 0 {
                if errno == EINTR { continue }
                throw ZipError.io(path: path, operation: "read", errno: errno)
            }
            if count == 0 { break }
            done += count
        }
        return done
    }

    /// Reads `count` bytes at `offset`, or fewer at the end of the file.
    func read(count: Int, at offset: UInt64) throws -> [UInt8] {
        try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = try read(into: UnsafeMutableRawBufferPointer(buffer), at: offset)
        }
    }
}

/// Serves small positional reads from one larger block, so walking many small neighbouring records (a
/// wheel's local headers, its small entries) costs one `pread` per block instead of one per record.
final class ReadWindow {
    let file: ReadOnlyFile
    private var block: [UInt8] = []
    private var blockStart: UInt64 = 0
    static let blockSize = 64 << 10

    init(_ file: ReadOnlyFile) { self.file = file }

    /// Calls `body` with the `count` bytes at `offset`, or fewer where the file ends.
    func withBytes<Result>(at offset: UInt64, count: Int,
                           _ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result {
        if count > Self.blockSize { return try file.read(count: count, at: offset).withUnsafeBytes(body) }
        if offset < blockStart || offset + UInt64(count) > blockStart + UInt64(block.count) {
            if block.count != Self.blockSize { block = [UInt8](repeating: 0, count: Self.blockSize) }
            let filled = try block.withUnsafeMutableBytes { try file.read(into: $0, at: offset) }
            block.removeLast(Self.blockSize - filled)
            blockStart = offset
        }
        let start = Int(offset - blockStart)
        return try block.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<min(start + count, block.count)])) }
    }
}

/// The archive being written: a forward-only buffered sink that knows its offset from byte 0 of the file.
final class OutputFile {
    let path: String
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private let capacity = 1 << 20
    private(set) var offset: UInt64 = 0

    /// Creates `path` exclusively (it must not exist) with the given permission bits.
    init(creating path: String, permissions: UInt16) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(permissions))
        guard fd >= 0 else { throw ZipError.io(path: path, operation: "create", errno: errno) }
        self.path = path
        descriptor = fd
        buffer.reserveCapacity(capacity)
    }

    deinit { close(descriptor) }

    func write<C: Collection>(_ bytes: C) throws where C.Element == UInt8 {
        if buffer.count + bytes.count > capacity { try flush() }
        if bytes.count >= capacity {
            try [UInt8](bytes).withUnsafeBytes { try writeAll($0) }
        } else {
            buffer.append(contentsOf: bytes)
        }
        offset += UInt64(bytes.count)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count > capacity { try flush() }
        if bytes.count >= capacity {
            try writeAll(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
        offset += UInt64(bytes.count)
    }

    /// Copies `length` bytes at `sourceOffset` of `source` into the archive, in the kernel where it can
    /// (`sendfile` between files, Linux), else through a bounded buffer. Never holds the whole range.
    func copy(from source: ReadOnlyFile, at sourceOffset: UInt64, length: UInt64, entry: String) throws {
        try flush()
        var copied: UInt64 = 0
        #if os(Linux)
        var position = off_t(sourceOffset)
        while copied < length {
            let chunk = Int(min(length - copied, 1 << 30))
            let count = sendfile(descriptor, source.descriptor, &position, chunk)
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EINVAL || errno == ENOSYS { break }   // not supported here: use the buffer
                throw ZipError.io(path: source.path, operation: "copy entry '\(entry)' from", errno: errno)
            }
            if count == 0 {
                throw ZipError.truncated(archive: source.path, entry: entry, detail: "the data ends early")
            }
            copied += UInt64(count)
        }
        #endif
        if copied < length {
            try streamChunks(from: source, at: sourceOffset + copied, length: length - copied, entry: entry) { try write($0) }
        }
        offset += copied
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let count = Glibc.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if count < 0 {
                if errno == EINTR { continue }
                throw ZipError.io(path: path, operation: "write", errno: errno)
            }
            done += count
        }
    }
}

/// Hands `length` bytes of `source` starting at `offset` to `body` in chunks of at most 1 MiB, through
/// one reused buffer; throws `truncated` naming `entry` when the file ends early.
func streamChunks(from source: ReadOnlyFile, at offset: UInt64, length: UInt64, entry: String,
                  _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
    let chunkSize = Int(min(length, 1 << 20))
    guard chunkSize > 0 else { return }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
    defer { buffer.deallocate() }
    var done: UInt64 = 0
    while done < length {
        let want = Int(min(UInt64(chunkSize), length - done))
        let slice = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want])
        let count = try source.read(into: slice, at: offset + done)
        guard count == want else {
            throw ZipError.truncated(archive: source.path, entry: entry,
                                     detail: "expected \(length) bytes at offset \(offset), found \(done + UInt64(count))")
        }
        try body(UnsafeRawBufferPointer(slice))
        done += UInt64(count)
    }
}
