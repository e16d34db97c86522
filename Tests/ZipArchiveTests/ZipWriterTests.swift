import Basics
import Foundation
import TestSupport
import Testing
@testable import ZipArchive

/// A plan exercising every kind of new content: text, incompressible, empty, executable, non-ASCII
/// names, a file read from disk and implicit parent directories.
private func samplePlan(in directory: TemporaryDirectory) throws -> (ArchivePlan, [String: [UInt8]]) {
    let onDisk = try directory.write("source/data.txt", String(repeating: "line of text\n", count: 500))
    var expected: [String: [UInt8]] = [
        "pkg/__init__.py": Array("VALUE = 42\n".utf8),
        "pkg/sub/mod.py": Array(String(repeating: "def f(x):\n    return x * 2\n", count: 40).utf8),
        "pkg/random.bin": pseudoRandomBytes(5000),
        "pkg/empty.txt": [],
        "bin/tool": Array("#!/bin/sh\necho hi\n".utf8),
        "pkg/données/été.txt": Array("non-ascii name\n".utf8),
        "pkg/data.txt": try readFile(onDisk),
    ]
    var plan = ArchivePlan()
    for (path, bytes) in expected where path != "pkg/data.txt" {
        try plan.add(ArchiveEntry(path: path, content: .bytes(bytes), executable: path == "bin/tool"))
    }
    try plan.add(ArchiveEntry(path: "pkg/data.txt", content: .file(path: onDisk)))
    try plan.add(ArchiveEntry(path: "empty-dir", content: .directory))
    for directoryName in ["bin/", "empty-dir/", "pkg/", "pkg/sub/", "pkg/données/"] { expected[directoryName] = [] }
    return (plan, expected)
}

@Suite("ZipWriter") struct ZipWriterTests {
    @Test("CPython zipfile reads every entry back byte-equal with deterministic metadata",
          arguments: [0, 6])
    func zipfileRoundTrip(level: Int) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (plan, expected) = try samplePlan(in: directory)
        let output = directory.child("out.zip")
        let result = try ZipWriter.write(plan, to: output, policy: ArchivePolicy(compressionLevel: level, jobs: 2))
        #expect(result.entryCount == expected.count)
        #expect(!result.usesZip64)

