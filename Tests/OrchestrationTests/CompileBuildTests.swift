import Foundation
@testable import Orchestration
import Pex
import Resolver
import TestSupport
import Testing

/// `--compile` through whole builds (`Build.run`, offline from the real wheelhouse): the archive carries a
/// pyc for every `.py`, the bytecode is what CPython loads (the sources are never read), builds stay
/// byte-identical, and the PEX runtime works with the pycs present.
@Suite(.serialized) struct CompileBuildTests {
    /// A wheel with a Python 2 leftover, as some old distributions ship.
    static let legacyWheel = TestWheel(name: "legacy-bits", files: [
        "legacy_bits/__init__.py": "from .modern import ANSWER\n",
        "legacy_bits/modern.py": "ANSWER = 42\n",
        "legacy_bits/py2only.py": "print 'never imported'\n",
    ])

    struct Fixture {
        var directory: TemporaryDirectory
        var wheels: String
        var sources: String
    }

    static func fixture() throws -> Fixture {
        let directory = try TemporaryDirectory("pexify-compile")
        let wheels = directory.child("wheels")
        try FileManager.default.createDirectory(atPath: wheels, withIntermediateDirectories: true)
        try legacyWheel.write(into: wheels)
        try directory.write("src/app/__init__.py", "")
        try directory.write("src/app/main.py", """
            import legacy_bits, requests

            def main():
                print("answer", legacy_bits.ANSWER, "requests", requests.__version__)

            def handler(event, context):
                return {"answer": legacy_bits.ANSWER}
            """)
        return Fixture(directory: directory, wheels: wheels, sources: directory.child("src"))
    }

    static func request(_ fixture: Fixture, layout: Layout, output: String, compile: Bool = true) -> BuildRequest {
        var request = BuildRequest(
            layout: layout, inputs: RequirementInputs(requirements: ["requests", "legacy-bits"]),
            target: .platform("linux_x86_64-cp311", manylinux: "manylinux_2_28"),
            index: IndexOptions(findLinks: [TestEnvironment.wheelhouse, fixture.wheels], noIndex: true,
                                cacheDirectory: fixture.directory.child("cache")),
            sourcesDirectories: [fixture.sources], handler: layout == .zip ? "app.main:handler" : nil,
            entryPoint: layout == .pex ? "app.main:main" : nil, output: output)
        request.compile = compile
        request.compileWith = TestEnvironment.python
        return request
    }

    /// Files of the archive, read with CPython's zipfile.
    static func names(_ archive: String) throws -> [String] {
        try python("import sys, zipfile; print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))", arguments: [archive])
            .split(separator: "\n").map(String.init)
    }

