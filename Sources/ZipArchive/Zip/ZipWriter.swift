import Basics
import Foundation

/// What `ZipWriter.write` produced.
public struct ZipWriteResult: Sendable, Hashable {
    public var entryCount: Int
    /// Size of the output file, prefix included.
    public var byteCount: UInt64
    /// Whether any zip64 record or extra field was needed (CPython < 3.13 zipimport cannot read those).
    public var usesZip64: Bool
}

/// Writes deterministic ZIP archives (APPNOTE 6.3.10) in one pass: every local header is complete (no
/// data descriptors) and every byte is written once, at an offset decided front to back; nothing is
/// patched afterwards. Large raw copies are done by a background thread into ranges laid out ahead of
/// time, while the headers and small entries around them are written.
///
/// Metadata is fixed by policy: DOS time 1980-01-01 00:00, "made by" Unix with modes 0100644/0100755 and
/// 040755 for directories, no extra fields except zip64 when a value needs it, the UTF-8 flag exactly
/// when a name is not ASCII, entries in plan order. Zip64 end records appear only when the archive
/// needs them (65,535+ entries or a central directory beyond 4 GiB), laid out as CPython 3.13's
/// zipimport requires: 56-byte record, locator, end record, back to back.
public enum ZipWriter {
    /// Writes `plan` after `prefix` (e.g. a shebang line) into `path`, with all offsets absolute from
    /// byte 0 of the file. The archive is written to a temp file next to `path` and renamed into place
    /// on success; on failure the temp file is removed and `path` is untouched.
    /// - Parameters:
    ///   - comment: the archive comment of the end record (APPNOTE 4.3.16), at most 65,535 bytes and
    ///     without the end record's signature (CPython's zipfile takes the last one it finds for the record).
    ///   - permissions: mode bits of the output file (0o755 for an executable zipapp).
    @discardableResult
    public static func write(_ plan: ArchivePlan, prefix: [UInt8] = [], comment: [UInt8] = [], to path: String,
                             policy: ArchivePolicy = .default, permissions: UInt16 = 0o644) throws -> ZipWriteResult {
        precondition(comment.count <= Int(ZipFormat.max16) && !comment.indices.dropLast(3).contains {
            comment[$0] == 0x50 && comment[$0 + 1] == 0x4B && comment[$0 + 2] == 0x05 && comment[$0 + 3] == 0x06
        }, "a zip archive comment holds at most 65,535 bytes and no end record signature")
        let entries = plan.entries
        let sizes = try entries.map(contentSize)
        let spills = entries.indices.map { index in
            if case .file = entries[index].content { return sizes[index] > policy.spillThreshold }
            return false
        }
        let costs = entries.indices.map { spills[$0] ? spilledCost : 2 * sizes[$0] + 64 }
        AtomicFile.removeStaleTemporaries(beside: path)
        let tempPath = AtomicFile.temporaryPath(beside: path)
        let spillDirectory = String(tempPath.dropLast(".tmp".count)) + ".spill"
        let needsSpill = spills.contains(true)
        if needsSpill {
            guard mkdir(PartialFiles.track(spillDirectory), 0o700) == 0 else {
                PartialFiles.release(spillDirectory)
                throw ZipError.io(path: spillDirectory, operation: "create directory", errno: errno)
            }
        }
        defer {
            if needsSpill {
                try? FileManager.default.removeItem(atPath: spillDirectory)
                PartialFiles.release(spillDirectory)
            }
        }
        do {
            let output = try OutputFile(creating: tempPath, permissions: permissions)
            output.preallocate(Self.leastSize(of: entries, prefix: prefix, comment: comment))
            let pending = entries.indices.filter { entries[$0].needsPreparation }
            func prepare(_ items: [Int], consume: (Int, PreparedEntry) throws -> Void) throws {
                try OrderedPipeline.run(
                    count: items.count, workers: policy.jobs, maxCostInFlight: policy.maxBytesInFlight,
                    maxItemsInFlight: 4096, cost: { costs[items[$0]] },
                    readyOutput: { entries[items[$0]].needsPreparation ? nil : PreparedEntry.nothing },
                    makeWorker: { try EntryPreparer(policy: policy, spillDirectory: spillDirectory) },
                    prepare: { worker, position in try worker.prepare(entries[items[position]], index: items[position]) },
                    consume: { position, prepared in try consume(items[position], prepared) })
            }
            var emitter: ArchiveEmitter
            if pending.reduce(0, { $0 + costs[$1] }) <= policy.maxBytesInFlight {
                // Little new content (rewritten RECORDs, a handler shim, PEX-INFO): prepared first, so that
                // every entry's size is known before the first byte is written and the background copier
                // starts on the large raw copies at once, while this thread writes everything else.
                var prepared = [PreparedEntry](repeating: .nothing, count: entries.count)
                try prepare(pending) { index, entry in prepared[index] = entry }
                emitter = ArchiveEmitter(output: output, entries: entries, prepared: prepared)
                try output.write(prefix)
                for index in entries.indices { try emitter.emit(at: index, prepared[index]) }
            } else {
                emitter = ArchiveEmitter(output: output, entries: entries, prepared: nil)
                try output.write(prefix)
                try prepare(Array(entries.indices)) { index, entry in try emitter.emit(at: index, entry) }
            }
            let usesZip64 = try emitter.finish(comment: comment)
            try output.finish()
            try AtomicFile.moveIntoPlace(tempPath, path)
            return ZipWriteResult(entryCount: entries.count, byteCount: output.offset, usesZip64: usesZip64)
        } catch {
            unlink(tempPath)
            PartialFiles.release(tempPath)
            throw error
        }
    }

