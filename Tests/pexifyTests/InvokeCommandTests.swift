import Foundation
import TestSupport
import Testing

/// `pexify invoke`: functions zipped by CPython's zipfile (and a PEX built by pexify) run by the real
/// `awslambdaric`, which pexify installs from the runtime wheelhouse for the test venv's CPython 3.11.
@Suite(.serialized, .enabled(if: FileManager.default.fileExists(atPath: TestEnvironment.runtimeWheelhouse),
                             "scripts/setup-test-env.sh downloads awslambdaric into .venv-test/wheelhouse-runtime"))
struct InvokeCommandTests {
    static let app = """
        import json, os, sys, time

        def handler(event, context):
            print("handling", json.dumps(event))
            try:
                open("written-at-runtime.txt", "w")
                writable = True
            except OSError:
                writable = False
            return {"event": event, "path": sys.path[:3], "cwd": os.getcwd(),
                    "task_root": os.environ["LAMBDA_TASK_ROOT"], "handler_env": os.environ["_HANDLER"],
                    "memory": os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "greeting": os.environ.get("GREETING"),
                    "request_id": context.aws_request_id, "writable": writable}

        def fail(event, context):
            raise ValueError("cannot handle %r" % (event,))

        def slow(event, context):
            time.sleep(30)
        """

    /// A function zip with `app.py` and `extra` files (path → source).
    static func function(in directory: TemporaryDirectory, extra: [String: String] = [:]) throws -> String {
        try directory.write("fn/app.py", app)
        for (path, source) in extra { try directory.write("fn/" + path, source) }
        return try pythonZip(directory: directory.child("fn"), to: directory.child("function.zip"))
    }

    /// `pexify invoke ARGUMENTS` with the test venv's CPython and the runtime wheelhouse, offline.
    static func invoke(_ arguments: [String]) throws -> ProcessResult {
        try PexifyCLI.run(["invoke"] + arguments + [
            "--python", TestEnvironment.python, "--no-index", "--find-links", TestEnvironment.runtimeWheelhouse,
            "--cache-dir", PexifyCLI.cache,
        ])
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
    }

    /// The `invocations` of a `--json` report.
    static func invocations(_ result: ProcessResult) throws -> [[String: Any]] {
        try #require(try json(result.stdout)["invocations"] as? [[String: Any]], "\(result.summary)")
    }

    @Test func handlerReturningJSONColdThenWarm() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try Self.invoke([try Self.function(in: directory), "--handler", "app.handler",
                                      "--event", #"{"n": 1}"#, "--repeat", "3", "--environment", "GREETING=hi",
                                      "--memory-size", "512"])
        try #require(result.status == 0, "\(result.summary)")
        let responses = result.stdout.split(separator: "\n").map(String.init)
        try #require(responses.count == 3, "\(result.summary)")
        var requestIDs: Set<String> = []
        for body in responses {
            let answer = try Self.json(body)
            let taskRoot = try #require(answer["task_root"] as? String)
            #expect((answer["event"] as? [String: Int]) == ["n": 1])
            #expect(answer["cwd"] as? String == taskRoot)
            #expect((answer["path"] as? [String])?.first == taskRoot)
            #expect(answer["handler_env"] as? String == "app.handler")
            #expect(answer["memory"] as? String == "512")
            #expect(answer["greeting"] as? String == "hi")
            #expect(answer["writable"] as? Bool == false)
            requestIDs.insert(try #require(answer["request_id"] as? String))
        }
        #expect(requestIDs.count == 3)
        // Lambda's log: START, the function's output, END, REPORT; the init duration on the cold one only.
        let reports = result.stderr.split(separator: "\n").filter { $0.hasPrefix("REPORT RequestId: ") }
        try #require(reports.count == 3, "\(result.stderr)")
        #expect(reports[0].contains("\tInit Duration: ") && reports[0].contains("\tMemory Size: 512 MB\tMax Memory Used: "))
        #expect(!reports[1].contains("Init Duration") && !reports[2].contains("Init Duration"))
        #expect(result.stderr.components(separatedBy: #"handling {"n": 1}"#).count == 4)
        for id in requestIDs {
            #expect(result.stderr.contains("START RequestId: \(id) Version: $LATEST\nhandling"), "\(result.stderr)")
        }
    }

