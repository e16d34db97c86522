import Foundation
import Pex
import TestSupport
import Testing

@Suite struct LambdaHandlerTests {
    @Test(arguments: [
        ("app:handler", "app", "handler"), ("pkg.sub.mod:func", "pkg.sub.mod", "func"),
        ("pkg/sub/mod:func", "pkg.sub.mod", "func"), ("_private:h2", "_private", "h2"),
        ("café:naïve", "café", "naïve"),
    ])
    func moduleForms(spec: String, module: String, function: String) throws {
        let handler = try LambdaHandler(parsing: spec, sourcesDirectories: [])
        #expect(handler.module == module)
        #expect(handler.function == function)
        #expect(handler.functionHandler == "\(module).\(function)")
    }

    @Test(arguments: [
        ("app.handler", LambdaHandlerError.missingFunction(handler: "app.handler")),
        ("app:", .missingFunction(handler: "app:")),
        (":handler", .missingFunction(handler: ":handler")),
        ("my-app:handler", .notIdentifier(handler: "my-app:handler", name: "my-app")),
        ("app:class", .notIdentifier(handler: "app:class", name: "class")),
        ("pkg..mod:f", .notIdentifier(handler: "pkg..mod:f", name: "")),
        ("2fast:f", .notIdentifier(handler: "2fast:f", name: "2fast")),
        ("app:handler.attr", .notIdentifier(handler: "app:handler.attr", name: "handler.attr")),
    ])
    func badSpecs(spec: String, error: LambdaHandlerError) {
        #expect(throws: error) { try LambdaHandler(parsing: spec, sourcesDirectories: []) }
    }

    /// A project `proj/` with sources in `proj/src`; the handler file is named in every way a user might.
    @Test func fileFormsBecomeModulePaths() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("proj/src/app/__init__.py", "")
        try directory.write("proj/src/app/main.py", "def handler(event, context): pass\n")
        try directory.write("proj/src/my-tool/run.py", "")
        try directory.write("proj/tools/helper.py", "")
        let project = directory.child("proj")
        func parse(_ spec: String, _ sources: [String] = ["src"]) throws -> String {
            try LambdaHandler(parsing: spec, sourcesDirectories: sources, currentDirectory: project).module
        }
        #expect(try parse("app/main.py:handler") == "app.main")
        #expect(try parse("src/app/main.py:handler") == "app.main")
        #expect(try parse("./src/app/../app/main.py:handler") == "app.main")
        #expect(try parse(project + "/src/app/main.py:handler") == "app.main")
        #expect(try parse("src/app/__init__.py:handler") == "app")
        #expect(try parse("main.py:handler", [project + "/src/app"]) == "main")
        #expect(try parse("tools/helper.py:f", []) == "tools.helper")

