import Basics
import Foundation
import Resolver
import ZipArchive

/// What verifying a wheel established: the wheel is intact and what later steps need from its contents,
/// so that a build that trusts it by its sha256 inflates nothing (docs/ARCHITECTURE.md, "Verify once,
/// then trust the hash"; ``WheelStore`` keeps it).
///
/// Verification reads every entry once, spread over the cores: the strict reader has already compared
/// each local header with the central directory; each entry is inflated and checked against its
/// CRC-32 and sizes, and every file against its `RECORD` row, hash and size
/// ([PEP 427](https://peps.python.org/pep-0427/): a file missing from `RECORD`, a wrong hash or a wrong
/// size fails the wheel; `RECORD` itself and its signatures `RECORD.jws`/`RECORD.p7s` carry none).
/// The same pass reads the ELF facts of every ELF object.
public struct VerifiedWheel: Sendable, Hashable, Codable {
    /// The `{name}-{version}.dist-info` directory (no trailing slash).
    public var distInfoDirectory: String
    /// The project name exactly as `METADATA` writes it.
    public var projectName: String
    /// `[console_scripts]` of `entry_points.txt`: script name → `module:function`.
    public var consoleScripts: [String: String]
    /// `RECORD`'s text, kept only when the wheel has a `.data` directory: its entries move on
    /// installation, and then `RECORD` is rewritten.
    public var recordText: String?
    /// Entry name → native facts, for every entry that starts like an ELF object.
    public var nativeFacts: [String: NativeFacts]

    /// Verifies the wheel at `path`.
    /// - Parameter workers: threads that inflate entries (by default one per core).
    /// - Throws: `WheelError`, naming the wheel and the entry: `.corrupt` for anything the strict reader or
    ///   the CRC-32 and size checks refuse, the `RECORD` cases for files that do not match their row, and
    ///   the metadata cases for a wheel that breaks PEP 427.
    public init(verifying path: String, workers: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        let wheel = (path as NSString).lastPathComponent
        do {
            self = try Self(path, wheel: wheel, workers: workers)
        } catch let error as ZipError {
            throw WheelError.corrupt(wheel: wheel, reason: error.description)
        }
    }

    private init(_ path: String, wheel: String, workers: Int) throws {
        let filename = try WheelFilename(wheel)
        let reader = try ZipReader(path: path)
        let distInfo = try Self.findDistInfo(reader.entries, filename: filename, wheel: wheel)
        func file(_ leaf: String) -> ZipEntry? { reader.entry(named: distInfo + "/" + leaf) }
        func required(_ leaf: String) throws -> ZipEntry {
            guard let entry = file(leaf) else { throw WheelError.missingFile(wheel: wheel, entry: distInfo + "/" + leaf) }
            return entry
        }
        // The metadata is read first: a file that is not a wheel at all is reported as such, not as damage.
        let wheelEntry = try required("WHEEL"), metadataEntry = try required("METADATA")
        let recordEntry = try required("RECORD")
        // WHEEL is read for its Wheel-Version check only (PEP 427: refuse a newer major version).
        try WheelInfo.check(reader.contents(of: wheelEntry), wheel: wheel, entry: wheelEntry.name)
        // Only `Name` is needed, as written (pip names the headers directory after it); resolution already
        // read the rest of METADATA.
        let metadataHeaders = emailHeaders(try reader.contents(of: metadataEntry))
        guard let projectName = metadataHeaders.first(where: { $0.key == "name" })?.value else {
            throw WheelError.malformedMetadataFile(wheel: wheel, entry: metadataEntry.name, reason: "it has no Name header")
        }
        let recordBytes = try reader.contents(of: recordEntry)
        let record = try RecordFile(parsing: recordBytes, wheel: wheel, entry: recordEntry.name)
        consoleScripts = try file("entry_points.txt").map {
            try EntryPointsFile.consoleScripts(in: reader.contents(of: $0), wheel: wheel, entry: $0.name)
        } ?? [:]

        let files = reader.entries.filter { !$0.isDirectory }
        let digests = try Self.expectedDigests(files, record: record, distInfo: distInfo, wheel: wheel)
        nativeFacts = try Self.inflateAndCheck(files, of: reader, expecting: digests, wheel: wheel, workers: workers)

        let dataDirectory = String(distInfo.dropLast(".dist-info".count)) + ".data/"
        recordText = files.contains { $0.name.hasPrefix(dataDirectory) } ? String(decoding: recordBytes, as: UTF8.self)
            : nil
        distInfoDirectory = distInfo
        self.projectName = projectName
    }