    /// Whether writing `plan` may need zip64 records: more than 65,534 entries, or sizes that could put
    /// an entry or the central directory beyond 4 GiB (counting new content as if stored). Callers use
    /// it to warn before building for CPython < 3.13, whose zipimport cannot read zip64 archives.
    public static func requiresZip64(_ plan: ArchivePlan) -> Bool {
        if plan.count >= Int(ZipFormat.max16) { return true }
        var total: UInt64 = 0
        for entry in plan.unorderedEntries {
            let size: UInt64
            switch entry.content {
            case .directory: size = 0
            case .bytes(let bytes): size = UInt64(bytes.count)
            case .file(let path):
                var info = stat()
                size = stat(path, &info) == 0 ? UInt64(info.st_size) : 0
            case .rawCopy(_, let source): size = max(source.compressedSize, source.uncompressedSize)
            }
            if size >= ZipFormat.max32 { return true }
            total += size + UInt64(ZipFormat.localHeaderSize + ZipFormat.centralHeaderSize + 2 * entry.path.utf8.count)
        }
        return total >= ZipFormat.max32
    }

    /// The fewest bytes the archive can have: headers without zip64 extras, raw copies at their size, and
    /// new content as if it compressed to nothing.
    private static func leastSize(of entries: ArchivePlan.OrderedEntries, prefix: [UInt8], comment: [UInt8]) -> UInt64 {
        var total = UInt64(prefix.count + ZipFormat.endRecordSize + comment.count)
        for entry in entries {
            total += UInt64(ZipFormat.localHeaderSize + ZipFormat.centralHeaderSize + 2 * entry.path.utf8.count)
            if case let .rawCopy(_, source) = entry.content { total += source.compressedSize }
        }
        return total
    }

    /// Size of the new content an entry brings (0 for directories and raw copies, which need no memory).
    private static func contentSize(of entry: ArchiveEntry) throws -> Int {
        switch entry.content {
        case .directory, .rawCopy: return 0
        case .bytes(let bytes): return bytes.count
        case .file(let path):
            var info = stat()
            guard stat(path, &info) == 0 else { throw ZipError.io(path: path, operation: "read", errno: errno) }
            return Int(info.st_size)
        }
    }

