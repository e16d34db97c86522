internal import CZlib

/// A raw deflate compressor (RFC 1951, zlib with windowBits -15, as ZIP method 8 requires) that is reset
/// and reused between entries: initialising zlib costs more than compressing a small file.
/// One per worker thread; not thread-safe.
final class Deflater {
    private let stream: UnsafeMutablePointer<z_stream>
    let level: Int

    init(level: Int) throws {
        self.level = level
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let code = pexify_deflateInit2(stream, Int32(level), Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY)
        guard code == Z_OK else {
            stream.deallocate()
            throw ZipError.zlib(operation: "deflateInit2", code: code, message: "level \(level)")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// Compresses a whole buffer in one call (the output is sized by `deflateBound`, so one call finishes).
    func compress(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
        deflateReset(stream)
        let bound = Int(deflateBound(stream, uLong(input.count)))
        return try [UInt8](unsafeUninitializedCapacity: bound) { output, written in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = uInt(input.count)
            stream.pointee.next_out = output.baseAddress
            stream.pointee.avail_out = uInt(bound)
            let code = deflate(stream, Z_FINISH)
            guard code == Z_STREAM_END else { throw zlibError("deflate", code) }
            written = bound - Int(stream.pointee.avail_out)
        }
    }

    /// Starts a new stream for `feed`.
    func reset() { deflateReset(stream) }

    /// Feeds one chunk of a stream; `finish` on the last. Compressed output goes to `sink` as produced.
    func feed(_ input: UnsafeRawBufferPointer, finish: Bool, output: UnsafeMutableRawBufferPointer,
              sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        while true {
            stream.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(output.count)
            let code = deflate(stream, finish ? Z_FINISH : Z_NO_FLUSH)
            guard code == Z_OK || code == Z_STREAM_END || code == Z_BUF_ERROR else { throw zlibError("deflate", code) }
            let produced = output.count - Int(stream.pointee.avail_out)
            if produced > 0 { try sink(UnsafeRawBufferPointer(rebasing: output[0..<produced])) }
            if code == Z_STREAM_END { return }
            if !finish && stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 { return }
        }
    }

    private func zlibError(_ operation: String, _ code: Int32) -> ZipError {
        let message = stream.pointee.msg.map { String(cString: $0) } ?? "no message"
        return .zlib(operation: operation, code: code, message: message)
    }
}
