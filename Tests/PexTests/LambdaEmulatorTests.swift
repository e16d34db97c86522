import Foundation
import TestSupport
import Testing

/// The Lambda emulation is the oracle for every Lambda layout test, so it is checked on its own first:
/// hand-written functions, zipped with CPython's zipfile, run by the real `awslambdaric`.
@Suite struct LambdaEmulatorTests {
    /// A function tree with an echoing handler, a raising one and a nested package.
    static func writeFunction(in directory: TemporaryDirectory) throws -> String {
        try directory.write("fn/app.py", """
            import json, os, sys

            def handler(event, context):
                try:
                    open("written-at-runtime.txt", "w")
                    writable = True
                except OSError:
                    writable = False
                return {"event": event, "path": sys.path[:4], "cwd": os.getcwd(),
                        "task_root": os.environ["LAMBDA_TASK_ROOT"], "handler_env": os.environ["_HANDLER"],
                        "request_id": context.aws_request_id, "writable": writable}

            def fail(event, context):
                raise ValueError("cannot handle %r" % (event,))
            """)
        try directory.write("fn/pkg/__init__.py", "")
        try directory.write("fn/pkg/sub/__init__.py", "")
        try directory.write("fn/pkg/sub/mod.py", "def func(event, context):\n    return ['pkg.sub.mod', event]\n")
        return try pythonZip(directory: directory.child("fn"), to: directory.child("function.zip"))
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func servesEveryEventInOrderFromAReadOnlyTaskRoot() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let function = try Self.writeFunction(in: directory)
        let outcomes = try LambdaEmulator.invoke(
            functionZip: function, handler: "app.handler", events: [#"{"n": 1}"#, #"{"n": 2}"#, "[3]"])
        try #require(outcomes.count == 3, "\(outcomes)")
        var requestIDs: Set<String> = []
        for (outcome, expected) in zip(outcomes, [["n": 1], ["n": 2], [3]] as [Any]) {
            guard case .response(let body) = outcome else { Issue.record("\(outcome)"); continue }
            let answer = try Self.json(body)
            #expect((answer["event"] as? NSObject) == (expected as? NSObject))
            let taskRoot = try #require(answer["task_root"] as? String)
            let path = try #require(answer["path"] as? [String])
            let version = try python("import sys; print('python%d.%d' % sys.version_info[:2])")
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let opt = (taskRoot as NSString).deletingLastPathComponent + "/opt/python"
            #expect(path == [taskRoot, "\(opt)/lib/\(version)/site-packages", opt, path[3]])
            #expect(answer["cwd"] as? String == taskRoot)
            #expect(answer["handler_env"] as? String == "app.handler")
            #expect(answer["writable"] as? Bool == false)
            requestIDs.insert(try #require(answer["request_id"] as? String))
        }
        #expect(requestIDs.count == 3)
    }

    @Test(arguments: ["pkg/sub/mod.func", "pkg.sub.mod.func"])
    func nestedHandlerStrings(handler: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let outcomes = try LambdaEmulator.invoke(
            functionZip: try Self.writeFunction(in: directory), handler: handler, events: ["7"])
        #expect(outcomes == [.response(#"["pkg.sub.mod", 7]"#)])
    }

    @Test func handlerExceptionIsAnInvocationError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let outcomes = try LambdaEmulator.invoke(
            functionZip: try Self.writeFunction(in: directory), handler: "app.fail", events: ["1", "\"x\""])
        #expect(outcomes == [.error(type: "ValueError", message: "cannot handle 1"),
                             .error(type: "ValueError", message: "cannot handle 'x'")])
    }

    @Test(arguments: [
        ("broken.handler", "Runtime.ImportModuleError", "Unable to import module 'broken': No module named 'missing_dependency'"),
        // The test venv's packages must not leak into the function: only awslambdaric's closure is there.
        ("uses_packaging.handler", "Runtime.ImportModuleError", "Unable to import module 'uses_packaging': No module named 'packaging'"),
        ("app.absent", "Runtime.HandlerNotFound", "Handler 'absent' missing on module 'app'"),
        ("sys.handler", "Runtime.BuiltInModuleConflict", "Cannot use built-in module sys as a handler module"),
    ])
    func initErrors(handler: String, type: String, message: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("fn/app.py", "def handler(event, context):\n    return 1\n")
        try directory.write("fn/broken.py", "import missing_dependency\n")
        try directory.write("fn/uses_packaging.py", "import packaging\n")
        let outcomes = try LambdaEmulator.invoke(taskRoot: directory.child("fn"), handler: handler, events: ["1"])
        #expect(outcomes == [.initError(type: type, message: message)])
    }

