internal import CZlib

/// Decompresses a raw deflate stream (ZIP method 8) chunk by chunk, counting and CRC-ing the output so the
/// caller can check both against the entry's headers.
final class Inflater {
    private let stream: UnsafeMutablePointer<z_stream>

    init() throws {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let code = pexify_inflateInit2(stream, -MAX_WBITS)
        guard code == Z_OK else {
            stream.deallocate()
            throw ZipError.zlib(operation: "inflateInit2", code: code, message: "raw deflate")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    enum Progress { case needsInput, finished }

    /// Feeds compressed bytes; decompressed output goes to `sink`. Returns `.finished` at the end of the
    /// deflate stream (then `unused` bytes of input were left over). Throws a description on corrupt data.
    func feed(_ input: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer,
              unused: inout Int, sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Progress {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        while true {
            stream.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(output.count)
            let code = inflate(stream, Z_NO_FLUSH)
            let produced = output.count - Int(stream.pointee.avail_out)
            if produced > 0 { try sink(UnsafeRawBufferPointer(rebasing: output[0..<produced])) }
            switch code {
            case Z_STREAM_END:
                unused = Int(stream.pointee.avail_in)
                return .finished
            case Z_OK, Z_BUF_ERROR:
                if stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 { return .needsInput }
                if code == Z_BUF_ERROR && produced == 0 { return .needsInput }
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib code \(code)"
                throw InflateFailure(message: message)
            }
        }
    }
}

struct InflateFailure: Error { var message: String }