    @Test func handlerRaisingIsAnErrorWithItsStack() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let function = try Self.function(in: directory)
        let text = try Self.invoke([function, "--handler", "app.fail", "--event", "[1]"])
        #expect(text.status == 1)
        let document = try Self.json(text.stdout)
        #expect(document["errorType"] as? String == "ValueError")
        #expect(document["errorMessage"] as? String == "cannot handle [1]")
        #expect((document["stackTrace"] as? [String])?.contains { $0.contains("app.py\", line 16, in fail") } == true,
                "\(text.stdout)")
        // The runtime's own log line, with the traceback on separate lines.
        #expect(text.stderr.contains("[ERROR] ValueError: cannot handle [1]\nTraceback (most recent call last):\n"),
                "\(text.stderr)")

        let json = try Self.invoke([function, "--handler", "app.fail", "--event", "[1]", "--json"])
        #expect(json.status == 1)
        let invocation = try #require(try Self.invocations(json).first)
        #expect(invocation["kind"] as? String == "error")
        #expect(invocation["errorType"] as? String == "ValueError")
        #expect(invocation["initDurationMs"] is Double)
    }

    @Test(arguments: [
        ("broken.handler", "Runtime.ImportModuleError", "Unable to import module 'broken': No module named 'missing_dependency'"),
        ("app.absent", "Runtime.HandlerNotFound", "Handler 'absent' missing on module 'app'"),
    ])
    func initFailure(handler: String, type: String, message: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let function = try Self.function(in: directory, extra: ["broken.py": "import missing_dependency\n"])
        let result = try Self.invoke([function, "--handler", handler, "--repeat", "2", "--json"])
        #expect(result.status == 1)
        let invocations = try Self.invocations(result)
        try #require(invocations.count == 1, "\(result.summary)")
        #expect(invocations[0]["kind"] as? String == "initError")
        #expect(invocations[0]["errorType"] as? String == type)
        #expect(invocations[0]["errorMessage"] as? String == message)
        let log = try #require(try Self.json(result.stdout)["log"] as? String)
        #expect(log.contains("INIT_REPORT Init Duration: ") && log.contains("Status: error\tError Type: \(type)"), "\(log)")
    }

    @Test func handlerThatTimesOut() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let started = Date()
        let result = try Self.invoke([try Self.function(in: directory), "--handler", "app.slow", "--timeout", "1",
                                      "--json"])
        #expect(result.status == 1)
        #expect(Date().timeIntervalSince(started) < 25, "the sandbox must be stopped, not waited for")
        let invocation = try #require(try Self.invocations(result).first, "\(result.summary)")
        #expect(invocation["kind"] as? String == "timeout")
        #expect(invocation["durationMs"] as? Double == 1000)
        let log = try #require(try Self.json(result.stdout)["log"] as? String)
        #expect(log.contains("Task timed out after 1.00 seconds") && log.contains("\tStatus: timeout"), "\(log)")
    }

    @Test func layerProvidesADependency() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("layer/layerdep.py", "WHERE = 'from the layer'\n")
        let layer = try pythonZip(directory: directory.child("layer"), to: directory.child("layer.zip"), prefix: "python/")
        let function = try Self.function(in: directory, extra: [
            "uses_layer.py": "import layerdep\n\ndef handler(event, context):\n    return layerdep.WHERE\n",
        ])
        let without = try Self.invoke([function, "--handler", "uses_layer.handler", "--json"])
        #expect(without.status == 1)
        #expect(try Self.invocations(without).first?["errorMessage"] as? String
                == "Unable to import module 'uses_layer': No module named 'layerdep'")
        let with = try Self.invoke([function, "--layer", layer, "--handler", "uses_layer.handler"])
        #expect(with.status == 0, "\(with.summary)")
        #expect(with.stdout == "\"from the layer\"\n")
    }

    @Test func pexThroughPexHook() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("src/app/__init__.py", "")
        try directory.write("src/app/lam.py", """
            import idna

            def handler(event, context):
                return {"encoded": idna.encode(event["host"]).decode(), "module": __name__}
            """)
        let pex = directory.child("app.pex")
        try PexifyCLI.succeed(["idna", "--layout", "pex", "--platform", "linux_x86_64-cp311", "-D",
                               directory.child("src"), "-e", "app.lam:handler", "-o", pex] + PexifyCLI.offline())
        // The handler defaults to the entry point through __pex__.
        for handler in [[], ["--handler", "__pex__.app.lam.handler"]] {
            let result = try Self.invoke([pex, "--event", #"{"host": "bücher.example"}"#] + handler)
            #expect(result.status == 0, "\(result.summary)")
            #expect(try Self.json(result.stdout) as NSDictionary
                    == ["encoded": "xn--bcher-kva.example", "module": "app.lam"] as NSDictionary)
        }
        // --check activates the PEX and imports what .deps/ ships too.
        let check = try Self.invoke([pex, "--check", "--json"])
        #expect(check.status == 0, "\(check.summary)")
        let report = try Self.json(check.stdout)
        #expect((report["imports"] as? [[String: Any]])?.first?["module"] as? String == "__pex__")
        let timed = (report["importTimes"] as? [[String: Any]])?.compactMap { $0["module"] as? String } ?? []
        #expect(timed.contains("idna") && timed.contains("__pex__"), "\(timed)")
    }

    @Test func checkFindsAModuleImportingAMissingDependency() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let function = try Self.function(in: directory, extra: [
            "helpers/__init__.py": "import missing_dependency\n",
            "fine.py": "import json\n",
        ])
        let result = try Self.invoke([function, "--handler", "app.handler", "--check", "--json"])
        #expect(result.status == 1, "\(result.summary)")
        let report = try Self.json(result.stdout)
        let imports = try #require(report["imports"] as? [[String: Any]])
        let byModule = Dictionary(imports.map { ($0["module"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        #expect(Set(byModule.keys) == ["app", "helpers", "fine"], "\(imports)")
        #expect(byModule["app"]?["origin"] as? String == "handler" && byModule["app"]?["errorType"] == nil)
        #expect(byModule["fine"]?["errorType"] == nil && byModule["fine"]?["seconds"] is Double)
        #expect(byModule["helpers"]?["errorType"] as? String == "ModuleNotFoundError")
        #expect(byModule["helpers"]?["errorMessage"] as? String == "No module named 'missing_dependency'")

        let text = try Self.invoke([function, "--handler", "app.handler", "--check"])
        #expect(text.status == 1)
        #expect(text.stdout.contains("helpers (function): ModuleNotFoundError: No module named 'missing_dependency'"),
                "\(text.stdout)")
        #expect(text.stdout.contains("Slowest imports"))
    }

    /// A module that kills the interpreter (as a native library built for another glibc can) is named.
    @Test func checkNamesTheImportThatKilledTheInterpreter() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let function = try Self.function(in: directory, extra: ["zz_crash.py": "import os\nos._exit(9)\n"])
        let result = try Self.invoke([function, "--handler", "app.handler", "--check"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("zz_crash (function): the interpreter died (exit status 9)"), "\(result.summary)")
    }

    @Test func checkPassesAFunctionWhoseModulesAllImport() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try Self.invoke([try Self.function(in: directory), "--handler", "app.handler", "--check"])
        #expect(result.status == 0, "\(result.summary)")
        #expect(result.stdout.contains("OK: the handler app.handler and every module import."))
    }

    /// An archive built for another interpreter is refused before anything is extracted or imported: the
    /// module-level code that would leave a marker never runs.
    @Test(arguments: [
        ("fast.cpython-39-x86_64-linux-gnu.so", "function.zip: fast.cpython-39-x86_64-linux-gnu.so needs CPython 3.9"),
        ("native-1.0.dist-info/WHEEL", "needs aarch64"),
        ("future-1.0.dist-info/WHEEL", "future-1.0.dist-info/WHEEL (cp311-cp311-manylinux_2_999_x86_64) needs glibc 2.999 or newer"),
    ])
    func targetMismatchRefusedBeforeAnythingRuns(entry: String, expected: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let marker = directory.child("imported")
        let platform = entry.hasPrefix("future") ? "manylinux_2_999_x86_64" : "manylinux_2_17_aarch64"
        let content = entry.hasSuffix("WHEEL")
            ? "Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp311-cp311-\(platform)\n" : "not really ELF"
        let function = try Self.function(in: directory, extra: [
            entry: content, "marker.py": "open(\(String(reflecting: marker)), 'w').close()\n\ndef handler(e, c):\n    return 1\n",
        ])
        for arguments in [["--handler", "marker.handler"], ["--handler", "marker.handler", "--check"]] {
            let result = try Self.invoke([function] + arguments)
            #expect(result.status == 1)
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.contains("The archive needs CPython") && result.stderr.contains(expected),
                    "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: marker))
        }
    }

    /// Events from standard input and from a file; the second run finds the runtime client in the cache
    /// and needs no package source at all.
    @Test func eventsFromStandardInputAndFileWithTheCachedRuntime() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let function = try Self.function(in: directory, extra: [
            "echo.py": "def handler(event, context):\n    return event\n",
        ])
        let eventFile = try directory.write("event.json", #"{"from": "file"}"#)
        let first = try run(PexifyCLI.executable, ["invoke", function, "--handler", "echo.handler", "--event", "-",
                                                   "--event", eventFile, "--python", TestEnvironment.python,
                                                   "--no-index", "--find-links", TestEnvironment.runtimeWheelhouse,
                                                   "--cache-dir", directory.child("cache")],
                            stdin: Array(#"{"from": "stdin"}"#.utf8))
        #expect(first.status == 0, "\(first.summary)")
        #expect(first.stdout == "{\"from\": \"stdin\"}\n{\"from\": \"file\"}\n")
        let again = try PexifyCLI.run(["invoke", function, "--handler", "echo.handler", "--event", "[1]",
                                       "--python", TestEnvironment.python, "--no-index",
                                       "--cache-dir", directory.child("cache")])
        #expect(again.status == 0 && again.stdout == "[1]\n", "\(again.summary)")

        let bad = try Self.invoke([function, "--handler", "echo.handler", "--event", "{not json"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("--event '{not json' is neither '-' (standard input), a readable file nor JSON text."))
    }

    /// Tags that do not pin the interpreter (abi3, pure wheels, an `.abi3.so`) are not refused, and
    /// without --python the interpreter is found on PATH as pythonX.Y for the archive's version.
    @Test func compatibleArchiveFindsItsInterpreterOnPath() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let host = try python("import platform, sys; print(platform.machine(), '%d%d' % sys.version_info[:2])")
            .split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let (machine, digits) = (host[0], host[1])
        let function = try Self.function(in: directory, extra: [
            "stable-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nTag: cp38-abi3-manylinux_2_17_\(machine)\n",
            "pure-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nTag: py2-none-any\nTag: py3-none-any\n",
            "stable.abi3.so": "not loaded",
            "pinned.cpython-\(digits)-\(machine)-linux-gnu.so": "not loaded either",
        ])
        let bin = directory.child("bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let version = "\(digits.prefix(1)).\(digits.dropFirst())"
        try FileManager.default.createSymbolicLink(atPath: bin + "/python" + version,
                                                   withDestinationPath: TestEnvironment.python)
        let arguments = ["invoke", function, "--handler", "app.handler", "--json", "--no-index", "--find-links",
                         TestEnvironment.runtimeWheelhouse, "--cache-dir", PexifyCLI.cache]
        let result = try run(PexifyCLI.executable, arguments, environment: ["PATH": bin + ":/usr/bin:/bin"])
        #expect(result.status == 0, "\(result.summary)")
        let interpreter = try #require(try Self.json(result.stdout)["interpreter"] as? [String: Any])
        #expect((interpreter["version"] as? String)?.hasPrefix(version + ".") == true, "\(interpreter)")
    }
}