        let archive = try ZipOracle.inspect(output)
        #expect(archive.testzip == nil)
        #expect(archive.entries.map(\.name) == plan.entries.map(\.path), "plan order, parents first")
        #expect(archive.entries.map(\.name) == archive.entries.map(\.name).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        for entry in archive.entries {
            #expect(entry.data == hex(expected[entry.name] ?? [0xFF]), "\(entry.name)")
            #expect(entry.dateTime == [1980, 1, 1, 0, 0, 0], "\(entry.name)")
            #expect(entry.createSystem == 3, "\(entry.name)")
            #expect(entry.extra == "", "\(entry.name)")
            let isASCII = entry.name.utf8.allSatisfy { $0 < 0x80 }
            #expect(entry.flags == (isASCII ? 0 : 0x800), "\(entry.name)")
            let mode = entry.name.hasSuffix("/") ? 0o40755 : entry.name == "bin/tool" ? 0o100755 : 0o100644
            #expect(entry.mode == mode, "\(entry.name)")
            if entry.size == 0 || level == 0 { #expect(entry.method == 0, "\(entry.name) is stored") }
        }
        if level > 0 {
            #expect(archive.entries.first { $0.name == "pkg/sub/mod.py" }?.method == 8)
            #expect(archive.entries.first { $0.name == "pkg/random.bin" }?.method == 0, "incompressible data is stored")
        }
        try ZipOracle.unzipTest(output)
    }

    @Test("A shebang-prefixed archive keeps absolute offsets: zipimport imports from it, unzip sees no extra bytes")
    func prefixedArchive() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var plan = ArchivePlan()
        try plan.add(ArchiveEntry(path: "greet/__init__.py", content: .bytes(Array("MESSAGE = 'hello from zip'\n".utf8))))
        try plan.add(ArchiveEntry(path: "__main__.py",
                                  content: .bytes(Array("import greet\nprint(greet.MESSAGE)\n".utf8))))
        let output = directory.child("app.pyz")
        let prefix = Array("#!/usr/bin/env python3\n".utf8)
        try ZipWriter.write(plan, prefix: prefix, to: output, permissions: 0o755)

        #expect(Array(try readFile(output).prefix(prefix.count)) == prefix)
        let imported = try python("import sys; sys.path.insert(0, sys.argv[1]); import greet, zipimport;"
            + " print(greet.MESSAGE, type(greet.__loader__).__name__)", arguments: [output])
        #expect(imported == "hello from zip zipimporter\n")
        let ran = try run(TestEnvironment.python, [output])
        #expect(ran.status == 0 && ran.stdout == "hello from zip\n", "\(ran.summary)")
        let archive = try ZipOracle.inspect(output)
        #expect(archive.testzip == nil)
        #expect(archive.entries.first?.headerOffset == prefix.count, "offsets count the prefix")
        try ZipOracle.unzipTest(output)
        var info = stat()
        stat(output, &info)
        #expect(info.st_mode & 0o777 == 0o755)
    }

    @Test("Our strict reader reads back what we wrote")
    func readerRoundTrip() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (plan, expected) = try samplePlan(in: directory)
        let output = directory.child("out.zip")
        try ZipWriter.write(plan, prefix: Array("#!/bin/sh\n".utf8), to: output)
        let reader = try ZipReader(path: output, verifyCRC: true)
        #expect(reader.entries.map(\.name) == plan.entries.map(\.path))
        #expect(reader.concatenatedPrefixSize == 0)
        let oracle = try ZipOracle.inspect(output)
        for (entry, seen) in zip(reader.entries, oracle.entries) {
            #expect(try reader.contents(of: entry) == expected[entry.name])
            #expect(entry.crc32 == seen.crc && Int(entry.compressedSize) == seen.compressedSize)
            #expect(entry.unixMode.map(Int.init) == seen.mode)
            #expect(entry.localHeaderOffset == UInt64(seen.headerOffset))
        }
        #expect(reader.entry(named: "bin/tool")?.isExecutable == true)
        #expect(reader.entry(named: "pkg/")?.isDirectory == true)
    }

    @Test("Writing replaces an existing output atomically and leaves no temp files")
    func replacesExisting() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let output = directory.child("out.zip")
        try directory.write("out.zip", "old content")
        // A reader that opened the old archive keeps reading it whole: the names are swapped, the old
        // file is only unlinked (a hard link stands in for the open descriptor).
        #expect(link(output, directory.child("reader")) == 0)
        var plan = ArchivePlan()
        try plan.add(ArchiveEntry(path: "a.txt", content: .bytes(Array("new".utf8))))
        try ZipWriter.write(plan, to: output)
        #expect(try ZipOracle.inspect(output).entries.map(\.name) == ["a.txt"])
        #expect(try String(contentsOfFile: directory.child("reader"), encoding: .utf8) == "old content")
        #expect(try directoryListing(directory.path) == ["out.zip", "reader"])
    }

    @Test("An output path that is a symlink is replaced by the archive, as rename(2) does; its target is kept")
    func replacesSymlink() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("elsewhere.zip", "not ours")
        let output = directory.child("out.zip")
        #expect(symlink(directory.child("elsewhere.zip"), output) == 0)
        var plan = ArchivePlan()
        try plan.add(ArchiveEntry(path: "a.txt", content: .bytes(Array("new".utf8))))
        try ZipWriter.write(plan, to: output)
        #expect(try ZipOracle.inspect(output).entries.map(\.name) == ["a.txt"])
        var status = stat()
        #expect(lstat(output, &status) == 0 && status.st_mode & S_IFMT == S_IFREG)
        #expect(try String(contentsOfFile: directory.child("elsewhere.zip"), encoding: .utf8) == "not ours")
    }

    @Test("A directory at the output path is refused and kept as it is, with no temp file beside it")
    func refusesDirectoryOutput() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("out.zip/inside.txt", "kept")
        var plan = ArchivePlan()
        try plan.add(ArchiveEntry(path: "a.txt", content: .bytes(Array("new".utf8))))
        #expect(throws: FileAccessError.self) { try ZipWriter.write(plan, to: directory.child("out.zip")) }
        #expect(try directoryListing(directory.path) == ["out.zip"])
        #expect(try String(contentsOfFile: directory.child("out.zip/inside.txt"), encoding: .utf8) == "kept")
    }

    @Test("Space reserved before writing never outgrows the archive: content that deflates to little ends it exactly")
    func preallocationIsALowerBound() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var plan = ArchivePlan()
        try plan.add(ArchiveEntry(path: "zeros.bin", content: .bytes([UInt8](repeating: 0, count: 4 << 20))))
        try plan.add(ArchiveEntry(path: "pkg/a.py", content: .bytes(Array("A = 1\n".utf8))))
        let output = directory.child("out.zip")
        let result = try ZipWriter.write(plan, comment: Array("stamp".utf8), to: output)
        let bytes = try readFile(output)
        #expect(UInt64(bytes.count) == result.byteCount)
        #expect(bytes.count < 1 << 20)
        #expect(Array(bytes.suffix(22 + 5).prefix(4)) == [0x50, 0x4B, 0x05, 0x06])
        #expect(try ZipOracle.inspect(output).entries.map(\.name) == ["pkg/", "pkg/a.py", "zeros.bin"])
    }

    @Test("A failed write leaves neither the output nor a temp file",
          arguments: ["unreadable", "badRawCopy", "truncatedLargeRawCopy", "missing"])
    func failedWriteLeavesNothing(failure: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let outputDirectory = directory.child("out")
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        var plan = ArchivePlan()
        try plan.add(ArchiveEntry(path: "a.txt", content: .bytes(pseudoRandomBytes(100_000))))
        switch failure {
        case "unreadable":
            // A directory opens fine but cannot be read: the failure happens mid-write.
            try FileManager.default.createDirectory(atPath: directory.child("dir"), withIntermediateDirectories: true)
            try plan.add(ArchiveEntry(path: "z.txt", content: .file(path: directory.child("dir"))))
        case "badRawCopy":
            let source = directory.child("source.zip")
            try ZipWriter.write(plan, to: source)
            var entry = try #require(try ZipReader(path: source).entry(named: "a.txt"))
            entry.dataOffset += 1_000_000
            try plan.add(ArchiveEntry(path: "z.txt", content: .rawCopy(archive: source, entry: entry)))
        case "truncatedLargeRawCopy":
            // A deflated entry too large for the read-ahead block goes to the background copier; its
            // wheel loses its tail after it was read.
            var big = ArchivePlan()
            let hex = pseudoRandomBytes(400_000).map { UInt8(ascii: "a") + $0 % 16 }
            try big.add(ArchiveEntry(path: "big.txt", content: .bytes(hex)))
            let source = directory.child("source.zip")
            try ZipWriter.write(big, to: source)
            let entry = try #require(try ZipReader(path: source).entry(named: "big.txt"))
            #expect(entry.method == .deflated && entry.compressedSize > 64 << 10)
            #expect(truncate(source, off_t(entry.dataOffset + entry.compressedSize / 2)) == 0)
            try plan.add(ArchiveEntry(path: "z.txt", content: .rawCopy(archive: source, entry: entry)))
        default:
            try plan.add(ArchiveEntry(path: "z.txt", content: .file(path: directory.child("does-not-exist"))))
        }
        let output = outputDirectory + "/out.zip"
        #expect(throws: ZipError.self) { try ZipWriter.write(plan, to: output, policy: ArchivePolicy(jobs: 2)) }
        #expect(try directoryListing(outputDirectory) == [])
    }

    @Test("Large files go through the spill path and stay byte-equal", arguments: [0, 6])
    func spilledLargeFile(level: Int) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let text = Array(String(repeating: "spill me, compress me\n", count: 20_000).utf8)
        let random = pseudoRandomBytes(300_000)
        _ = FileManager.default.createFile(atPath: directory.child("text"), contents: Data(text))
        _ = FileManager.default.createFile(atPath: directory.child("random"), contents: Data(random))
        var plan = ArchivePlan()
        try plan.add(ArchiveEntry(path: "text", content: .file(path: directory.child("text"))))
        try plan.add(ArchiveEntry(path: "random", content: .file(path: directory.child("random"))))
        let output = directory.child("out/big.zip")
        try FileManager.default.createDirectory(atPath: directory.child("out"), withIntermediateDirectories: true)
        try ZipWriter.write(plan, to: output,
                            policy: ArchivePolicy(compressionLevel: level, jobs: 2, spillThreshold: 64 << 10))
        let archive = try ZipOracle.inspect(output)
        #expect(archive.testzip == nil)
        let reader = try ZipReader(path: output)
        #expect(try reader.contents(of: try #require(reader.entry(named: "text"))) == text)
        #expect(try reader.contents(of: try #require(reader.entry(named: "random"))) == random)
        #expect(reader.entry(named: "text")?.method == (level == 0 ? .stored : .deflated))
        #expect(reader.entry(named: "random")?.method == .stored)
        #expect(try directoryListing(directory.child("out")) == ["big.zip"], "spill files are removed")
    }
}

