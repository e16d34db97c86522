import Foundation
import TestSupport
import Testing
import ZipArchive

/// The archive comment (APPNOTE 4.3.16) that carries pexify's build stamp: CPython's zipfile and
/// zipimport read past it, and our reader returns it unchanged.
@Suite struct ZipCommentTests {
    @Test(arguments: [0, 1, 300, 65_535])
    func commentIsWrittenAndReadBack(length: Int) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var plan = ArchivePlan()
        try plan.add(ArchiveEntry(path: "hello.py", content: .bytes(Array("VALUE = 'zipimported'\n".utf8))))
        let comment = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
        let path = directory.child("commented.zip")
        try ZipWriter.write(plan, prefix: Array("#!/usr/bin/env python3\n".utf8), comment: comment, to: path)

        #expect(try ZipReader(path: path, verifyCRC: true).comment == comment)
        let seen = try python("""
            import sys, zipfile
            sys.path.insert(0, sys.argv[1])
            import hello
            with zipfile.ZipFile(sys.argv[1]) as z:
                assert z.testzip() is None
                print(hello.VALUE + ":" + z.comment.hex())
            """, arguments: [path]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(seen == "zipimported:" + comment.map { String(format: "%02x", $0) }.joined())
    }
}
