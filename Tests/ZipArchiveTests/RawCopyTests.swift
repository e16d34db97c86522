import Foundation
import TestSupport
import Testing
@testable import ZipArchive

/// The largest real wheel of a distribution in the test wheelhouse.
func wheelhouseWheel(_ distribution: String) throws -> String {
    let directory = TestEnvironment.wheelhouse
    let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        .filter { $0.hasPrefix(distribution + "-") && $0.hasSuffix(".whl") }
    return directory + "/" + (try #require(names.sorted().last, "no \(distribution) wheel in \(directory); run scripts/setup-test-env.sh"))
}

@Suite("Raw copy") struct RawCopyTests {
    @Test("Every entry of a real numpy wheel is copied raw: names relocated, CRCs, sizes and bytes identical")
    func numpyWheel() throws {
        let wheel = try wheelhouseWheel("numpy")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = try ZipReader(path: wheel)
        var plan = ArchivePlan()
        for entry in source.entries where !entry.isDirectory {
            try plan.add(ArchiveEntry(path: ".deps/numpy/" + entry.name, content: .rawCopy(archive: wheel, entry: entry),
                                      executable: entry.isExecutable))
        }
        let output = directory.child("copy.zip")
        try ZipWriter.write(plan, prefix: Array("#!/usr/bin/env python3\n".utf8), to: output)

        let original = try ZipOracle.inspect(wheel)
        let copied = try ZipOracle.inspect(output)
        #expect(original.testzip == nil && copied.testzip == nil)
        let copiedFiles = Dictionary(uniqueKeysWithValues: copied.entries.map { ($0.name, $0) })
        #expect(copiedFiles.count == plan.count)
        for entry in original.entries where !entry.name.hasSuffix("/") {
            let copy = try #require(copiedFiles[".deps/numpy/" + entry.name])
            #expect(copy.crc == entry.crc, "\(entry.name)")
            #expect(copy.size == entry.size && copy.compressedSize == entry.compressedSize, "\(entry.name)")
            #expect(copy.method == entry.method, "\(entry.name)")
            #expect(copy.sha256 == entry.sha256, "\(entry.name)")
            #expect(copy.mode & 0o777 == (entry.mode & 0o100 != 0 ? 0o755 : 0o644), "\(entry.name)")
        }
        try ZipOracle.unzipTest(output)
        // The copy is itself readable by the strict reader, with every CRC verified.
        _ = try ZipReader(path: output, verifyCRC: true)
    }

    @Test("A raw-copied module imports through zipimport")
    func importsRawCopiedModule() throws {
        let wheel = try wheelhouseWheel("idna")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var plan = ArchivePlan()
        for entry in try ZipReader(path: wheel).entries where !entry.isDirectory {
            try plan.add(ArchiveEntry(path: entry.name, content: .rawCopy(archive: wheel, entry: entry)))
        }
        let output = directory.child("idna.zip")
        try ZipWriter.write(plan, to: output)
        let encoded = try python("import sys; sys.path.insert(0, sys.argv[1]); import idna;"
            + " print(idna.encode('bücher.example').decode(), idna.__file__.startswith(sys.argv[1]))",
            arguments: [output])
        #expect(encoded == "xn--bcher-kva.example True\n")
    }
}