@Suite("ArchivePlan") struct ArchivePlanTests {
    @Test("Parents are added, order is by UTF-8 bytes, directories may repeat")
    func canonicalOrder() throws {
        var plan = ArchivePlan()
        try plan.add(ArchiveEntry(path: "b/c/d.py", content: .bytes([])))
        try plan.add(ArchiveEntry(path: "a-b.txt", content: .bytes([])))
        try plan.add(ArchiveEntry(path: "b/c", content: .directory))
        try plan.add(ArchiveEntry(path: "b/é.py", content: .bytes([])))
        try plan.add(ArchiveEntry(path: "b/z.py", content: .bytes([])))
        #expect(plan.entries.map(\.path) == ["a-b.txt", "b/", "b/c/", "b/c/d.py", "b/z.py", "b/é.py"])
    }

    @Test("Duplicate files and file/directory clashes are rejected",
          arguments: [["a.txt", "a.txt"], ["a/b.txt", "a"], ["a", "a/b.txt"]])
    func duplicates(paths: [String]) throws {
        var plan = ArchivePlan()
        try plan.add(ArchiveEntry(path: paths[0], content: .bytes([1])))
        #expect(throws: ZipError.self) { try plan.add(ArchiveEntry(path: paths[1], content: .bytes([2]))) }
    }

    @Test("Unsafe member names are rejected", arguments: ["/etc/passwd", "a/../b", "../x", "a//b", "./a", "C:/x", "a\\b", "", "a\u{0}b", "a/./b"])
    func unsafeNames(path: String) {
        var plan = ArchivePlan()
        #expect(throws: ZipError.self) { try plan.add(ArchiveEntry(path: path, content: .bytes([]))) }
    }
}
