import Foundation
import Pex
import TestSupport
import Testing
@testable import ZipArchive

/// `BytecodeCompiler`: finding an interpreter of the target's version, and the pycs it writes, checked by
/// the test interpreter's own `importlib` (magic number, PEP 552 flags and source hash, `cache_from_source`).
@Suite struct CompileTests {
    /// The test interpreter's `major.minor` (the tests only rely on python3.11 being there).
    static let version: (major: Int, minor: Int) = {
        let words = (try? python("import sys; print(*sys.version_info[:2])"))?.split(separator: " ") ?? []
        return (Int(words.first ?? "") ?? 3, Int(words.last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 11)
    }()

    /// A directory holding `name` as a symbolic link to the test interpreter: a controlled `PATH`.
    static func pathWith(_ name: String, in directory: TemporaryDirectory) throws -> String {
        let bin = directory.child("bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: bin + "/" + name, withDestinationPath: TestEnvironment.python)
        return bin
    }

    @Test func findsTheTargetVersionOnPath() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let bin = try Self.pathWith("python\(Self.version.major).\(Self.version.minor)", in: directory)
        let compiler = try BytecodeCompiler(major: Self.version.major, minor: Self.version.minor,
                                            searchPath: "/nonexistent:" + bin)
        defer { compiler.stop() }
        #expect(compiler.interpreter == bin + "/python\(Self.version.major).\(Self.version.minor)")
        let tag = try python("import sys; print(sys.implementation.cache_tag)")
        #expect(compiler.cacheTag == tag.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func noInterpreterOfTheTargetVersionIsAnError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // A `python3.7` that really runs another version must be rejected, not trusted by its name.
        let bin = try Self.pathWith("python3.7", in: directory)
        let wrong = #expect(throws: CompileError.self) { try BytecodeCompiler(major: 3, minor: 7, searchPath: bin) }
        let text = wrong.map { "\($0)" } ?? ""
        #expect(text.contains("needs a CPython 3.7 interpreter") && text.contains("--compile-with"), "\(text)")
        #expect(text.contains("\(bin)/python3.7 (runs cpython \(Self.version.major).\(Self.version.minor))"), "\(text)")
        let none = #expect(throws: CompileError.self) {
            try BytecodeCompiler(major: 3, minor: 12, searchPath: directory.child("empty"))
        }
        #expect(none == .noInterpreter(version: "3.12", tried: []))
        #expect(none.map { "\($0)" }?.contains("no python3.12 was found on PATH") == true)
    }

