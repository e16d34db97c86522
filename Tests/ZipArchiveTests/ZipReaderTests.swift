import Basics
import Foundation
import TestSupport
import Testing
@testable import ZipArchive

/// Builds a malformed archive with CPython's zipfile and patches the bytes the rejection is about.
/// Offsets are the APPNOTE ones: local header +6 flags, +14 CRC, +22 uncompressed size, +30 name;
/// central header +8 flags, +16 CRC, +20/+24 sizes.
private let malformedZipScript = """
import io, struct, sys, warnings, zipfile
kind, path = sys.argv[1], sys.argv[2]
warnings.simplefilter("ignore")

def build(entries, method=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in entries:
            z.writestr(name, data)
    return bytearray(buf.getvalue())

def layout(b):
    z = zipfile.ZipFile(io.BytesIO(bytes(b)))
    central, p = {}, z.start_dir
    for i in z.infolist():
        central[i.filename] = p
        p += 46 + len(i.orig_filename.encode()) + len(i.extra) + len(i.comment)
    return {i.filename: i.header_offset for i in z.infolist()}, central

def patch(b, at, fmt, value):
    struct.pack_into(fmt, b, at, value)

text = b"print('hello')\\n" * 50
base = [("pkg/__init__.py", text), ("pkg/data.txt", b"x" * 1000)]
if kind == "truncated":
    b = build(base); b = b[: len(b) // 2]
elif kind == "trailing":
    b = build(base) + b"trailing garbage"
elif kind == "badEndRecord":
    b = build(base); patch(b, len(b) - 6, "<I", 0x7FFFFFF0)
elif kind == "nameMismatch":
    b = build(base); local, _ = layout(b); b[local["pkg/data.txt"] + 30] = ord("X")
elif kind == "localCRC":
    b = build(base); local, _ = layout(b); patch(b, local["pkg/data.txt"] + 14, "<I", 1234)
elif kind == "overlap":
    b = build([("a", b"a" * 100), ("b", b"b" * 5000)], zipfile.ZIP_STORED)
    local, central = layout(b)
    for at in (local["a"] + 18, local["a"] + 22, central["a"] + 20, central["a"] + 24):
        patch(b, at, "<I", 300)
elif kind == "duplicate":
    b = build([("same.py", b"1"), ("same.py", b"2")])
elif kind == "absolute":
    b = build([("Xetc/passwd", b"root")]).replace(b"Xetc/passwd", b"/etc/passwd")
elif kind == "dotdot":
    b = build([("aa/evil.py", b"boom")]).replace(b"aa/evil.py", b"../evil.py")
elif kind == "encrypted":
    b = build(base); local, central = layout(b)
    patch(b, local["pkg/data.txt"] + 6, "<H", 1); patch(b, central["pkg/data.txt"] + 8, "<H", 1)
elif kind == "method":
    b = build(base, zipfile.ZIP_BZIP2)
elif kind == "size":
    b = build(base); local, central = layout(b)
    patch(b, local["pkg/data.txt"] + 22, "<I", 999); patch(b, central["pkg/data.txt"] + 24, "<I", 999)
elif kind == "crc":
    b = build(base); local, central = layout(b)
    patch(b, local["pkg/data.txt"] + 14, "<I", 1234); patch(b, central["pkg/data.txt"] + 16, "<I", 1234)
elif kind == "storedCRC":
    b = build(base, zipfile.ZIP_STORED); local, central = layout(b)
    patch(b, local["pkg/data.txt"] + 14, "<I", 1234); patch(b, central["pkg/data.txt"] + 16, "<I", 1234)
else:
    raise SystemExit("unknown kind " + kind)
open(path, "wb").write(b)
"""

private func malformedZip(_ kind: String, in directory: TemporaryDirectory) throws -> String {
    let path = directory.child("\(kind).zip")
    _ = try python(malformedZipScript, arguments: [kind, path])
    return path
}

/// Runs `body` and checks it throws a `ZipError` that `matches`, with a message naming `archive`
/// and (when given) `entry`.
private func expectZipError(naming archive: String, entry: String? = nil, _ matches: (ZipError) -> Bool,
                            sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected a ZipError", sourceLocation: sourceLocation)
    } catch let error as ZipError {
        #expect(matches(error), "unexpected error: \(error)", sourceLocation: sourceLocation)
        #expect(error.description.contains(archive), "\(error)", sourceLocation: sourceLocation)
        if let entry { #expect(error.description.contains(entry), "\(error)", sourceLocation: sourceLocation) }
    } catch {
        Issue.record("unexpected error type: \(error)", sourceLocation: sourceLocation)
    }
}