    /// Spilled entries hold two 256 KiB buffers while in flight.
    private static let spilledCost = 512 << 10
}

/// Emits local headers and data in plan order (large raw copies through the background copier) and
/// remembers what the central directory needs: only the values not derivable from the plan (32 bytes an
/// entry), so memory per entry stays small.
private struct ArchiveEmitter {
    let output: OutputFile
    private var written: [WrittenEntry] = []
    private var usesZip64 = false
    private var archives: [String: ReadWindow] = [:]
    private var last: ReadWindow?
    /// Per source archive, where the data of its raw-copied entries larger than a window block starts:
    /// read-ahead for the small entries stops there instead of reading data `copy` sends through the kernel.
    private let holes: [String: [UInt64]]

    private let entries: ArchivePlan.OrderedEntries
    /// Every entry's prepared content, when all were prepared before writing (else new content is
    /// prepared as the writing goes, and its size is not known ahead).
    private let prepared: [PreparedEntry]?
    /// Entries before this index have been looked at by `dispatchCopies`.
    private var scanned = 0
    /// Where the data of each entry handed to the background copier goes, by entry index.
    private var dispatched: [Int: UInt64] = [:]

    init(output: OutputFile, entries: ArchivePlan.OrderedEntries, prepared: [PreparedEntry]?) {
        self.output = output
        self.entries = entries
        self.prepared = prepared
        written.reserveCapacity(entries.count)
        var holes: [String: [UInt64]] = [:]
        for entry in entries {
            if case let .rawCopy(archive, source) = entry.content, source.compressedSize > UInt64(ReadWindow.blockSize) {
                holes[archive, default: []].append(source.dataOffset)
            }
        }
        self.holes = holes
    }

    /// Hands the large raw copies in the run of entries from `index` on whose sizes are known before
    /// anything is written (directories, raw copies, new content already prepared) to the background
    /// copier, at the offsets they will have: the kernel copies them while this thread writes the headers
    /// and small entries around them. A scan stops before a copy the copier could only queue by waiting
    /// (too many source files open), so that this thread never waits for copies it has not yet written
    /// the headers around.
    private mutating func dispatchCopies(from index: Int) throws {
        var position = output.offset
        var next = index
        scan: while next < entries.count {
            let entry = entries[next]
            switch (entry.content, prepared?[next]) {
            case (.directory, _):
                position += UInt64(EntryHeader.localSize(path: entry.path, zip64: false))
            case let (.rawCopy(archivePath, source), _):
                position += UInt64(EntryHeader.localSize(path: entry.path, zip64: EntryHeader.sizesNeedZip64(source.compressedSize, source.uncompressedSize)))
                if Self.copiedInKernel(source) {
                    let archive = try openArchive(archivePath).file
                    // The entry about to be written is queued even if that waits: nothing else is left to do.
                    guard next == index || output.acceptsBackgroundCopy(from: archive) else { break scan }
                    try Self.checkRange(of: source, in: archive)
                    try output.copyInBackground(from: archive, at: source.dataOffset, length: source.compressedSize,
                                                entry: source.name, to: position)
                    dispatched[next] = position
                }
                position += source.compressedSize
            case let (_, .some(.memory(_, _, uncompressedSize, data))):
                position += UInt64(EntryHeader.localSize(path: entry.path, zip64: EntryHeader.sizesNeedZip64(UInt64(data.count), uncompressedSize)))
                    + UInt64(data.count)
            case let (_, .some(.spilled(_, uncompressedSize, compressedSize, _))):
                position += UInt64(EntryHeader.localSize(path: entry.path, zip64: EntryHeader.sizesNeedZip64(compressedSize, uncompressedSize)))
                    + compressedSize
            case let (_, .some(.storedFile(_, size, _))):
                position += UInt64(EntryHeader.localSize(path: entry.path, zip64: EntryHeader.sizesNeedZip64(size, size))) + size
            case (.bytes, _), (.file, _):
                break scan
            }
            next += 1
        }
        scanned = max(next, index + 1)
    }

