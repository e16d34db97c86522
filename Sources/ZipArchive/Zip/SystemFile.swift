import CFileSystem
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Bytes read by position: a file on disk, or the pieces of a remote archive fetched by range.
protocol PositionalBytes {
    /// How messages name the archive.
    var path: String { get }
    var size: UInt64 { get }
    /// Reads `count` bytes at `offset`, or fewer at the end.
    func read(count: Int, at offset: UInt64) throws -> [UInt8]
}

/// An open read-only file read with positional reads (`pread`), so several threads can share one
/// descriptor without a shared seek position. Closed when the last reference goes away.
final class ReadOnlyFile: Sendable, PositionalBytes {
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
/// A block stops short of the next hole: the start of an entry's data too large to be worth reading
/// through, which the caller reads another way or not at all.
final class ReadWindow {
    let file: ReadOnlyFile
    /// Offsets where large data starts, sorted.
    private let holes: [UInt64]
    private let block = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 16)
    private var blockStart: UInt64 = 0
    private var filled = 0
    static let blockSize = 64 << 10

    init(_ file: ReadOnlyFile, holes: [UInt64] = []) {
        self.file = file
        self.holes = holes.sorted()
    }

    deinit { block.deallocate() }

    /// Calls `body` with the `count` bytes at `offset`, or fewer where the file ends.
    func withBytes<Result>(at offset: UInt64, count: Int,
                           _ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result {
        if count > Self.blockSize { return try file.read(count: count, at: offset).withUnsafeBytes(body) }
        let end = offset + UInt64(count)
        if offset < blockStart || end > blockStart + UInt64(filled) {
            var limit = offset + UInt64(Self.blockSize)
            // The first hole at or after `end` (a hole before it is inside what the caller asked for).
            var low = 0, high = holes.count
            while low < high {
                let middle = (low + high) / 2
                if holes[middle] < end { low = middle + 1 } else { high = middle }
            }
            if low < holes.count { limit = min(limit, holes[low]) }
            filled = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: block[..<Int(limit - offset)]), at: offset)
            blockStart = offset
        }
        let start = Int(offset - blockStart)
        return try body(UnsafeRawBufferPointer(rebasing: block[start..<min(start + count, filled)]))
    }
}

/// The archive being written: a buffered sink that knows its offset from byte 0 of the file. Every write
/// is positional (`pwrite`), so a large entry can be copied by a background thread into its range while
/// the bytes after it are written; each byte is still written once, in a layout decided front to back.
final class OutputFile {
    let path: String
    private let descriptor: Int32
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
    private var used = 0
    /// The file offset of the buffer's first byte: always `offset - used`.
    private var bufferStart: UInt64 = 0
    private(set) var offset: UInt64 = 0
    private var copier: BackgroundCopier?

    /// Creates `path` exclusively (it must not exist) with the given permission bits.
    init(creating path: String, permissions: UInt16) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(permissions))
        guard fd >= 0 else {
            buffer.deallocate()
            throw ZipError.io(path: path, operation: "create", errno: errno)
        }
        self.path = path
        descriptor = fd
    }

    /// Allocates the first `length` bytes of the file before they are written, as a hint: on ext4 the
    /// writes that follow then skip delayed allocation (a quarter of a large copy's time), and a rename
    /// over an existing archive has no delayed blocks to force out. `length` must not exceed what will be
    /// written, since it also sets the file's size. Where the file system cannot, nothing changes.
    func preallocate(_ length: UInt64) {
        _ = pexify_preallocate(descriptor, Int64(length))
    }

    deinit {
        copier?.cancel()
        close(descriptor)
        buffer.deallocate()
    }

    func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        if used + bytes.count > buffer.count { try flush() }
        if bytes.count >= buffer.count {
            try writeAll(descriptor, path: path, bytes, at: offset)
            bufferStart += UInt64(bytes.count)
        } else if let source = bytes.baseAddress {
            (buffer.baseAddress! + used).copyMemory(from: source, byteCount: bytes.count)
            used += bytes.count
        }
        offset += UInt64(bytes.count)
    }

    /// Appends what `build` writes (at most `maxCount` bytes) straight into the buffer.
    func append(upTo maxCount: Int, _ build: (inout ByteWriter) -> Void) throws {
        if used + maxCount > buffer.count { try flush() }
        var writer = ByteWriter(UnsafeMutableRawBufferPointer(rebasing: buffer[used...]))
        build(&writer)
        used += writer.count
        offset += UInt64(writer.count)
    }

    /// Copies `length` bytes at `sourceOffset` of `source` into the archive, in the kernel where it can.
    func copy(from source: ReadOnlyFile, at sourceOffset: UInt64, length: UInt64, entry: String) throws {
        try flush()
        try copyRange(from: source, at: sourceOffset, length: length, entry: entry,
                      to: descriptor, path: path, at: offset)
        offset += length
        bufferStart = offset
    }

    /// Has a background thread with its own descriptor copy `length` bytes at `sourceOffset` of `source`
    /// to `destinationOffset`, a range the caller will `skip`, while it goes on writing. The copy's errors
    /// come out of a later call, at the latest `finish`.
    func copyInBackground(from source: ReadOnlyFile, at sourceOffset: UInt64, length: UInt64, entry: String,
                          to destinationOffset: UInt64) throws {
        if copier == nil { copier = try BackgroundCopier(path: path) }
        try copier!.submit(.init(source: source, sourceOffset: sourceOffset, length: length,
                                 destinationOffset: destinationOffset, entry: entry))
    }

    /// Whether `copyInBackground` from `source` would start without waiting for earlier copies.
    func acceptsBackgroundCopy(from source: ReadOnlyFile) -> Bool {
        copier?.acceptsWithoutWaiting(source) ?? true
    }

    /// Moves past `length` bytes that a background copy fills.
    func skip(_ length: UInt64) throws {
        try flush()
        offset += length
        bufferStart = offset
    }

    func flush() throws {
        guard used > 0 else { return }
        try writeAll(descriptor, path: path, UnsafeRawBufferPointer(rebasing: buffer[..<used]), at: bufferStart)
        bufferStart += UInt64(used)
        used = 0
    }

    /// Writes what is buffered and waits for the background copies: then the file is complete.
    func finish() throws {
        try flush()
        try copier?.finish()
    }
}

/// Writes all of `bytes` at `offset` of the file open as `descriptor`.
func writeAll(_ descriptor: Int32, path: String, _ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws {
    var done = 0
    while done < bytes.count {
        let count = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
        if count < 0 {
            if errno == EINTR { continue }
            throw ZipError.io(path: path, operation: "write", errno: errno)
        }
        done += count
    }
}

/// Copies `length` bytes at `sourceOffset` of `source` to `destinationOffset` of the file open as
/// `descriptor`: in the kernel where it can (`sendfile`, Linux), else through a bounded buffer. `sendfile`
/// writes at the descriptor's own position, so the descriptor must not be shared across threads.
func copyRange(from source: ReadOnlyFile, at sourceOffset: UInt64, length: UInt64, entry: String,
               to descriptor: Int32, path: String, at destinationOffset: UInt64) throws {
    var copied: UInt64 = 0
    #if os(Linux)
    guard lseek(descriptor, off_t(destinationOffset), SEEK_SET) >= 0 else {
        throw ZipError.io(path: path, operation: "seek in", errno: errno)
    }
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
        var written = destinationOffset + copied
        try streamChunks(from: source, at: sourceOffset + copied, length: length - copied, entry: entry) {
            try writeAll(descriptor, path: path, $0, at: written)
            written += UInt64($0.count)
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