    @Test func layersFollowTheTaskRootOnSysPath() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let version = try python("import sys; print('python%d.%d' % sys.version_info[:2])")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        // `shadowed` exists in the function and in both layer directories: the task root must win.
        try directory.write("layer/plain.py", "WHERE = 'layer python/'\n")
        try directory.write("layer/shadowed.py", "WHERE = 'layer python/'\n")
        try directory.write("layer/lib/\(version)/site-packages/sited.py", "WHERE = 'layer site-packages'\n")
        try directory.write("layer/lib/\(version)/site-packages/both.py", "WHERE = 'layer site-packages'\n")
        try directory.write("layer/both.py", "WHERE = 'layer python/'\n")
        try directory.write("fn/shadowed.py", "WHERE = 'task root'\n")
        try directory.write("fn/app.py", """
            import both, plain, shadowed, sited

            def handler(event, context):
                return [m.WHERE for m in (plain, sited, both, shadowed)]
            """)
        let layer = try pythonZip(directory: directory.child("layer"), to: directory.child("layer.zip"),
                                  prefix: "python/")
        let function = try pythonZip(directory: directory.child("fn"), to: directory.child("function.zip"))
        let outcomes = try LambdaEmulator.invoke(
            functionZip: function, layers: [layer], handler: "app.handler", events: ["{}"])
        #expect(outcomes == [.response(
            #"["layer python/", "layer site-packages", "layer site-packages", "task root"]"#)])
    }

    @Test func aRuntimeThatDiesIsReported() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("fn/app.py", "import os\n\ndef handler(event, context):\n    os._exit(3)\n")
        let outcomes = try LambdaEmulator.invoke(taskRoot: directory.child("fn"), handler: "app.handler",
                                                 events: ["1", "2"])
        #expect(outcomes == [.runtimeExit(status: 3)])
    }
}

/// The emulation with what real deployment packages contain: `.pth` files and native wheels.
@Suite struct LambdaEmulatorPackageTests {
    @Test func pthFilesInTheTaskRootAreProcessed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("fn/vendor.pth", "vendor\n")
        try directory.write("fn/vendor/vendored.py", "NAME = 'vendored'\n")
        try directory.write("fn/app.py", "import vendored\n\ndef handler(event, context):\n    return vendored.NAME\n")
        let function = try pythonZip(directory: directory.child("fn"), to: directory.child("function.zip"))
        #expect(try LambdaEmulator.invoke(functionZip: function, handler: "app.handler", events: ["{}"])
                == [.response(#""vendored""#)])
    }

    /// numpy, pydantic (pydantic_core) and requests from the wheelhouse, installed by `pip install --target`
    /// as AWS's own recipe does, zipped, and imported from the read-only task root.
    @Test func realWheelsInstalledByPip() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let install = try run(TestEnvironment.python, [
            "-m", "pip", "install", "--quiet", "--no-index", "--find-links", TestEnvironment.wheelhouse,
            "--no-compile", "--target", directory.child("fn"), "numpy", "pydantic", "requests",
        ])
        try #require(install.status == 0, "\(install.summary)")
        try directory.write("fn/app.py", """
            import numpy, pydantic, requests

            class Item(pydantic.BaseModel):
                values: list[int]

            def handler(event, context):
                item = Item(**event)
                return {"sum": int(numpy.array(item.values).sum()), "requests": requests.__name__}
            """)
        let function = try pythonZip(directory: directory.child("fn"), to: directory.child("function.zip"))
        let outcomes = try LambdaEmulator.invoke(functionZip: function, handler: "app.handler",
                                                 events: [#"{"values": [1, 2, 3]}"#, #"{"values": "x"}"#])
        try #require(outcomes.count == 2, "\(outcomes)")
        #expect(outcomes[0] == .response(#"{"sum": 6, "requests": "requests"}"#))
        guard case .error(let type, let message) = outcomes[1] else { Issue.record("\(outcomes[1])"); return }
        #expect(type == "ValidationError")
        #expect(message.contains("values"))
    }
}

extension LambdaEmulatorPackageTests {
    /// Lambda's classic packaging pitfall (docs/formats/lambda-layout.md): `ZipFile.writestr` stores mode
    /// 0600, which Lambda's sandbox user cannot read. The emulation must fail the same way.
    @Test func filesOnlyTheirOwnerMayReadAreUnreadable() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let zip = directory.child("function.zip")
        _ = try python("""
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w") as archive:
                archive.writestr("app.py", "def handler(event, context):\\n    return 1\\n")
                info = zipfile.ZipInfo("readable.py")
                info.external_attr = 0o100644 << 16
                archive.writestr(info, "def handler(event, context):\\n    return 2\\n")
            """, arguments: [zip])
        #expect(try LambdaEmulator.invoke(functionZip: zip, handler: "readable.handler", events: ["{}"])
                == [.response("2")])
        let outcomes = try LambdaEmulator.invoke(functionZip: zip, handler: "app.handler", events: ["{}"])
        guard case .initError(let type, let message) = try #require(outcomes.first) else {
            Issue.record("\(outcomes)")
            return
        }
        #expect(type == "PermissionError")
        #expect(message.contains("Permission denied") && message.hasSuffix("/task/app.py'"))
    }
}
