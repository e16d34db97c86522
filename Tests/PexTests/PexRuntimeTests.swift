import Foundation
@testable import Pex
import TestSupport
import Testing
@testable import ZipArchive

/// PEXes built by our layout and writer, run for real by the test interpreter (CPython 3.11).
@Suite("PEX runtime")
struct PexRuntimeTests {
    struct Built: Sendable {
        let directory: TemporaryDirectory
        /// Entry point `app.main:main`.
        let app: String
        /// No entry point: behaves like the interpreter.
        let interpreter: String
    }

    static let built = Result { () throws -> Built in
        let directory = try TemporaryDirectory("pexify-pex-runtime")
        return Built(directory: directory,
                     app: try PexFixtures.build(in: directory, name: "app.pex", entryPoint: "app.main:main"),
                     interpreter: try PexFixtures.build(in: directory, name: "interp.pex"))
    }

    /// A PEX_ROOT nobody used yet.
    func freshRoot(_ built: Built) -> String { built.directory.child("root-" + UUID().uuidString.prefix(8)) }

    @Test func entryPointGetsArgvAndItsResultIsTheExitStatus() throws {
        let built = try Self.built.get()
        let result = try PexFixtures.run(built.app, ["3", "x"], environment: PexFixtures.environment(root: freshRoot(built)))
        #expect(result.status == 3, "\(result.summary)")
        #expect(result.stdout.hasPrefix("argv=['3', 'x'] requests="))
    }

