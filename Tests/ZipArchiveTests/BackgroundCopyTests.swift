import Foundation
import TestSupport
import Testing
@testable import ZipArchive

@Suite("Background copy") struct BackgroundCopyTests {
    @Test("Large raw copies interleaved with new entries land where their headers say, with 1 or N workers")
    func interleavedWithNewContent() throws {
        let wheel = try wheelhouseWheel("numpy")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var plan = ArchivePlan()
        var notes: [String: [UInt8]] = [:]
        for entry in try ZipReader(path: wheel).entries where !entry.isDirectory {
            try plan.add(ArchiveEntry(path: entry.name, content: .rawCopy(archive: wheel, entry: entry)))
            if entry.method == .deflated && entry.compressedSize > UInt64(ReadWindow.blockSize) {
                // New bytes sorting right after a large copy end the run of entries laid out ahead.
                let note = Array(String(repeating: "after \(entry.name)\n", count: 40).utf8)
                try plan.add(ArchiveEntry(path: entry.name + ".note", content: .bytes(note)))
                notes[entry.name + ".note"] = note
            }
        }
        #expect(notes.count >= 3, "numpy should have several deflated entries above 64 KiB")

        let policies = [ArchivePolicy(jobs: 1), ArchivePolicy(jobs: 3, maxBytesInFlight: 1024)]
        var outputs: [[UInt8]] = []
        for (number, policy) in policies.enumerated() {
            let path = directory.child("run\(number).zip")
            try ZipWriter.write(plan, prefix: Array("#!/bin/sh\n".utf8), to: path, policy: policy)
            outputs.append(try readFile(path))
        }
        #expect(outputs[0] == outputs[1])

        let output = directory.child("run0.zip")
        let copied = try ZipOracle.inspect(output)
        #expect(copied.testzip == nil)
        #expect(copied.entries.count == plan.count)
        let original = Dictionary(uniqueKeysWithValues: try ZipOracle.inspect(wheel).entries.map { ($0.name, $0) })
        for entry in copied.entries where !entry.name.hasSuffix("/") {
            if let note = notes[entry.name] {
                #expect(entry.crc == CRC32.checksum(note) && entry.size == note.count, "\(entry.name)")
            } else {
                #expect(entry.sha256 == original[entry.name]?.sha256, "\(entry.name)")
            }
        }
        try ZipOracle.unzipTest(output)
        _ = try ZipReader(path: output, verifyCRC: true)
    }

    @Test("Large copies from more source files than the copier keeps open all land intact, with new content between them",
          arguments: [ArchivePolicy(), ArchivePolicy(maxBytesInFlight: 1024)])
    func manyLargeCopies(policy: ArchivePolicy) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // Hex digits deflate to about half: each entry stays above the read-ahead block. Each wheel has two
        // large entries, and a new file sorts between wheels: all sizes are known ahead when new content
        // is prepared first (the default policy), and found as the writing goes with a tiny budget.
        let count = BackgroundCopier.maxSources * 2 + 5
        let hex = pseudoRandomBytes(150_000).map { UInt8(ascii: "a") + $0 % 16 }
        var plan = ArchivePlan()
        var originals: [String: String] = [:]
        for wheelNumber in 0..<count {
            var source = ArchivePlan()
            for library in 0..<2 {
                try source.add(ArchiveEntry(path: "lib\(library).so",
                                            content: .bytes(Array("\(wheelNumber) \(library)\n".utf8) + hex)))
            }
            let wheel = directory.child("source\(wheelNumber).whl")
            try ZipWriter.write(source, to: wheel)
            let entries = try ZipReader(path: wheel).entries
            #expect(entries.allSatisfy { $0.method == .deflated && $0.compressedSize > UInt64(ReadWindow.blockSize) })
            for entry in entries {
                try plan.add(ArchiveEntry(path: "w\(wheelNumber)/" + entry.name, content: .rawCopy(archive: wheel, entry: entry)))
            }
            try plan.add(ArchiveEntry(path: "w\(wheelNumber)/note.txt", content: .bytes(Array("note \(wheelNumber)\n".utf8))))
            for entry in try ZipOracle.inspect(wheel).entries { originals["w\(wheelNumber)/" + entry.name] = entry.sha256 }
        }
        let output = directory.child("copy.zip")
        try ZipWriter.write(plan, to: output, policy: policy)
        let copied = Dictionary(uniqueKeysWithValues: try ZipOracle.inspect(output).entries.map { ($0.name, $0) })
        #expect(copied.count == count * 4)
        for (name, sha256) in originals { #expect(copied[name]?.sha256 == sha256, "\(name)") }
        #expect(copied["w7/note.txt"]?.size == "note 7\n".utf8.count)
        try ZipOracle.unzipTest(output)
    }

    @Test("A background copy whose source ends early fails at finish, naming the archive and the entry")
    func sourceEndsEarly() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let sourcePath = try directory.write("source.whl", String(repeating: "x", count: 1000))
        let source = try ReadOnlyFile(path: sourcePath)
        let output = try OutputFile(creating: directory.child("out.zip"), permissions: 0o644)
        try output.write(Array("header".utf8))
        try output.copyInBackground(from: source, at: 500, length: 1000, entry: "torch/lib/libtorch.so", to: output.offset)
        try output.skip(1000)
        #expect {
            try output.finish()
        } throws: { error in
            guard case let ZipError.truncated(archive, entry, _) = error else { return false }
            return archive == sourcePath && entry == "torch/lib/libtorch.so"
        }
        // The error stays: a later copy is refused rather than written after a hole.
        #expect(throws: ZipError.self) {
            try output.copyInBackground(from: source, at: 0, length: 10, entry: "again", to: output.offset)
        }
    }
}
