import Basics
import Foundation
import TestSupport
import Testing
@testable import ZipArchive

@Suite("Zip64 entry fields") struct Zip64EntryTests {
    /// A 5 GiB entry without writing 5 GiB: raw-copy a small deflated entry whose declared size we raise
    /// (raw copy trusts declared sizes), then check the header layout without inflating it.
    @Test("An entry of 4 GiB or more gets a local zip64 extra with both sizes saturated and a central extra with only the large value")
    func largeEntryHeaders() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var source = ArchivePlan()
        try source.add(ArchiveEntry(path: "big.bin", content: .bytes(Array(repeating: 7, count: 100_000))))
        let sourcePath = directory.child("source.zip")
        try ZipWriter.write(source, to: sourcePath)
        var entry = try #require(try ZipReader(path: sourcePath).entry(named: "big.bin"))
        entry.uncompressedSize = 5 << 30

        var plan = ArchivePlan()
        try plan.add(ArchiveEntry(path: "huge.bin", content: .rawCopy(archive: sourcePath, entry: entry)))
        try plan.add(ArchiveEntry(path: "later.txt", content: .bytes(Array("after the big one".utf8))))
        #expect(ZipWriter.requiresZip64(plan))
        let output = directory.child("out.zip")
        #expect(try ZipWriter.write(plan, to: output).usesZip64)

        let layout = try python("""
        import struct, sys, zipfile
        with zipfile.ZipFile(sys.argv[1]) as z:
            info = z.getinfo("huge.bin")
            print(info.file_size, info.compress_size, info.extra.hex(), info.extract_version)
            raw = open(sys.argv[1], "rb").read()
            h = info.header_offset
            csize, usize, nlen, elen = struct.unpack("<IIHH", raw[h + 18:h + 30])
            print(hex(csize), hex(usize), raw[h + 30 + nlen:h + 30 + nlen + elen].hex())
            print(z.read("later.txt").decode(), b"PK\\x06\\x06" in raw)
        """, arguments: [output])
        let lines = layout.split(separator: "\n").map(String.init)
        let compressed = entry.compressedSize
        func le64(_ value: UInt64) -> String { hex((0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }) }
        #expect(lines[0] == "\(5 << 30) \(compressed) 01000800\(le64(5 << 30)) 45")
        #expect(lines[1] == "0xffffffff 0xffffffff 01001000\(le64(5 << 30))\(le64(compressed))")
        #expect(lines[2] == "after the big one False", "no zip64 end records: the archive itself is small")

        let reread = try #require(try ZipReader(path: output).entry(named: "huge.bin"))
        #expect(reread.uncompressedSize == 5 << 30 && reread.compressedSize == compressed)
    }
}