@Suite("ZipReader") struct ZipReaderTests {
    @Test("Reads archives CPython writes, including data descriptors from a non-seekable stream",
          arguments: [false, true])
    func readsPythonArchives(streamed: Bool) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.child("py.zip")
        _ = try python("""
        import sys, zipfile
        class Pipe:
            def __init__(self, f): self.f = f
            def write(self, b): return self.f.write(b)
            def flush(self): pass
        with open(sys.argv[1], "wb") as raw:
            target = Pipe(raw) if sys.argv[2] == "1" else raw
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("pkg/", b"")
                z.writestr("pkg/a.py", b"A = 1\\n" * 100)
                z.writestr(zipfile.ZipInfo("pkg/stored.bin"), bytes(range(256)))
                with z.open("pkg/streamed.txt", "w") as f:
                    f.write(b"streamed " * 1000)
        """, arguments: [path, streamed ? "1" : "0"])
        let reader = try ZipReader(path: path, verifyCRC: true)
        let oracle = try ZipOracle.inspect(path)
        #expect(reader.entries.map(\.name) == oracle.entries.map(\.name))
        for (entry, seen) in zip(reader.entries, oracle.entries) {
            #expect(hex(try reader.contents(of: entry)) == seen.data)
            #expect(entry.crc32 == seen.crc && Int(entry.uncompressedSize) == seen.size)
            #expect(Int(entry.method.rawValue) == seen.method)
        }
    }

    @Test("Reads an archive appended to a prefix by cat (offsets relative to the archive)")
    func concatenatedPrefix() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let inner = directory.child("inner.zip")
        _ = try python("""
        import sys, zipfile
        with zipfile.ZipFile(sys.argv[1], "w") as z: z.writestr("m.py", "X = 1\\n")
        open(sys.argv[2], "wb").write(b"#!/usr/bin/env python3\\n" + open(sys.argv[1], "rb").read())
        """, arguments: [inner, directory.child("cat.zip")])
        let reader = try ZipReader(path: directory.child("cat.zip"))
        #expect(reader.concatenatedPrefixSize == 23)
        #expect(try reader.contents(of: reader.entries[0]) == Array("X = 1\n".utf8))
    }

    @Test("Malformed archives are rejected at open with an error naming archive and entry", arguments: [
        ("truncated", nil), ("trailing", nil), ("badEndRecord", nil), ("nameMismatch", "pkg/data.txt"),
        ("localCRC", "pkg/data.txt"), ("overlap", "a"), ("duplicate", "same.py"), ("absolute", "/etc/passwd"),
        ("dotdot", "../evil.py"), ("encrypted", "pkg/data.txt"), ("method", "pkg/__init__.py"),
    ] as [(String, String?)])
    func rejectsAtOpen(kind: String, entry: String?) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try malformedZip(kind, in: directory)
        expectZipError(naming: path, entry: entry, { error in
            switch (kind, error) {
            case ("truncated", .badEndRecord), ("truncated", .truncated), ("trailing", .badEndRecord),
                 ("badEndRecord", .badEndRecord), ("nameMismatch", .localHeaderMismatch),
                 ("localCRC", .localHeaderMismatch), ("overlap", .overlappingEntries), ("duplicate", .duplicateName),
                 ("absolute", .unsafeName), ("dotdot", .unsafeName), ("encrypted", .encrypted),
                 ("method", .unsupportedMethod): return true
            default: return false
            }
        }) { _ = try ZipReader(path: path) }
    }

    @Test("A declared size that disagrees with the data is caught when the entry is read")
    func sizeMismatch() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try malformedZip("size", in: directory)
        let reader = try ZipReader(path: path)
        let entry = try #require(reader.entry(named: "pkg/data.txt"))
        expectZipError(naming: path, entry: entry.name, { if case .sizeMismatch = $0 { true } else { false } }) {
            _ = try reader.contents(of: entry)
        }
        expectZipError(naming: path, entry: entry.name, { if case .sizeMismatch = $0 { true } else { false } }) {
            _ = try ZipReader(path: path, verifyCRC: true)
        }
    }

    @Test("CRC mismatches are rejected when verification is on, and when a stored entry is raw-copied")
    func crcMismatch() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let isCRC: (ZipError) -> Bool = { if case .crcMismatch = $0 { true } else { false } }
        let deflated = try malformedZip("crc", in: directory)
        let unverified = try ZipReader(path: deflated)   // not verified at open: accepted
        expectZipError(naming: deflated, entry: "pkg/data.txt", isCRC) {
            try unverified.verify(try #require(unverified.entry(named: "pkg/data.txt")))
        }
        expectZipError(naming: deflated, entry: "pkg/data.txt", isCRC) { _ = try ZipReader(path: deflated, verifyCRC: true) }

        let stored = try malformedZip("storedCRC", in: directory)
        let entry = try #require(try ZipReader(path: stored).entry(named: "pkg/data.txt"))
        var plan = ArchivePlan()
        try plan.add(ArchiveEntry(path: "copy.txt", content: .rawCopy(archive: stored, entry: entry)))
        let output = directory.child("out.zip")
        expectZipError(naming: stored, entry: "pkg/data.txt", isCRC) { try ZipWriter.write(plan, to: output) }
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test("Code page 437 names without the UTF-8 flag decode as CPython decodes them")
    func cp437Names() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.child("cp437.zip")
        // zipfile writes non-ASCII names as UTF-8, so write a placeholder and patch in bytes 0x80-0xFF
        // (not valid UTF-8) with flag bit 11 clear, as old Windows tools wrote names.
        _ = try python("""
        import sys, zipfile
        with zipfile.ZipFile(sys.argv[1], "w") as z: z.writestr("Q" * 128, b"x")
        data = open(sys.argv[1], "rb").read().replace(b"Q" * 128, bytes(range(0x80, 0x100)))
        open(sys.argv[1], "wb").write(data)
        """, arguments: [path])
        let oracle = try ZipOracle.inspect(path)
        let reader = try ZipReader(path: path)
        #expect(oracle.entries[0].flags & 0x800 == 0)
        #expect(reader.entries.map(\.name) == oracle.entries.map(\.name))
    }
}
