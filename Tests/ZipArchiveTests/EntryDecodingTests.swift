import Foundation
import TestSupport
import Testing
@testable import ZipArchive

@Suite("Entry decoding") struct EntryDecodingTests {
    @Test("Decoding a prefix stops there without the CRC-32; a whole decode checks it", arguments: [0, 6])
    func prefixSkipsCRC(level: Int) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let content = Array(String(repeating: "0123456789abcdef", count: 64 << 10).utf8)   // 1 MiB
        var plan = ArchivePlan()
        try plan.add(ArchiveEntry(path: "lib.so", content: .bytes(content)))
        let archive = directory.child("a.zip")
        try ZipWriter.write(plan, to: archive, policy: ArchivePolicy(compressionLevel: level))
        var entry = try #require(try ZipReader(path: archive).entry(named: "lib.so"))
        entry.crc32 ^= 1   // what a prefix cannot notice, and a whole decode must
        let file = try ReadOnlyFile(path: archive)
        for limit in [0, 1, 300_001] {
            var prefix: [UInt8] = []
            try decodeEntry(entry, in: file, limit: UInt64(limit)) { prefix.append(contentsOf: $0) }
            #expect(prefix == Array(content.prefix(limit)))
        }
        #expect(throws: ZipError.self) { try decodeEntry(entry, in: file, limit: UInt64(content.count)) { _ in } }
        #expect(throws: ZipError.self) { try decodeEntry(entry, in: file) { _ in } }
    }
}