    /// Deflated entries larger than a read-ahead block are copied file to file in the kernel; stored ones
    /// pass through this process, which checks their CRC on the way.
    private static func copiedInKernel(_ source: ZipEntry) -> Bool {
        source.method != .stored && source.compressedSize > UInt64(ReadWindow.blockSize)
    }

    private static func checkRange(of source: ZipEntry, in archive: ReadOnlyFile) throws {
        guard source.dataOffset + source.compressedSize <= archive.size else {
            throw ZipError.truncated(archive: archive.path, entry: source.name,
                detail: "its data (\(source.compressedSize) bytes at offset \(source.dataOffset)) runs past the end of the file")
        }
    }

    mutating func emit(at index: Int, _ prepared: PreparedEntry) throws {
        if index >= scanned { try dispatchCopies(from: index) }
        let entry = entries[index]
        var header = EntryHeader(entry, WrittenEntry(method: .stored, crc: 0, compressedSize: 0, uncompressedSize: 0,
                                                     offset: output.offset))
        switch (entry.content, prepared) {
        case (.rawCopy(let archivePath, let source), _):
            let window = try openArchive(archivePath)
            let archive = window.file
            try Self.checkRange(of: source, in: archive)
            header.method = source.method
            header.crc = source.crc32
            header.compressedSize = source.compressedSize
            header.uncompressedSize = source.uncompressedSize
            try output.append(upTo: header.maxSize, header.writeLocal)
            if source.method == .stored {
                // Stored data is its own content: checking the CRC costs one pass over bytes we copy anyway.
                var crc = CRC32()
                try streamChunks(from: archive, at: source.dataOffset, length: source.compressedSize, entry: source.name) {
                    crc.update($0)
                    try output.write($0)
                }
                guard crc.value == source.crc32 else {
                    throw ZipError.crcMismatch(archive: archivePath, entry: source.name, expected: source.crc32, actual: crc.value)
                }
            } else if !Self.copiedInKernel(source) {
                // Most wheel entries are small and stored back to back: served from one read-ahead block.
                try window.withBytes(at: source.dataOffset, count: Int(source.compressedSize)) {
                    guard $0.count == Int(source.compressedSize) else {
                        throw ZipError.truncated(archive: archivePath, entry: source.name, detail: "the data ends early")
                    }
                    try output.write($0)
                }
            } else {
                // Handed to the background copier when its run of entries began (`dispatchCopies`).
                guard let destination = dispatched.removeValue(forKey: index), destination == output.offset else {
                    preconditionFailure("'\(entry.path)' was not laid out where its header ends")
                }
                try output.skip(source.compressedSize)
            }
        case (_, .nothing):
            try output.append(upTo: header.maxSize, header.writeLocal)
        case let (_, .memory(method, crc, size, data)):
            header.method = method
            header.crc = crc
            header.compressedSize = UInt64(data.count)
            header.uncompressedSize = size
            try output.append(upTo: header.maxSize, header.writeLocal)
            try output.write(data)
        case let (_, .spilled(crc, size, compressedSize, spillPath)):
            header.method = .deflated
            header.crc = crc
            header.compressedSize = compressedSize
            header.uncompressedSize = size
            try output.append(upTo: header.maxSize, header.writeLocal)
            let spill = try ReadOnlyFile(path: spillPath)
            try output.copy(from: spill, at: 0, length: compressedSize, entry: entry.path)
            unlink(spillPath)
        case let (_, .storedFile(crc, size, sourcePath)):
            header.crc = crc
            header.compressedSize = size
            header.uncompressedSize = size
            try output.append(upTo: header.maxSize, header.writeLocal)
            let source = try ReadOnlyFile(path: sourcePath)
            var check = CRC32()
            do {
                try streamChunks(from: source, at: 0, length: size, entry: sourcePath) {
                    check.update($0)
                    try output.write($0)
                }
            } catch ZipError.truncated {
                throw ZipError.sourceChanged(path: sourcePath, detail: "it became shorter than \(size) bytes")
            }
            guard check.value == crc else { throw ZipError.sourceChanged(path: sourcePath, detail: "its CRC-32 changed") }
        }
        usesZip64 = usesZip64 || header.needsZip64Extra
        written.append(header.written)
    }