    @Test(arguments: [Layout.zip, .layer, .pex])
    func everySourceHasItsPyc(_ layout: Layout) async throws {
        let fixture = try Self.fixture()
        defer { fixture.directory.remove() }
        let output = fixture.directory.child("out.\(layout)")
        let summary = try await Build.run(Self.request(fixture, layout: layout, output: output))
        let names = Set(try Self.names(output))
        let sources = names.filter { $0.hasSuffix(".py") }
        let missing = try python("""
            import importlib.util, sys
            names = set(sys.stdin.read().split())
            print(*sorted(p for p in names if p.endswith('.py') and importlib.util.cache_from_source(p) not in names))
            """, stdin: Array(names.joined(separator: "\n").utf8))
        let withoutPyc = missing.split(whereSeparator: \.isWhitespace).map(String.init)
        #expect(sources.count > 30)
        // Only the Python 2 file has none, and the build says so.
        #expect(withoutPyc.count == 1 && withoutPyc[0].hasSuffix("legacy_bits/py2only.py"), "\(withoutPyc)")
        #expect(summary.warnings.contains { $0.contains("legacy_bits/py2only.py") && $0.contains("SyntaxError") },
                "\(summary.warnings)")
        #expect(names.filter { $0.hasSuffix(".pyc") }.count == sources.count - 1)
    }

    /// Extracts the zip, makes it read-only and replaces every source with code that fails: importing
    /// still works only if CPython took every module from its pyc without reading (let alone compiling)
    /// the source. The control build without `--compile` must fail the same procedure.
    @Test(arguments: [true, false])
    func importsFromTheExtractedZipNeverTouchTheSources(compile: Bool) async throws {
        let fixture = try Self.fixture()
        defer { fixture.directory.remove() }
        let output = fixture.directory.child("function.zip")
        _ = try await Build.run(Self.request(fixture, layout: .zip, output: output, compile: compile))
        let task = fixture.directory.child("task")
        let script = """
            import os, subprocess, sys, zipfile
            task = sys.argv[1]
            zipfile.ZipFile(sys.argv[2]).extractall(task)
            replaced = 0
            for root, dirs, files in os.walk(task):
                for name in files:
                    if name.endswith('.py'):
                        with open(os.path.join(root, name), 'w') as stream:
                            stream.write('raise ImportError("source was compiled")\\n')
                        replaced += 1
            for root, dirs, files in os.walk(task):
                for name in dirs + files:
                    os.chmod(os.path.join(root, name), 0o555 if name in dirs else 0o444)
            os.chmod(task, 0o555)
            run = subprocess.run(
                [sys.executable, '-X', 'importtime', '-c',
                 'import app.main, legacy_bits, requests, sys; app.main.main(); '
                 'print(sum(1 for m in sys.modules.values() if (getattr(m, "__file__", "") or "").startswith(sys.argv[1])))',
                 task], cwd=task, env=dict(os.environ, PYTHONPATH=task, PYTHONDONTWRITEBYTECODE='1'),
                capture_output=True, text=True)
            print(replaced, run.returncode, run.stdout.strip().replace('\\n', ' '), run.stderr[-300:] if run.returncode else '')
            """
        let report = try python(script, arguments: [task, output])
        let fields = report.split(separator: " ", maxSplits: 2).map(String.init)
        try #require(fields.count == 3, "\(report)")
        #expect(Int(fields[0]) ?? 0 > 30, "\(report)")
        if compile {
            #expect(fields[1] == "0", "\(report)")
            #expect(fields[2].hasPrefix("answer 42 requests "), "\(report)")
        } else {
            #expect(fields[1] == "1" && fields[2].contains("ImportError: source was compiled"), "\(report)")
        }
    }

    @Test func buildsAreByteIdentical() async throws {
        let fixture = try Self.fixture()
        defer { fixture.directory.remove() }
        let first = fixture.directory.child("first.zip"), second = fixture.directory.child("second.zip")
        _ = try await Build.run(Self.request(fixture, layout: .zip, output: first))
        _ = try await Build.run(Self.request(fixture, layout: .zip, output: second))
        let a = try #require(FileManager.default.contents(atPath: first))
        let b = try #require(FileManager.default.contents(atPath: second))
        #expect(a == b)
    }

    /// The PEX runtime imports from the zip (its own bytecode cache) and extracts native distributions;
    /// both work with the pycs present.
    @Test func pexRunsWithPycs() async throws {
        let fixture = try Self.fixture()
        defer { fixture.directory.remove() }
        let output = fixture.directory.child("app.pex")
        _ = try await Build.run(Self.request(fixture, layout: .pex, output: output))
        // PYTHONDONTWRITEBYTECODE would keep the runtime from caching at all; the cache checks need it off.
        let result = try run(TestEnvironment.python, [output],
                             environment: ["PEX_ROOT": fixture.directory.child("pex-root"),
                                           "TMPDIR": fixture.directory.path, "PYTHONDONTWRITEBYTECODE": ""])
        #expect(result.status == 0, "\(result.summary)")
        #expect(result.stdout.hasPrefix("answer 42 requests "), "\(result.summary)")
        // The shipped pycs are used as they are: the runtime's own bytecode cache stays empty.
        #expect(try cachedBytecode(under: fixture.directory.child("pex-root")).isEmpty)

        // Without --compile the same run compiles into that cache, so the check above can fail.
        let plain = fixture.directory.child("plain.pex")
        _ = try await Build.run(Self.request(fixture, layout: .pex, output: plain, compile: false))
        let plainRoot = fixture.directory.child("plain-root")
        let plainRun = try run(TestEnvironment.python, [plain], environment: ["PEX_ROOT": plainRoot,
                                                                               "TMPDIR": fixture.directory.path,
                                                                               "PYTHONDONTWRITEBYTECODE": ""])
        #expect(plainRun.status == 0, "\(plainRun.summary)")
        #expect(try !cachedBytecode(under: plainRoot).isEmpty)
    }

    /// The `.pyc` files the PEX runtime wrote into its bytecode cache under `root`.
    func cachedBytecode(under root: String) throws -> [String] {
        let cache = root + "/bytecode"
        guard FileManager.default.fileExists(atPath: cache) else { return [] }
        return try FileManager.default.subpathsOfDirectory(atPath: cache).filter { $0.hasSuffix(".pyc") }
    }

    /// An interpreter of another version is refused before anything is resolved or written.
    @Test func interpreterOfAnotherVersionFailsTheBuild() async throws {
        let fixture = try Self.fixture()
        defer { fixture.directory.remove() }
        let output = fixture.directory.child("function.zip")
        var request = Self.request(fixture, layout: .zip, output: output)
        request.target = .platform("linux_x86_64-cp39", manylinux: "manylinux_2_28")
        let error = await #expect(throws: CompileError.self) { try await Build.run(request) }
        #expect(error.map { "\($0)" }?.contains("the target needs CPython 3.9") == true, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}
