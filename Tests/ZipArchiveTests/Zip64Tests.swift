import Foundation
import TestSupport
import Testing
@testable import ZipArchive

/// A CPython 3.13 or newer, whose zipimport reads zip64 archives: `PEXIFY_TEST_PYTHON313`, else the
/// first `python3.13`/`python3.14` on PATH or under ~/.pyenv/versions.
private let zip64Python: String? = {
    let environment = ProcessInfo.processInfo.environment
    if let explicit = environment["PEXIFY_TEST_PYTHON313"] { return explicit }
    var candidates = (environment["PATH"] ?? "").split(separator: ":").flatMap { ["\($0)/python3.13", "\($0)/python3.14"] }
    let pyenv = NSHomeDirectory() + "/.pyenv/versions"
    for version in ((try? FileManager.default.contentsOfDirectory(atPath: pyenv)) ?? []).sorted()
    where version.hasPrefix("3.13") || version.hasPrefix("3.14") {
        candidates.append("\(pyenv)/\(version)/bin/python3")
    }
    // PATH may hold pyenv shims that exist but fail: ask each candidate for its version.
    return candidates.first { candidate in
        FileManager.default.isExecutableFile(atPath: candidate)
            && (try? run(candidate, ["-c", "import sys; assert sys.version_info >= (3, 13)"]))?.status == 0
    }
}()

private func manyEntryPlan() throws -> ArchivePlan {
    var plan = ArchivePlan()
    for index in 0..<70_000 {
        try plan.add(ArchiveEntry(path: "d\(index / 1000)/f\(index).txt", content: .bytes(Array("\(index)".utf8))))
    }
    try plan.add(ArchiveEntry(path: "zip64mod.py", content: .bytes(Array("ANSWER = 'zip64 import works'\n".utf8))))
    return plan
}

@Suite("Zip64") struct Zip64Tests {
    @Test("70,000 entries need zip64 end records, which zipfile, unzip, our reader and 3.13+ zipimport accept")
    func manyEntries() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plan = try manyEntryPlan()
        #expect(ZipWriter.requiresZip64(plan))
        let output = directory.child("many.zip")
        let result = try ZipWriter.write(plan, prefix: Array("#!/usr/bin/env python3\n".utf8), to: output)
        #expect(result.usesZip64 && result.entryCount == 70_071)

        // zipfile: entry count and contents through the zip64 end record; testzip reads every entry.
        let checked = try python("""
        import sys, zipfile
        with zipfile.ZipFile(sys.argv[1]) as z:
            names = z.namelist()
            assert z.testzip() is None
            print(len(names), z.read("d69/f69999.txt").decode())
        """, arguments: [output])
        #expect(checked == "70071 69999\n")
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
        #expect(reader.entries.count == 70_071)
        #expect(try reader.contents(of: try #require(reader.entry(named: "d12/f12345.txt"))) == Array("12345".utf8))

    }

    @Test("CPython 3.13+ zipimport imports from a zip64 archive with a prefix (3.11 cannot read it at all)",
          .enabled(if: zip64Python != nil, "needs CPython 3.13 or newer: set PEXIFY_TEST_PYTHON313 or put python3.13 on PATH"))
    func zipimportReadsZip64() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let output = directory.child("many.zip")
        try ZipWriter.write(try manyEntryPlan(), prefix: Array("#!/usr/bin/env python3\n".utf8), to: output)
        let imported = try run(try #require(zip64Python), ["-c",
            "import sys; sys.path.insert(0, sys.argv[1]); import zip64mod; print(zip64mod.ANSWER)", output])
        #expect(imported.status == 0 && imported.stdout == "zip64 import works\n", "\(imported.summary)")
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