    /// Writes the central directory for `entries` (the ones emitted, in order) and the end records;
    /// returns whether zip64 was used anywhere.
    mutating func finish(comment: [UInt8]) throws -> Bool {
        archives = [:]
        last = nil
        let directoryOffset = output.offset
        for (entry, values) in zip(entries, written) {
            let header = EntryHeader(entry, values)
            try output.append(upTo: header.maxSize, header.writeCentral)
        }
        let directorySize = output.offset - directoryOffset
        let entryCount = UInt64(written.count)
        let zip64 = entryCount >= ZipFormat.max16 || directorySize >= ZipFormat.max32 || directoryOffset >= ZipFormat.max32
        try output.append(upTo: ZipFormat.zip64EndRecordSize + ZipFormat.zip64LocatorSize + ZipFormat.endRecordSize) { end in
            if zip64 {
                let recordOffset = directoryOffset + directorySize
                end.u32(ZipFormat.zip64EndRecordSignature)
                end.u64(UInt64(ZipFormat.zip64EndRecordSize - 12))   // no extensible data: zipimport requires it
                end.u16(ZipFormat.hostUnix | ZipFormat.versionZip64)
                end.u16(ZipFormat.versionZip64)
                end.u32(0); end.u32(0)
                end.u64(entryCount); end.u64(entryCount)
                end.u64(directorySize); end.u64(directoryOffset)
                end.u32(ZipFormat.zip64LocatorSignature)
                end.u32(0); end.u64(recordOffset); end.u32(1)
            }
            // Only the fields that overflow are saturated (APPNOTE 4.4.1.4, as Go's archive/zip does).
            end.u32(ZipFormat.endRecordSignature)
            end.u16(0); end.u16(0)
            end.u16(UInt16(min(entryCount, ZipFormat.max16))); end.u16(UInt16(min(entryCount, ZipFormat.max16)))
            end.u32(UInt32(min(directorySize, ZipFormat.max32))); end.u32(UInt32(min(directoryOffset, ZipFormat.max32)))
            end.u16(UInt16(comment.count))
        }
        try output.write(comment)
        return usesZip64 || zip64
    }

    private mutating func openArchive(_ path: String) throws -> ReadWindow {
        // Runs of entries from one wheel are the rule: equal strings sharing storage compare in O(1).
        if let last, last.file.path == path { return last }
        if let open = archives[path] {
            last = open
            return open
        }
        if archives.count >= 16 { archives.removeAll() }   // plans are sorted by path, not by wheel
        let window = ReadWindow(try ReadOnlyFile(path: path), holes: holes[path] ?? [])
        archives[path] = window
        last = window
        return window
    }
}

/// What writing an entry decided: the header values that do not follow from the plan.
private struct WrittenEntry {
    var method: CompressionMethod
    var crc: UInt32
    var compressedSize: UInt64
    var uncompressedSize: UInt64
    var offset: UInt64
}

/// The fields of one entry's local and central headers (APPNOTE 4.3.7, 4.3.12), written straight into
/// the output buffer: an archive of 100k entries writes 200k headers.
private struct EntryHeader {
    var path: String
    var utf8: Bool
    var method: CompressionMethod
    var crc: UInt32
    var compressedSize: UInt64
    var uncompressedSize: UInt64
    var externalAttributes: UInt32
    var offset: UInt64

    init(_ entry: ArchiveEntry, _ values: WrittenEntry) {
        path = entry.path
        utf8 = EntryName.needsUTF8Flag(entry.path)
        let mode: UInt32 = entry.isDirectory ? ZipFormat.modeDirectory | 0o755
            : ZipFormat.modeRegular | (entry.executable ? 0o755 : 0o644)
        externalAttributes = mode << 16 | (entry.isDirectory ? ZipFormat.dosDirectoryAttribute : 0)
        method = values.method
        crc = values.crc
        compressedSize = values.compressedSize
        uncompressedSize = values.uncompressedSize
        offset = values.offset
    }