    @Test func consoleScriptIsResolvedAtBuildTime() throws {
        let built = try Self.built.get()
        let pex = try PexFixtures.build(in: built.directory, name: "normalizer.pex", consoleScript: "normalizer")
        let declared = try PexFixtures.distribution(wheel: try PexFixtures.wheelhouse("charset_normalizer"))
            .consoleScripts["normalizer"]
        let info = try PexInfo(json: try ZipReader(path: pex).contents(of: try #require(ZipReader(path: pex).entry(named: "PEX-INFO"))))
        #expect(info.entryPoint == declared)
        let result = try PexFixtures.run(pex, ["--version"], environment: PexFixtures.environment(root: freshRoot(built)))
        #expect(result.status == 0, "\(result.summary)")
        #expect(result.stdout.contains("Charset-Normalizer"))
    }

    static let interpreterCases: [(arguments: [String], stdin: String?, stdout: String, status: Int32)] = [
        (["-c", "import sys, requests; print(sys.argv)", "a"], nil, "['-c', 'a']", 0),
        (["-c", "raise SystemExit(7)"], nil, "", 7),
        (["-c", "import nspkg.dep_mod, nspkg.user_mod as u; print(u.WHO, len(list(__import__('nspkg').__path__)))"],
         nil, "user 2", 0),
        (["-m", "app.main", "q"], nil, "as-main ['q']", 0),
        ([], "import sys; print('stdin', sys.argv)", "stdin ['']", 0),
        (["-", "z"], "import sys; print('dash', sys.argv)", "dash ['-', 'z']", 0),
        (["-u", "-c", "import sys; print('-u' in sys.orig_argv, sys.argv)", "k"], nil, "True ['-c', 'k']", 0),
    ]

    @Test(arguments: interpreterCases)
    func withoutEntryPointItActsAsTheInterpreter(
        _ scenario: (arguments: [String], stdin: String?, stdout: String, status: Int32)
    ) throws {
        let built = try Self.built.get()
        let result = try PexFixtures.run(built.interpreter, scenario.arguments,
                                         environment: PexFixtures.environment(root: freshRoot(built)),
                                         stdin: scenario.stdin.map { Array($0.utf8) })
        #expect(result.status == scenario.status, "\(result.summary)")
        #expect(scenario.stdout.isEmpty || result.stdout.contains(scenario.stdout), "\(result.summary)")
    }

    @Test func runsAScriptWithItsDirectoryOnSysPath() throws {
        let built = try Self.built.get()
        let script = try built.directory.write("scripts/tool.py", """
            import sys, helper, requests
            print("script", sys.argv[1:], helper.VALUE, __name__)
            """)
        try built.directory.write("scripts/helper.py", "VALUE = 42\n")
        let result = try PexFixtures.run(built.interpreter, [script, "p"],
                                         environment: PexFixtures.environment(root: freshRoot(built)))
        #expect(result.status == 0, "\(result.summary)")
        #expect(result.stdout == "script ['p'] 42 __main__\n")
    }

    @Test func replReadsFromATerminal() throws {
        let built = try Self.built.get()
        let output = try python("""
            import os, pty, select, sys, time
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(sys.executable, [sys.executable, sys.argv[1]])
            out = b""
            def read(until, seconds=60):
                global out
                end = time.time() + seconds
                while until not in out and time.time() < end:
                    if select.select([fd], [], [], 0.5)[0]:
                        try:
                            chunk = os.read(fd, 4096)
                        except OSError:
                            return
                        if not chunk:
                            return
                        out += chunk
            read(b">>> ")
            # Whole lines only: a Ctrl-D typed while the prompt is still being set up can be lost.
            os.write(fd, b"import requests, sys; print('repl', sys.argv, requests.__name__)\\n")
            os.write(fd, b"raise SystemExit(3)\\n")
            status, end = None, time.time() + 120
            while status is None and time.time() < end:
                read(b"never", 0.5)
                done, code = os.waitpid(pid, os.WNOHANG)
                if done:
                    status = code
            if status is None:
                os.kill(pid, 9)
                status = os.waitpid(pid, 0)[1]
            print(out.decode(errors="replace"))
            print("status", os.waitstatus_to_exitcode(status))
            """, arguments: [built.interpreter], environment: PexFixtures.environment(root: freshRoot(built)))
        #expect(output.contains("repl [''] requests"), "\(output)")
        #expect(output.contains("status 3"), "\(output)")
    }

    @Test func environmentOverridesTheEntryPoint() throws {
        let built = try Self.built.get()
        let root = freshRoot(built)
        let module = try PexFixtures.run(built.interpreter, ["5"],
                                         environment: PexFixtures.environment(root: root, ["PEX_MODULE": "app.main:main"]))
        #expect(module.status == 5, "\(module.summary)")
        let runModule = try PexFixtures.run(built.app, ["r"],
                                            environment: PexFixtures.environment(root: root, ["PEX_MODULE": "app.main"]))
        #expect(runModule.status == 0 && runModule.stdout == "as-main ['r']\n", "\(runModule.summary)")
        let script = try PexFixtures.run(built.interpreter, ["--version"],
                                         environment: PexFixtures.environment(root: root, ["PEX_SCRIPT": "normalizer"]))
        #expect(script.status == 0 && script.stdout.contains("Charset-Normalizer"), "\(script.summary)")
        let interpreter = try PexFixtures.run(
            built.app, ["-c", "import os; print('interp', os.environ.get('PEX_INTERPRETER'))"],
            environment: PexFixtures.environment(root: root, ["PEX_INTERPRETER": "1"]))
        #expect(interpreter.stdout == "interp None\n", "\(interpreter.summary)")
        let reexecuted = try PexFixtures.run(
            built.app, ["-O", "-c", "import sys; print(sys.flags.optimize, sys.argv)"],
            environment: PexFixtures.environment(root: root, ["PEX_INTERPRETER": "1"]))
        #expect(reexecuted.stdout == "1 ['-c']\n", "\(reexecuted.summary)")
    }

    @Test func nativeDistributionIsExtractedOnceIntoPexRoot() throws {
        let built = try Self.built.get()
        let root = freshRoot(built)
        let code = "import charset_normalizer, idna; print(charset_normalizer.__file__); print(idna.__file__)"
        let first = try PexFixtures.run(built.interpreter, ["-c", code], environment: PexFixtures.environment(root: root))
        #expect(first.status == 0, "\(first.summary)")
        #expect(PexFixtures.extractions(first) == 1)
        let fingerprint = try PexFixtures.distribution(wheel: try PexFixtures.wheelhouse("charset_normalizer")).sha256
        let paths = first.stdout.split(separator: "\n")
        #expect(paths.first?.hasPrefix(root + "/deps/1/" + fingerprint + "/charset_normalizer/") == true, "\(paths)")
        #expect(paths.last?.hasPrefix(built.interpreter + "/.deps/idna-") == true, "pure code imports from the zip: \(paths)")
        let second = try PexFixtures.run(built.interpreter, ["-c", code], environment: PexFixtures.environment(root: root))
        #expect(second.status == 0 && PexFixtures.extractions(second) == 0, "\(second.summary)")
    }

    @Test func staleWorkDirectoryOfACrashedExtractionIsReplaced() throws {
        let built = try Self.built.get()
        let root = freshRoot(built)
        let fingerprint = try PexFixtures.distribution(wheel: try PexFixtures.wheelhouse("charset_normalizer")).sha256
        let work = root + "/deps/1/." + fingerprint + ".work"
        try FileManager.default.createDirectory(atPath: work + "/charset_normalizer", withIntermediateDirectories: true)
        try Data("half written".utf8).write(to: URL(fileURLWithPath: work + "/charset_normalizer/__init__.py"))
        let result = try PexFixtures.run(built.interpreter, ["-c", "import charset_normalizer; print('ok')"],
                                         environment: PexFixtures.environment(root: root))
        #expect(result.status == 0 && result.stdout == "ok\n", "\(result.summary)")
        #expect(result.stderr.contains("removing the stale work directory"))
        #expect(!FileManager.default.fileExists(atPath: work))
    }

    /// Code imported from the zip is compiled once into PEX_ROOT/bytecode, keyed by content, and shared by
    /// every PEX with the same distribution wherever it lives.
    @Test func zipImportedCodeIsCompiledOnceIntoPexRoot() throws {
        let built = try Self.built.get()
        let root = freshRoot(built)
        let copy = built.directory.child("copy-" + UUID().uuidString.prefix(8) + ".pex")
        try FileManager.default.copyItem(atPath: built.interpreter, toPath: copy)
        let environment = PexFixtures.environment(root: root, ["PYTHONDONTWRITEBYTECODE": ""])
        let code = "import idna.core, app.main; print(idna.core.encode.__code__.co_filename); print(app.main.__file__)"
        let first = try PexFixtures.run(built.interpreter, ["-c", code], environment: environment)
        #expect(first.status == 0, "\(first.summary)")
        let idna = try PexFixtures.distribution(wheel: try PexFixtures.wheelhouse("idna")).sha256
        let cached = root + "/bytecode/1/cpython-311/" + idna + "/idna/core.pyc"
        #expect(FileManager.default.fileExists(atPath: cached))
        let written = try FileManager.default.attributesOfItem(atPath: cached)[.modificationDate] as? Date
        let second = try PexFixtures.run(copy, ["-c", code], environment: environment)
        #expect(second.stdout == copy + "/.deps/" + (try PexFixtures.wheelhouse("idna") as NSString).lastPathComponent
                    + "/idna/core.py\n" + copy + "/app/main.py\n", "\(second.summary)")
        #expect(try FileManager.default.attributesOfItem(atPath: cached)[.modificationDate] as? Date == written)
    }

    @Test func readOnlyHomeFallsBackToTheTempDirectory() throws {
        let built = try Self.built.get()
        let temp = built.directory.child("tmp-" + UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(atPath: temp, withIntermediateDirectories: true)
        // /proc refuses new directories even for root, like a Lambda home.
        let environment = ["PEX_ROOT": "", "XDG_CACHE_HOME": "", "HOME": "/proc", "TMPDIR": temp, "PEX_VERBOSE": "1"]
        for run in 0..<2 {
            let result = try PexFixtures.run(built.interpreter, ["-c", "import charset_normalizer as c; print(c.__file__)"],
                                             environment: environment)
            #expect(result.status == 0, "\(result.summary)")
            #expect(result.stdout.hasPrefix(temp + "/pexify-root-"), "\(result.summary)")
            #expect(PexFixtures.extractions(result) == (run == 0 ? 1 : 0))
        }
    }

    @Test func concurrentColdStartsExtractOnce() throws {
        let built = try Self.built.get()
        let root = freshRoot(built)
        // Eight processes started together on one empty PEX_ROOT (Popen, so none waits for another).
        let output = try python("""
            import subprocess, sys
            processes = [subprocess.Popen([sys.executable, sys.argv[1], "0"], stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE) for _ in range(8)]
            results = [(p.wait(), p.stderr.read().decode()) for p in processes]
            print([status for status, _ in results])
            print(sum(line.startswith("pexify: extracted ") for _, err in results for line in err.splitlines()))
            """, arguments: [built.app], environment: PexFixtures.environment(root: root))
        #expect(output == "[0, 0, 0, 0, 0, 0, 0, 0]\n1\n")
        let again = try PexFixtures.run(built.app, ["0"], environment: PexFixtures.environment(root: root))
        #expect(again.status == 0 && PexFixtures.extractions(again) == 0, "\(again.summary)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root + "/deps/1").filter { $0.hasSuffix(".work") }
        #expect(leftovers.isEmpty)
    }

    @Test func pexImportHookAliasesModulesAndKeepsTheHostPath() throws {
        let built = try Self.built.get()
        let output = try python("""
            import sys
            sys.path.insert(0, sys.argv[1])
            sys.path.append("/host/layer")
            import __pex__.app.lam as handler_module
            import app.lam
            print(handler_module is app.lam, sys.modules["__pex__.app.lam"] is app.lam)
            print(handler_module.handler({"k": 1}, None))
            import __pex__.nspkg.user_mod, __pex__.requests, requests
            print(sys.modules["__pex__.requests"] is requests, __pex__.nspkg.user_mod.WHO)
            print(sys.path.index("/host/layer") > max(i for i, p in enumerate(sys.path) if "/.deps/" in p))
            """, arguments: [built.interpreter], environment: PexFixtures.environment(root: freshRoot(built)))
        #expect(output == "True True\n['dep', 'user', {'k': 1}]\nTrue user\nTrue\n")
    }

    @Test func inheritPathFalseDropsHostEntries() throws {
        let built = try Self.built.get()
        let output = try python("""
            import sys
            sys.path.insert(0, sys.argv[1])
            sys.path.append("/host/layer")
            import __pex__
            print("/host/layer" in sys.path, any(p.endswith("lib-dynload") for p in sys.path))
            """, arguments: [built.interpreter],
            environment: PexFixtures.environment(root: freshRoot(built), ["PEX_INHERIT_PATH": "false"]))
        #expect(output == "False True\n")
    }

    @Test func numpyPandasAndPydanticRunFromThePex() throws {
        let built = try Self.built.get()
        let distributions = try ["numpy", "pandas", "python_dateutil", "tzdata", "pydantic", "pydantic_core", "typing_extensions",
                    "typing_inspection", "annotated_types"].map {
            try PexFixtures.distribution(wheel: try PexFixtures.wheelhouse($0))
        }
        let archive = try PexLayout.assemble(distributions: distributions, sources: [],
                                             options: PexOptions(pythonVersion: "3.11"))
        #expect(archive.info.extractedDistributions.count == 3)
        let pex = built.directory.child("data.pex")
        try archive.write(to: pex)
        let root = freshRoot(built)
        let code = """
            import numpy, pandas, pydantic
            class Row(pydantic.BaseModel):
                a: int
            print(int(pandas.DataFrame({'a': numpy.arange(4)}).a.sum()) + Row(a="1").a)
            """
        let cold = try PexFixtures.run(pex, ["-c", code], environment: PexFixtures.environment(root: root))
        #expect(cold.status == 0 && cold.stdout == "7\n", "\(cold.summary)")
        #expect(PexFixtures.extractions(cold) == 3)
        let warm = try PexFixtures.run(pex, ["-c", code], environment: PexFixtures.environment(root: root))
        #expect(warm.stdout == "7\n" && PexFixtures.extractions(warm) == 0, "\(warm.summary)")
    }

    /// The PEX as an AWS Lambda function package (extracted read-only into the task root by the
    /// awslambdaric-based emulation), handlers `__pex__.<module>.<function>`, with a layer.
    @Test func lambdaHandlersThroughThePexHook() throws {
        let built = try Self.built.get()
        let layer = built.directory.child("layer.zip")
        _ = try python("""
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w") as layer:
                entry = zipfile.ZipInfo("python/layermod.py")
                entry.external_attr = 0o100644 << 16
                layer.writestr(entry, "VALUE = 'from the layer'\\n")
            """, arguments: [layer])
        let cases: [(handler: String, expected: String)] = [
            ("__pex__.app.lam.handler", #"["dep", "user", {"k": 1}]"#),
            ("__pex__.app.layered.handler", #"{"layer": "from the layer", "requests": "requests"}"#),
        ]
        for (handler, expected) in cases {
            let outcomes = try LambdaEmulator.invoke(functionZip: built.app, layers: [layer], handler: handler,
                                                     events: [#"{"k": 1}"#, #"{"k": 1}"#])
            #expect(outcomes.count == 2, "\(outcomes)")
            for outcome in outcomes {
                guard case .response(let body) = outcome else {
                    Issue.record("\(handler): \(outcome)")
                    continue
                }
                let parsed = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? NSObject
                #expect(parsed == (try JSONSerialization.jsonObject(with: Data(expected.utf8)) as? NSObject), "\(body)")
            }
        }
    }
}