    @Test func compileWithAnotherVersionIsAnError() throws {
        #expect(throws: CompileError.wrongInterpreter(
            path: TestEnvironment.python, version: "3.7", found: "cpython \(Self.version.major).\(Self.version.minor)")) {
            try BytecodeCompiler(major: 3, minor: 7, interpreter: TestEnvironment.python)
        }
    }

    /// An interpreter that stops in the middle of a build is an error naming it, not a hang or a crash.
    @Test func interpreterThatStopsIsAnError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // Answers the handshake like the test interpreter, then exits without compiling.
        let tag = try python("import sys; print(sys.implementation.cache_tag)").trimmingCharacters(in: .whitespacesAndNewlines)
        let fake = try directory.write("python", """
            #!/bin/sh
            echo "pexify-compile 1 cpython \(Self.version.major) \(Self.version.minor) \(tag)"
            exit 9
            """)
        chmod(fake, 0o755)
        let compiler = try BytecodeCompiler(major: Self.version.major, minor: Self.version.minor, interpreter: fake)
        let error = #expect(throws: CompileError.self) {
            try compiler.compile([("a.py", .bytes(Array("A = 1\n".utf8)))])
        }
        #expect(error == .interpreterFailed(path: fake, detail: "it stopped after 0 of 1 sources (exit status 9)"))
    }

    static let sources: [(path: String, source: String)] = [
        ("pkg/__init__.py", "from .mod import VALUE\n"),
        ("pkg/mod.py", "# -*- coding: latin-1 -*-\nVALUE = {'a', 'b', 'c', 'd'}\nNAME = '\u{e9}t\u{e9}'\n"),
        ("pkg/dotted.name.py", "X = 1\n"),
        ("legacy/py2.py", "print 'hello'\n"),
    ]

    /// Checks every pyc with the test interpreter: `importlib.util.cache_from_source` names its path, its
    /// header is the magic number, flags 0b01 (hash-based, unchecked) and `importlib.util.source_hash` of
    /// the source, and its code object has the archive path as file name.
    @Test func writesUncheckedHashBasedPycsNamedByTheInterpreter() throws {
        let compiler = try BytecodeCompiler(major: Self.version.major, minor: Self.version.minor,
                                            interpreter: TestEnvironment.python)
        defer { compiler.stop() }
        let latin1 = Self.sources.map { file -> (String, ArchiveEntry.Content) in
            let bytes = file.path == "pkg/mod.py" ? Array(file.source.data(using: .isoLatin1)!) : Array(file.source.utf8)
            return (file.path, .bytes(bytes))
        }
        let outcomes = try compiler.compile(latin1)
        try #require(outcomes.count == 4)
        guard case let .failed(message) = outcomes[3] else {
            Issue.record("the Python 2 file compiled: \(outcomes[3])")
            return
        }
        #expect(message.hasPrefix("SyntaxError"))
        for ((path, content), outcome) in zip(latin1, outcomes).prefix(3) {
            guard case let .compiled(cachePath, pyc) = outcome, case let .bytes(source) = content else {
                Issue.record("\(path) did not compile: \(outcome)")
                continue
            }
            let report = try python("""
                import importlib.util, json, marshal, sys
                path, cache = sys.argv[1], sys.argv[2]
                source, pyc = open(sys.argv[3], 'rb').read(), open(sys.argv[4], 'rb').read()
                code = marshal.loads(pyc[16:])
                print(json.dumps([cache == importlib.util.cache_from_source(path),
                                  pyc[:4] == importlib.util.MAGIC_NUMBER,
                                  int.from_bytes(pyc[4:8], 'little'),
                                  pyc[8:16] == importlib.util.source_hash(source),
                                  code.co_filename]))
                """, arguments: [path, cachePath] + (try Self.files([source, pyc])))
            #expect(report.trimmingCharacters(in: .whitespacesAndNewlines)
                == #"[true, true, 1, true, "\#(path)"]"#, "\(path)")
        }
    }

    /// Writes byte arrays to temporary files for a Python snippet to read.
    static func files(_ contents: [[UInt8]]) throws -> [String] {
        try contents.map { bytes in
            let path = FileManager.default.temporaryDirectory.path + "/pexify-compile-\(UUID().uuidString)"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
    }

    /// Every `.py` of a real wheel (raw-copied entries) gets a pyc; two compiler processes write the same
    /// bytes (no timestamps, fixed hash seed for set constants).
    @Test func realWheelCompilesReproducibly() throws {
        let wheel = try #require(try FileManager.default.contentsOfDirectory(atPath: TestEnvironment.wheelhouse)
            .first { $0.hasPrefix("requests-") })
        let reader = try ZipReader(path: TestEnvironment.wheelhouse + "/" + wheel)
        var plan = ArchivePlan()
        for entry in reader.entries where !entry.name.hasSuffix("/") {
            try plan.add(ArchiveEntry(path: entry.name, content: .rawCopy(archive: reader.path, entry: entry)))
        }
        func compiled() throws -> CompiledBytecode {
            let compiler = try BytecodeCompiler(major: Self.version.major, minor: Self.version.minor,
                                                interpreter: TestEnvironment.python)
            defer { compiler.stop() }
            return try compiler.compiledEntries(for: plan)
        }
        let first = try compiled(), second = try compiled()
        let sources = reader.entries.map(\.name).filter { $0.hasSuffix(".py") }
        #expect(sources.count > 10)
        #expect(first.files.map(\.source) == sources.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        #expect(first.warnings.isEmpty)
        #expect(first.files.allSatisfy { $0.entry.path.contains("/__pycache__/") && $0.entry.path.hasSuffix(".pyc") })
        #expect(zip(first.entries, second.entries).allSatisfy { a, b in
            guard case let .bytes(x) = a.content, case let .bytes(y) = b.content else { return false }
            return a.path == b.path && x == y
        })
    }
}
