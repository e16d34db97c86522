import Foundation
@testable import Pex
import TestSupport
import Testing
@testable import ZipArchive

@Suite("PEX layout")
struct PexLayoutTests {
    /// A small PEX from a generated wheel and two user files.
    static func smallArchive(_ directory: TemporaryDirectory, options: PexOptions = PexOptions(
        entryPoint: "app:main", pythonVersion: "3.12")) throws -> PexArchive {
        let wheel = try TestWheel(name: "dep", files: ["dep/__init__.py": "X = 1\n"]).write(into: directory.path)
        let sources = try PexFixtures.sources(in: directory, ["app.py": "def main():\n    return 0\n", "res/data.txt": "d"])
        return try PexLayout.assemble(distributions: [try PexFixtures.distribution(wheel: wheel)], sources: sources,
                                      options: options)
    }

    @Test func archiveHasTheLayoutCPythonReads() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let archive = try Self.smallArchive(directory)
        let path = directory.child("app.pex")
        try archive.write(to: path)
        let oracle = try ZipOracle.inspect(path)
        #expect(oracle.testzip == nil)
        let names = oracle.entries.map(\.name)
        #expect(names == names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        let expected = [".bootstrap/", ".bootstrap/pexify_boot/", ".deps/", ".deps/dep-1.0-py3-none-any.whl/",
                        ".deps/dep-1.0-py3-none-any.whl/dep/", ".deps/dep-1.0-py3-none-any.whl/dep/__init__.py",
                        "PEX-INFO", "__main__.py", "__pex__/", "__pex__/__init__.py", "app.py", "res/", "res/data.txt"]
        for name in expected { #expect(names.contains(name), "missing \(name)") }
        for file in PexBootstrap.package { #expect(names.contains(PexBootstrap.directory + file.name)) }
        let bytes = try #require(FileManager.default.contents(atPath: path))
        #expect(bytes.starts(with: Array("#!/usr/bin/env python3.12\nPK".utf8)))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o755)
        let info = try PexInfo(json: try ZipReader(path: path).contents(of: try #require(ZipReader(path: path).entry(named: "PEX-INFO"))))
        #expect(info == archive.info)
        #expect(info.entryPoint == "app:main" && info.bootstrapHash == PexBootstrap.hash)
        #expect(info.extractedDistributions.isEmpty)
    }

    @Test func buildsAreByteIdentical() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Self.smallArchive(directory).write(to: directory.child("one.pex"))
        try Self.smallArchive(directory).write(to: directory.child("two.pex"))
        #expect(FileManager.default.contents(atPath: directory.child("one.pex"))
                == FileManager.default.contents(atPath: directory.child("two.pex")))
    }

    @Test func codeHashIsRecomputableFromTheFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let archive = try Self.smallArchive(directory)
        let output = try python("""
            import hashlib, sys
            files = {"app.py": b"def main():\\n    return 0\\n", "res/data.txt": b"d"}
            listing = b"".join(p.encode() + b"\\0" + hashlib.sha256(files[p]).hexdigest().encode() + b"\\n"
                               for p in sorted(files))
            print(hashlib.sha256(listing).hexdigest())
            """)
        #expect(output == archive.info.codeHash + "\n")
    }

    @Test(arguments: [
        (PexOptions(entryPoint: "app:", pythonVersion: "3.11"), "'app:' is not of the form"),
        (PexOptions(entryPoint: "1app", pythonVersion: "3.11"), "'1app' is not of the form"),
        (PexOptions(entryPoint: "a:b:c", pythonVersion: "3.11"), "'a:b:c' is not of the form"),
        (PexOptions(consoleScript: "nope", pythonVersion: "3.11"), "console script 'nope'"),
        (PexOptions(entryPoint: "app:main", consoleScript: "x", pythonVersion: "3.11"), "pass only one of -e and -c"),
    ])
    func badEntryPointsAreRejected(_ options: PexOptions, _ message: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect {
            try Self.smallArchive(directory, options: options)
        } throws: { error in
            error is PexError && "\(error)".contains(message)
        }
    }

    @Test func consoleScriptsAreResolvedAndConflictsNamed() throws {
        func distribution(_ name: String, _ scripts: [String: String]) -> PexDistribution {
            PexDistribution(wheelFilename: name, sha256: name, entries: [], consoleScripts: scripts, extract: false)
        }
        let options = PexOptions(consoleScript: "tool", pythonVersion: "3.11")
        let one = try PexLayout.assemble(distributions: [distribution("a.whl", ["tool": " pkg.cli : main [extra]"])],
                                         sources: [], options: options)
        #expect(one.info.entryPoint == "pkg.cli:main")
        #expect {
            try PexLayout.assemble(distributions: [distribution("a.whl", ["tool": "a:main"]),
                                                   distribution("b.whl", ["tool": "b:main"])],
                                   sources: [], options: options)
        } throws: { error in
            "\(error)".contains("a:main in a.whl; b:main in b.whl")
        }
    }

    @Test(arguments: ["__main__.py", "PEX-INFO", "__pex__/x.py", ".deps/x.py", ".bootstrap/pexify_boot/x.py"])
    func userCodeCannotTakeReservedPaths(_ path: String) {
        #expect(throws: PexError.reservedPath(path)) {
            try PexLayout.assemble(distributions: [], sources: [ArchiveEntry(path: path, content: .bytes([]))],
                                   options: PexOptions(pythonVersion: "3.11"))
        }
    }

    @Test func shebangFollowsTheTargetOrTheOverride() throws {
        let plain = try PexLayout.assemble(distributions: [], sources: [], options: PexOptions(pythonVersion: "3.9"))
        #expect(plain.prefix == Array("#!/usr/bin/env python3.9\n".utf8))
        let custom = try PexLayout.assemble(distributions: [], sources: [],
                                            options: PexOptions(pythonVersion: "3.9", shebang: "/opt/py/bin/python3"))
        #expect(custom.prefix == Array("#!/opt/py/bin/python3\n".utf8))
    }

    @Test func zip64WarningOnlyBelowCPython313() throws {
        var plan = ArchivePlan()
        for index in 0..<65_535 { try plan.add(ArchiveEntry(path: "m\(index).py", content: .bytes([]))) }
        let warning = try #require(PexLayout.zip64Warning(plan, pythonVersion: "3.12"))
        #expect(warning.contains("65535 entries") && warning.contains("CPython 3.12"))
        #expect(PexLayout.zip64Warning(plan, pythonVersion: "3.13") == nil)
        let small = try PexLayout.assemble(distributions: [], sources: [], options: PexOptions(pythonVersion: "3.8"))
        #expect(PexLayout.zip64Warning(small.plan, pythonVersion: "3.8") == nil)
    }
}