    /// The digest `RECORD` gives each file (nil for `RECORD` and its signatures), after checking that every
    /// file has a row whose size, when given, is the entry's.
    private static func expectedDigests(_ files: [ZipEntry], record: RecordFile, distInfo: String, wheel: String)
        throws(WheelError) -> [[UInt8]?] {
        let rows = Dictionary(record.rows.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let unrecorded: Set<String> = [distInfo + "/RECORD", distInfo + "/RECORD.jws", distInfo + "/RECORD.p7s"]
        var digests: [[UInt8]?] = []
        digests.reserveCapacity(files.count)
        for entry in files {
            guard !unrecorded.contains(entry.name) else {
                digests.append(nil)
                continue
            }
            guard let row = rows[entry.name] else { throw .notInRecord(wheel: wheel, entry: entry.name) }
            if !row.size.isEmpty, UInt64(row.size) != entry.uncompressedSize {
                throw .recordSizeMismatch(wheel: wheel, entry: entry.name, record: row.size, actual: entry.uncompressedSize)
            }
            guard let digest = RecordDigest.sha256(row.hash) else {
                throw .unusableRecordHash(wheel: wheel, entry: entry.name, hash: row.hash)
            }
            digests.append(digest)
        }
        return digests
    }

    /// Inflates every file once on `workers` threads, the largest first so that no core idles at the end,
    /// checking CRC-32, size and `RECORD` digest; returns the native facts of the ELF objects among them.
    private static func inflateAndCheck(_ files: [ZipEntry], of reader: ZipReader, expecting digests: [[UInt8]?],
                                        wheel: String, workers: Int) throws -> [String: NativeFacts] {
        let order = files.indices.sorted {
            (files[$0].uncompressedSize, $1) > (files[$1].uncompressedSize, $0)
        }
        var facts: [String: NativeFacts] = [:]
        try OrderedPipeline.run(
            count: order.count, workers: workers, maxCostInFlight: order.count, maxItemsInFlight: order.count,
            maxBatchItems: 1, cost: { _ in 1 }, makeWorker: {},
            prepare: { _, position in
                let entry = files[order[position]]
                var hash = SHA256Stream()
                // The first bytes are kept while they may be an ELF object, for its facts, and then the
                // ranges its parser will want further on (the dynamic segment after the code).
                var prefix: [UInt8] = []
                var keeping = true
                var wanted: Set<Range<Int>> = []
                var captured: [Range<Int>: [UInt8]] = [:]
                var offset = 0
                try reader.verify(entry) { chunk in
                    hash.update(chunk)
                    defer { offset += chunk.count }
                    if keeping {
                        prefix.append(contentsOf: chunk.prefix(NativeCheck.elfPrefixBytes - prefix.count))
                        if prefix.count >= 4 && !ELFInfo.isELF(prefix) {
                            prefix = []
                            keeping = false
                        } else if prefix.count == NativeCheck.elfPrefixBytes {
                            keeping = false
                            wanted = NativeFacts.rangesWanted(after: prefix, size: Int(entry.uncompressedSize))
                        }
                    }
                    for range in wanted where range.overlaps(offset..<offset + chunk.count) {
                        let lower = max(range.lowerBound, offset) - offset
                        let upper = min(range.upperBound, offset + chunk.count) - offset
                        captured[range, default: []].append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[lower..<upper]))
                    }
                }
                return (hash.finalize(), try NativeFacts.read(entry, in: reader.path, prefix: prefix, captured: captured))
            },
            consume: { position, result in
                let index = order[position]
                if let expected = digests[index], expected != result.0 {
                    throw WheelError.recordHashMismatch(
                        wheel: wheel, entry: files[index].name, record: "sha256=" + RecordDigest.encode(expected),
                        actual: "sha256=" + RecordDigest.encode(result.0))
                }
                if let found = result.1 { facts[files[index].name] = found }
            })
        return facts
    }

    /// The one top-level `.dist-info` directory whose name and version match the wheel's file name.
    private static func findDistInfo(_ entries: [ZipEntry], filename: WheelFilename, wheel: String) throws -> String {
        var candidates: Set<String> = []
        for entry in entries {
            guard let top = entry.name.split(separator: "/", maxSplits: 1).first, top.hasSuffix(".dist-info"),
                  entry.name.count > top.count else { continue }
            candidates.insert(String(top))
        }
        let matching = candidates.filter { directory in
            let stem = directory.dropLast(".dist-info".count)
            guard let dash = stem.lastIndex(of: "-") else { return false }
            return (try? PackageName(String(stem[..<dash]))) == filename.name
                && Version(String(stem[stem.index(after: dash)...])) == filename.version
        }
        guard matching.count == 1, let found = matching.first else {
            throw WheelError.missingDistInfo(
                wheel: wheel, expected: "\(filename.name)-\(filename.version).dist-info")
        }
        return found
    }
}

