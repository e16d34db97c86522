import Foundation
@testable import Installer
@testable import Pex
import TestSupport
import Testing
@testable import ZipArchive

/// Assembling distributions and sources into one Lambda layout: collision rules, sources directories,
/// and the written archive as CPython's `zipfile` and `unzip -t` see it.
@Suite struct LayoutAssemblyTests {
    static func plans(_ wheels: [TestWheel], in directory: TemporaryDirectory) throws -> [WheelInstallPlan] {
        try wheels.map { try WheelInstallPlan(wheelPath: try $0.write(into: directory.path)) }
    }

    @Test func identicalBytesAtOnePathAreKeptOnce() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plans = try Self.plans([
            TestWheel(name: "ns-a", files: ["ns/a.py": "A = 1\n", "ns/py.typed": ""]),
            TestWheel(name: "ns-b", files: ["ns/b.py": "B = 1\n", "ns/py.typed": ""]),
        ], in: directory)
        let assembly = try LambdaLayout.assemble(distributions: plans, sources: [], prefix: "")
        #expect(assembly.owner(of: "ns/py.typed") == "ns-a 1.0")
        #expect(assembly.plan.entries.filter { $0.path == "ns/py.typed" }.count == 1)
    }

    @Test("Each file belongs to its first owner: sizes count it once, a later owner with other bytes is refused")
    func ownersAndSizesFollowTheFirstOwner() throws {
        func file(_ path: String, _ text: String) -> ArchiveEntry { ArchiveEntry(path: path, content: .bytes(Array(text.utf8))) }
        var assembly = ArchiveAssembly()
        try assembly.add([file("pkg/a.py", "A = 1\n"), ArchiveEntry(path: "pkg/data/", content: .directory)], owner: "first 1.0")
        try assembly.add([file("pkg/a.py", "A = 1\n")], owner: "same 1.0")
        try assembly.add(file("pkg/b.py", "B = 22\n"), owner: "second 1.0")
        #expect(assembly.owner(of: "pkg/a.py") == "first 1.0")
        #expect(assembly.owner(of: "pkg/") == nil && assembly.owner(of: "pkg/missing.py") == nil)
        #expect(try assembly.unzippedBytesByOwner() == ["first 1.0": 6, "second 1.0": 7])
        #expect(assembly.files.map(\.path) == ["pkg/a.py", "pkg/b.py"])
        #expect(throws: LayoutError.collision(path: "pkg/b.py", first: "second 1.0", second: "third 1.0")) {
            try assembly.add(file("pkg/b.py", "B = 3\n"), owner: "third 1.0")
        }
        #expect {
            try assembly.add(file("pkg", ""), owner: "fourth 1.0")
        } throws: { error in
            guard case ZipError.duplicateEntry(let path) = error else { return false }
            return path == "pkg"
        }
        #expect(assembly.plan.entries.map(\.path) == ["pkg/", "pkg/a.py", "pkg/b.py", "pkg/data/"])
    }

    @Test func differentBytesAtOnePathNameBothOwners() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plans = try Self.plans([
            TestWheel(name: "first", files: ["conflict/__init__.py": "WHO = 'first'\n"]),
            TestWheel(name: "second", files: ["conflict/__init__.py": "WHO = 'second'\n"]),
        ], in: directory)
        #expect(throws: LayoutError.collision(path: "python/conflict/__init__.py", first: "first 1.0",
                                              second: "second 1.0")) {
            try LambdaLayout.assemble(distributions: plans, sources: [], prefix: "python/")
        }
    }

    /// Same size, different bytes: decided by comparing the bytes, not sizes alone.
    @Test func sameSizeDifferentBytesBetweenSourcesAndADistribution() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plans = try Self.plans([TestWheel(name: "util", files: ["util.py": "X = 1\n"])], in: directory)
        try directory.write("src/util.py", "X = 2\n")
        let sources = try SourcesDirectory(path: directory.child("src"))
        do {
            _ = try LambdaLayout.assemble(distributions: plans, sources: [sources], prefix: "")
            Issue.record("a colliding util.py was accepted")
        } catch let error as LayoutError {
            #expect("\(error)".contains("'util.py'") && "\(error)".contains("util 1.0")
                    && "\(error)".contains(directory.child("src")), "\(error)")
        }
        try directory.write("src/util.py", "X = 1\n")
        let same = try LambdaLayout.assemble(
            distributions: plans, sources: [try SourcesDirectory(path: directory.child("src"))], prefix: "")
        #expect(same.owner(of: "util.py") == "the sources directory '\(directory.child("src"))'")
    }

    @Test func sourcesDirectorySkipsBytecodeCachesAndKeepsExecutableBits() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("src/app/__init__.py", "")
        try directory.write("src/app/__pycache__/__init__.cpython-311.pyc", "stale")
        let tool = try directory.write("src/bin/tool", "#!/bin/sh\necho hi\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: tool)
        let sources = try SourcesDirectory(path: directory.child("src"))
        #expect(sources.files == ["app/__init__.py", "bin/tool"])
        #expect(sources.entries(under: "python/").map { "\($0.path) \($0.executable)" }
                == ["python/app/__init__.py false", "python/bin/tool true"])
        #expect(throws: LayoutError.missingSourcesDirectory(path: directory.child("nope"))) {
            try SourcesDirectory(path: directory.child("nope"))
        }
    }

    /// A layer written from real wheels: CPython's zipfile reads back exactly the installed files with
    /// the wheels' bytes, `unzip -t` is happy, and everything is under `python/`.
    @Test func writtenLayerHoldsTheWheelsBytes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let wheels = try FileManager.default.contentsOfDirectory(atPath: TestEnvironment.wheelhouse)
            .filter { $0.hasPrefix("requests-") || $0.hasPrefix("idna-") }.map { TestEnvironment.wheelhouse + "/" + $0 }
        try #require(wheels.count == 2, "run scripts/setup-test-env.sh")
        let plans = try wheels.map { try WheelInstallPlan(wheelPath: $0) }
        let assembly = try LambdaLayout.assemble(distributions: plans, sources: [], prefix: "python/")
        let output = directory.child("layer.zip")
        try ZipWriter.write(assembly.plan, to: output)
        #expect(try run("unzip", ["-tq", output]).status == 0)
        let verdict = try python("""
            import sys, zipfile
            out = zipfile.ZipFile(sys.argv[1])
            files = {i.filename: i for i in out.infolist() if not i.is_dir()}
            assert all(n.startswith("python/") for n in out.namelist()), "outside python/"
            seen = 0
            for wheel in sys.argv[2:]:
                w = zipfile.ZipFile(wheel)
                for info in w.infolist():
                    if info.is_dir():
                        continue
                    assert out.read(files["python/" + info.filename]) == w.read(info), info.filename
                    seen += 1
            assert seen == len(files), (seen, len(files))
            print("ok", seen)
            """, arguments: [output] + wheels)
        #expect(verdict.hasPrefix("ok"))
    }
}