@Suite("PEX bootstrap sources")
struct PexBootstrapTests {
    static let resources = TestEnvironment.packageRoot + "/Sources/Pex/Resources/bootstrap"

    @Test func everyResourceFileIsEmbeddedUnderItsName() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.resources + "/pexify_boot")
            .filter { $0.hasSuffix(".py") }.sorted()
        #expect(PexBootstrap.package.map(\.name) == files)
        for file in PexBootstrap.package {
            #expect(FileManager.default.contents(atPath: Self.resources + "/pexify_boot/" + file.name) == Data(file.bytes))
        }
        #expect(FileManager.default.contents(atPath: Self.resources + "/pexify_stub.py") == Data(PexBootstrap.stub))
    }

    /// The runtime must load on CPython 3.8: parse every file with 3.8's grammar.
    @Test func bootstrapUsesNoSyntaxNewerThanPython38() throws {
        let output = try python("""
            import ast, glob, sys
            for path in sorted(glob.glob(sys.argv[1] + "/**/*.py", recursive=True)):
                with open(path) as stream:
                    ast.parse(stream.read(), path, feature_version=(3, 8))
                print(path.rsplit("/", 1)[-1])
            """, arguments: [Self.resources])
        #expect(output.split(separator: "\n").count == PexBootstrap.package.count + 1)
    }
}