        #expect(throws: LambdaHandlerError.notIdentifier(handler: "my-tool/run.py:f", name: "my-tool")) {
            try parse("my-tool/run.py:f")
        }
        #expect(throws: LambdaHandlerError.fileNotFound(handler: "nope.py:f", file: "nope.py",
                                                        directories: [project + "/src"])) {
            try parse("nope.py:f")
        }
        #expect(throws: LambdaHandlerError.fileOutsideSources(
            handler: "tools/helper.py:f", file: project + "/tools/helper.py", directories: [project + "/src"])) {
            try parse("tools/helper.py:f")
        }
        #expect(throws: LambdaHandlerError.ambiguousFile(handler: "src/app/main.py:handler",
                                                         modules: ["app.main", "main"])) {
            try parse("src/app/main.py:handler", ["src", "src/app"])
        }
    }

    @Test func checkAgainstTheArchive() throws {
        let handler = try LambdaHandler(module: "app.main", function: "handler")
        let python311 = (major: 3, minor: 11)
        try handler.check(archivePaths: ["app/__init__.py", "app/main.py"], python: python311)
        try handler.check(archivePaths: ["app/main/__init__.py"], python: python311)
        try handler.check(archivePaths: ["app/main.cpython-311-x86_64-linux-gnu.so"], python: python311)
        #expect(throws: LambdaHandlerError.moduleNotInArchive(
            handler: "app.main.handler", expected: ["app/main.py", "app/main/__init__.py"])) {
            try handler.check(archivePaths: ["app/__init__.py", "main.py", "app/main/x/y.so"], python: python311)
        }
        #expect(throws: LambdaHandlerError.shimCollision(handler: "app.main.handler", path: "lambda_function.py")) {
            try handler.check(archivePaths: ["app/main.py", "lambda_function.py"], python: python311)
        }
        #expect(throws: LambdaHandlerError.shimCollision(handler: "app.main.handler", path: "lambda_function/x.py")) {
            try handler.check(archivePaths: ["app/main.py", "lambda_function/x.py"], python: python311)
        }
        // The user's own lambda_function.handler needs no shim, so it may (must) be in the archive.
        let own = try LambdaHandler(parsing: "lambda_function:handler", sourcesDirectories: [])
        #expect(!own.needsShim)
        try own.check(archivePaths: ["lambda_function.py"], python: python311)
    }

    @Test(arguments: [
        ("time:handler", 8, true), ("sys.sub:f", 14, true), ("_typing:f", 11, false), ("_typing:f", 12, true),
        ("xxsubtype:f", 11, true), ("xxsubtype:f", 12, false), ("_types:f", 14, true), ("json:f", 14, false),
    ])
    func builtinConflicts(spec: String, minor: Int, conflicts: Bool) throws {
        let handler = try LambdaHandler(parsing: spec, sourcesDirectories: [])
        let first = String(handler.module.prefix { $0 != "." })
        let paths: Set<String> = [handler.module.replacingOccurrences(of: ".", with: "/") + ".py"]
        if conflicts {
            #expect(throws: LambdaHandlerError.builtinConflict(handler: handler.functionHandler, module: first,
                                                               python: "3.\(minor)")) {
                try handler.check(archivePaths: paths, python: (3, minor))
            }
        } else {
            try handler.check(archivePaths: paths, python: (3, minor))
        }
    }

    /// The embedded list for the test interpreter's version must be exactly what that interpreter reports.
    @Test func builtinListMatchesTheInterpreter() throws {
        let output = try python("import sys, json; print(json.dumps([sys.version_info[1], sorted(sys.builtin_module_names)]))")
        let decoded = try #require(JSONSerialization.jsonObject(with: Data(output.utf8)) as? [Any])
        let minor = try #require(decoded[0] as? Int)
        let names = try #require(decoded[1] as? [String])
        try #require((8...14).contains(minor), "the test interpreter is Python 3.\(minor)")
        #expect(PythonBuiltinModules.names(python: (3, minor)) == Set(names))
    }

    @Test func messagesNameTheHandlerAndTheRemedy() {
        #expect(LambdaHandlerError.builtinConflict(handler: "time.handler", module: "time", python: "3.12").description
                == "The handler 'time.handler' cannot be used: 'time' is a built-in module of Python 3.12, and the "
                + "Lambda runtime refuses handler modules that shadow one; rename the module.")
        #expect(LambdaHandlerError.missingFunction(handler: "app.handler").description
                == "The handler 'app.handler' must be FILE.py:FUNCTION or MODULE:FUNCTION, e.g. 'app.py:handler' "
                + "or 'app:handler'.")
    }

    /// The generated shim, run by the real runtime client: `lambda_function.handler` reaches the user's
    /// function, and so does the function's own handler string.
    @Test func theShimServesTheUsersFunction() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("src/app/__init__.py", "")
        try directory.write("src/app/main.py", "def handle(event, context):\n    return {'handled': event}\n")
        let handler = try LambdaHandler(parsing: "app/main.py:handle", sourcesDirectories: [directory.child("src")])
        try handler.check(archivePaths: ["app/__init__.py", "app/main.py"], python: (3, 11))
        #expect(handler.needsShim)
        try directory.write("src/" + LambdaHandler.shimPath, handler.shimSource)
        let function = try pythonZip(directory: directory.child("src"), to: directory.child("function.zip"))
        for awsHandler in [LambdaHandler.awsHandler, handler.functionHandler] {
            let outcomes = try LambdaEmulator.invoke(functionZip: function, handler: awsHandler, events: ["[1, 2]"])
            #expect(outcomes == [.response(#"{"handled": [1, 2]}"#)], "\(awsHandler)")
        }
    }
}