    var written: WrittenEntry {
        WrittenEntry(method: method, crc: crc, compressedSize: compressedSize, uncompressedSize: uncompressedSize,
                     offset: offset)
    }

    private var sizesNeedZip64: Bool { Self.sizesNeedZip64(compressedSize, uncompressedSize) }
    static func sizesNeedZip64(_ compressedSize: UInt64, _ uncompressedSize: UInt64) -> Bool {
        compressedSize >= ZipFormat.max32 || uncompressedSize >= ZipFormat.max32
    }
    /// The size of the local header `writeLocal` writes.
    static func localSize(path: String, zip64: Bool) -> Int {
        ZipFormat.localHeaderSize + path.utf8.count + (zip64 ? 20 : 0)
    }
    var needsZip64Extra: Bool { sizesNeedZip64 || offset >= ZipFormat.max32 }
    private var flags: UInt16 { utf8 ? ZipFormat.flagUTF8 : 0 }
    /// The longest a header can be: fixed part, name, and a zip64 extra with all three values.
    var maxSize: Int { ZipFormat.centralHeaderSize + path.utf8.count + 28 }

    func writeLocal(_ out: inout ByteWriter) {
        out.u32(ZipFormat.localHeaderSignature)
        out.u16(sizesNeedZip64 ? ZipFormat.versionZip64 : ZipFormat.versionDeflate)
        out.u16(flags)
        out.u16(method.rawValue)
        out.u16(ZipFormat.dosTime); out.u16(ZipFormat.dosDate)
        out.u32(crc)
        // A local zip64 extra carries both sizes, with both 32-bit fields saturated (4.5.3; uv rejects less).
        out.u32(sizesNeedZip64 ? UInt32(ZipFormat.max32) : UInt32(compressedSize))
        out.u32(sizesNeedZip64 ? UInt32(ZipFormat.max32) : UInt32(uncompressedSize))
        out.u16(UInt16(path.utf8.count))
        out.u16(sizesNeedZip64 ? 20 : 0)
        out.append(path)
        if sizesNeedZip64 {
            out.u16(ZipFormat.zip64ExtraID); out.u16(16)
            out.u64(uncompressedSize); out.u64(compressedSize)
        }
    }

    func writeCentral(_ out: inout ByteWriter) {
        // Central zip64 extra: only the saturated values, in the order uncompressed, compressed, offset.
        let wide: [UInt64] = needsZip64Extra ? [uncompressedSize, compressedSize, offset].filter { $0 >= ZipFormat.max32 } : []
        let version = needsZip64Extra ? ZipFormat.versionZip64 : ZipFormat.versionDeflate
        out.u32(ZipFormat.centralHeaderSignature)
        out.u16(ZipFormat.hostUnix | version)
        out.u16(version)
        out.u16(flags)
        out.u16(method.rawValue)
        out.u16(ZipFormat.dosTime); out.u16(ZipFormat.dosDate)
        out.u32(crc)
        out.u32(UInt32(min(compressedSize, ZipFormat.max32)))
        out.u32(UInt32(min(uncompressedSize, ZipFormat.max32)))
        out.u16(UInt16(path.utf8.count))
        out.u16(wide.isEmpty ? 0 : UInt16(4 + 8 * wide.count))
        out.u16(0)                         // comment
        out.u16(0)                         // disk
        out.u16(0)                         // internal attributes
        out.u32(externalAttributes)
        out.u32(UInt32(min(offset, ZipFormat.max32)))
        out.append(path)
        if !wide.isEmpty {
            out.u16(ZipFormat.zip64ExtraID); out.u16(UInt16(8 * wide.count))
            for value in wide { out.u64(value) }
        }
    }
}
