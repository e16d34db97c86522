/// Streams the uncompressed bytes of `entry` (stored or inflated) to `sink` through bounded buffers,
/// checking that they have the declared size and CRC-32. Errors name `archive` and the entry.
/// - Parameter limit: decode only the first `limit` bytes (an ELF header, a table near the start):
///   decoding stops there, and the CRC-32, which covers the whole entry, is not computed.
func decodeEntry(_ entry: ZipEntry, in file: ReadOnlyFile, limit: UInt64 = .max,
                 sink: (UnsafeRawBufferPointer) throws -> Void) throws {
    EntryDecodeCount.record(file.path)
    let whole = limit >= entry.uncompressedSize
    var crc = CRC32()
    var produced: UInt64 = 0
    func consume(_ chunk: UnsafeRawBufferPointer) throws {
        let before = produced
        produced += UInt64(chunk.count)
        guard produced <= entry.uncompressedSize else {
            throw ZipError.sizeMismatch(archive: file.path, entry: entry.name, expected: entry.uncompressedSize,
                                        actual: produced)
        }
        guard !whole else {
            crc.update(chunk)
            return try sink(chunk)
        }
        try sink(UnsafeRawBufferPointer(rebasing: chunk.prefix(Int(min(UInt64(chunk.count), limit - before)))))
        if produced >= limit { throw LimitReached() }
    }
    do {
        try decode(entry, in: file, consume)
    } catch is LimitReached {
        return
    }
    guard produced == entry.uncompressedSize else {
        throw ZipError.sizeMismatch(archive: file.path, entry: entry.name, expected: entry.uncompressedSize,
                                    actual: produced)
    }
    guard crc.value == entry.crc32 else {
        throw ZipError.crcMismatch(archive: file.path, entry: entry.name, expected: entry.crc32, actual: crc.value)
    }
}

private struct LimitReached: Error {}

/// Hands the stored or inflated bytes of `entry` to `consume`, checking the deflate stream's own framing.
private func decode(_ entry: ZipEntry, in file: ReadOnlyFile, _ consume: (UnsafeRawBufferPointer) throws -> Void) throws {
    switch entry.method {
    case .stored:
        try streamChunks(from: file, at: entry.dataOffset, length: entry.compressedSize, entry: entry.name, consume)
    case .deflated:
        let inflater = try Inflater()
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 16)
        defer { output.deallocate() }
        var finished = entry.compressedSize == 0 && entry.uncompressedSize == 0
        var fed: UInt64 = 0
        do {
            try streamChunks(from: file, at: entry.dataOffset, length: entry.compressedSize, entry: entry.name) { chunk in
                guard !finished else { throw InflateFailure(message: "data continues after the end of the stream") }
                var unused = 0
                fed += UInt64(chunk.count)
                if try inflater.feed(chunk, output: output, unused: &unused, sink: consume) == .finished {
                    finished = true
                    if unused > 0 || fed < entry.compressedSize {
                        throw InflateFailure(message: "the deflate stream ends before the declared compressed size")
                    }
                }
            }
        } catch let failure as InflateFailure {
            throw ZipError.corruptData(archive: file.path, entry: entry.name, detail: failure.message)
        }
        guard finished else {
            throw ZipError.corruptData(archive: file.path, entry: entry.name,
                                       detail: "the deflate stream is incomplete")
        }
    }
}
