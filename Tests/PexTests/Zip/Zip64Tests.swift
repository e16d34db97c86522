import Foundation
import Pex
import Testing
import TestSupport

@Suite("Zip64") struct Zip64Tests {
    @Test("70,000 entries need zip64 end records, which zipfile, unzip and our reader accept")
    func manyEntries() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var plan = ArchivePlan()
        for index in 0..<70_000 {
            try plan.add(ArchiveEntry(path: "d\(index / 1000)/f\(index).txt", content: .bytes(Array("\(index)".utf8))))
        }
        #expect(ZipWriter.requiresZip64(plan))
        let output = directory.child("many.zip")
        let result = try ZipWriter.write(plan, to: output)
        #expect(result.usesZip64 && result.entryCount == 70_070)

        // zipfile: entry count and contents through the zip64 end record; testzip reads every entry.
        let checked = try python("""
        import sys, zipfile
        with zipfile.ZipFile(sys.argv[1]) as z:
            names = z.namelist()
            assert z.testzip() is None
            print(len(names), z.read("d69/f69999.txt").decode())
        """, arguments: [output])
        #expect(checked == "70070 69999\n")
        try ZipOracle.unzipTest(output)

        // The end records: 56-byte zip64 record, locator, end record back to back; only the count saturated.
        let bytes = try readFile(output)
        let end = Array(bytes.suffix(22 + 20 + 56))
        #expect(end[0..<4] == [0x50, 0x4b, 0x06, 0x06])
        #expect(end[56..<60] == [0x50, 0x4b, 0x06, 0x07])
        #expect(end[76..<80] == [0x50, 0x4b, 0x05, 0x06])
        #expect(end[76 + 8..<76 + 12] == [0xFF, 0xFF, 0xFF, 0xFF], "entry counts saturated")
        #expect(end[76 + 12..<76 + 20] != [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], "size and offset are not")

        let reader = try ZipReader(path: output)
        #expect(reader.entries.count == 70_070)
        #expect(try reader.contents(of: try #require(reader.entry(named: "d12/f12345.txt"))) == Array("12345".utf8))
    }

    @Test("Small archives never get zip64 records")
    func smallArchive() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var plan = ArchivePlan()
        try plan.add(ArchiveEntry(path: "a.txt", content: .bytes(Array("a".utf8))))
        #expect(!ZipWriter.requiresZip64(plan))
        let output = directory.child("small.zip")
        #expect(try ZipWriter.write(plan, to: output).usesZip64 == false)
        let bytes = try readFile(output)
        #expect(!bytes.indices.dropLast(3).contains { bytes[$0...$0 + 3] == [0x50, 0x4b, 0x06, 0x06] })
    }
}
