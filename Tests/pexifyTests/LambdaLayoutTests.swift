import Foundation
import TestSupport
import Testing

/// `pexify --layout zip` and `--layout layer`, built from the real wheelhouse offline and invoked through
/// the Lambda runtime emulation (real `awslambdaric`, read-only task root, `/opt`-like layers).
@Suite(.serialized) struct LambdaLayoutTests {
    /// The versions of the wheelhouse's wheels, read from their file names (the oracle for what the
    /// function reports after importing them).
    static func wheelhouseVersion(_ distribution: String) throws -> String {
        let wheel = try #require(try FileManager.default.contentsOfDirectory(atPath: TestEnvironment.wheelhouse)
            .first { $0.hasPrefix(distribution + "-") && $0.hasSuffix(".whl") }, "\(distribution) is not in the wheelhouse")
        return String(wheel.split(separator: "-")[1])
    }

    static func json(_ body: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], "not a JSON object: \(body)")
    }

    static let dataHandler = """
        import numpy
        import pandas
        import pydantic
        import requests


        class Payload(pydantic.BaseModel):
            values: list[float]


        def handler(event, context):
            payload = Payload.model_validate(event)
            frame = pandas.DataFrame({"v": numpy.array(payload.values)})
            return {
                "sum": float(frame["v"].sum()),
                "numpy": numpy.__version__,
                "pandas": pandas.__version__,
                "pydantic": pydantic.VERSION,
                "requests": requests.__version__,
                "numpy_file": numpy.__file__,
            }
        """

    @Test func numpyPandasPydanticRequestsHandlerGivenAsFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("src/app.py", Self.dataHandler)
        let output = directory.child("function.zip")
        let result = try PexifyCLI.succeed(
            ["numpy", "pandas", "pydantic", "requests", "--layout", "zip", "--platform", "linux_x86_64-cp311",
             "--manylinux", "manylinux_2_28", "-D", directory.child("src"), "--handler", "app.py:handler",
             "-o", output] + PexifyCLI.offline())
        #expect(result.stdout.contains("Handler: lambda_function.handler"), "\(result.stdout)")

        let outcomes = try LambdaEmulator.invoke(
            functionZip: output, handler: "lambda_function.handler", events: [#"{"values": [1, 2, 3.5]}"#])
        guard case .response(let body) = try #require(outcomes.first) else {
            Issue.record("expected a response, got \(outcomes)")
            return
        }
        let response = try Self.json(body)
        #expect(response["sum"] as? Double == 6.5)
        for distribution in ["numpy", "pandas", "pydantic", "requests"] {
            #expect(response[distribution] as? String == (try Self.wheelhouseVersion(distribution)), "\(distribution)")
        }
        // Imported from the task root, not from anything the emulator's interpreter has.
        #expect((response["numpy_file"] as? String)?.hasSuffix("/numpy/__init__.py") == true)

    }

    @Test func handlerGivenAsModuleAndFunction() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("src/service/__init__.py", "")
        try directory.write("src/service/api.py", """
            import requests

            def handle(event, context):
                return {"url": requests.Request("GET", "https://example.invalid/", params=event).prepare().url}
            """)
        let output = directory.child("function.zip")
        let result = try PexifyCLI.succeed(
            ["requests", "--layout", "zip", "--runtime", "python3.11", "-D", directory.child("src"),
             "--handler", "service.api:handle", "--json", "-o", output] + PexifyCLI.offline())
        let summary = try Self.json(result.stdout)
        #expect(summary["handler"] as? String == "lambda_function.handler")
        #expect((summary["distributions"] as? [[String: Any]])?.contains { $0["name"] as? String == "urllib3" } == true)

        let outcomes = try LambdaEmulator.invoke(
            functionZip: output, handler: "lambda_function.handler", events: [#"{"q": "zip"}"#])
        #expect(outcomes == [.response(#"{"url": "https://example.invalid/?q=zip"}"#)])
        // The user's own handler string keeps working next to the generated one.
        let direct = try LambdaEmulator.invoke(functionZip: output, handler: "service/api.handle", events: [#"{"q": 1}"#])
        #expect(direct == [.response(#"{"url": "https://example.invalid/?q=1"}"#)])
    }

    @Test func layerPlusFunctionZip() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let layer = directory.child("layer.zip")
        try PexifyCLI.succeed(["requests", "pydantic", "--layout", "layer", "--runtime", "python3.11", "-o", layer]
            + PexifyCLI.offline())
        let layerNames = try python("import sys, zipfile; print(sorted({n.split('/')[0] for n in zipfile.ZipFile(sys.argv[1]).namelist()}))",
                                    arguments: [layer])
        #expect(layerNames.trimmingCharacters(in: .whitespacesAndNewlines) == "['python']")

        try directory.write("src/app.py", """
            import pydantic, requests

            def handler(event, context):
                return {"pydantic": pydantic.VERSION, "from": requests.__file__}
            """)
        let function = directory.child("function.zip")
        try PexifyCLI.succeed(["--layout", "zip", "--runtime", "python3.11", "-D", directory.child("src"),
                               "--handler", "app.py:handler", "-o", function] + PexifyCLI.offline())
        let outcomes = try LambdaEmulator.invoke(
            functionZip: function, layers: [layer], handler: "lambda_function.handler", events: ["{}"])
        guard case .response(let body) = try #require(outcomes.first) else {
            Issue.record("expected a response, got \(outcomes)")
            return
        }
        let response = try Self.json(body)
        #expect(response["pydantic"] as? String == (try Self.wheelhouseVersion("pydantic")))
        #expect((response["from"] as? String)?.hasSuffix("/python/requests/__init__.py") == true, "\(response)")
    }

    @Test func initErrorAndHandlerExceptionAreReportedAsErrors() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("broken/app.py", "raise RuntimeError('boom at import')\n\ndef handler(event, context):\n    return 1\n")
        try directory.write("picky/app.py", """
            def handler(event, context):
                if event.get("fail"):
                    raise ValueError("bad event: " + event["fail"])
                return "fine"
            """)
        for name in ["broken", "picky"] {
            try PexifyCLI.succeed(["--layout", "zip", "--runtime", "python3.11", "-D", directory.child(name),
                                   "--handler", "app.py:handler", "-o", directory.child(name + ".zip")])
        }
        let broken = try LambdaEmulator.invoke(
            functionZip: directory.child("broken.zip"), handler: "lambda_function.handler", events: ["{}"])
        guard case .initError(_, let message) = try #require(broken.first) else {
            Issue.record("expected an init error, got \(broken)")
            return
        }
        #expect(message.contains("boom at import"), "\(message)")

        let picky = try LambdaEmulator.invoke(
            functionZip: directory.child("picky.zip"), handler: "lambda_function.handler",
            events: [#"{"fail": "nope"}"#, "{}"])
        #expect(picky == [.error(type: "ValueError", message: "bad event: nope"), .response(#""fine""#)])
    }

    @Test(arguments: [
        ("nothere:handler", "nothere"),
        ("missing.py:handler", "missing.py"),
        ("sys.py:handler", "sys"),
    ])
    func unusableHandlerFailsBeforeWriting(handler: String, mention: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("src/sys.py", "def handler(event, context):\n    return 1\n")
        let output = directory.child("function.zip")
        let result = try PexifyCLI.run(["--layout", "zip", "--runtime", "python3.11", "-D", directory.child("src"),
                                        "--handler", handler, "-o", output])
        #expect(result.status == 1, "\(result.summary)")
        #expect(result.stderr.contains(mention), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func inspectReportsDistributionsAndBudget() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let output = directory.child("layer.zip")
        try PexifyCLI.succeed(["requests", "--layout", "layer", "--runtime", "python3.11", "-o", output]
            + PexifyCLI.offline())
        let report = try Self.json(try PexifyCLI.succeed(["inspect", output, "--json"]).stdout)
        let distributions = try #require(report["distributions"] as? [[String: Any]])
        let requests = try #require(distributions.first { ($0["name"] as? String)?.hasPrefix("requests ") == true })
        // The oracle: CPython's zipfile counting the files under requests/ and its .dist-info.
        let counted = try python("""
            import sys, zipfile
            names = [i for i in zipfile.ZipFile(sys.argv[1]).infolist() if not i.is_dir()]
            own = [i for i in names if i.filename.startswith(("python/requests/", "python/requests-"))]
            print(len(own), sum(i.file_size for i in own))
            """, arguments: [output]).split(separator: " ").map { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(requests["files"] as? Int == counted[0])
        #expect(requests["unzippedBytes"] as? Int == counted[1])
        #expect((report["budget"] as? [String: Any])?["problems"] as? [String] == [])
        let text = try PexifyCLI.succeed(["inspect", output]).stdout
        #expect(text.contains("Largest files:") && text.contains("Lambda budget: fits"), "\(text)")
    }
}
