import Foundation
import Resolver

/// What to run and how: the command line of `pexify invoke`, one to one.
public struct InvokeRequest: Sendable {
    /// The function zip or PEX (Lambda extracts either into the task root).
    public var archive: String
    /// Layer zips, extracted in order into the `/opt`-like directory.
    public var layers: [String]
    /// The Lambda handler string; nil to take `lambda_function.handler` or the PEX entry point.
    public var handler: String?
    /// The event payloads (JSON text), one invocation each, in order.
    public var events: [String]
    /// Extra environment variables for the function, over Lambda's.
    public var environment: [String: String]
    /// Seconds per invocation (Lambda's function timeout).
    public var timeout: Double
    /// `AWS_LAMBDA_FUNCTION_MEMORY_SIZE` and the REPORT line's memory size (not enforced).
    public var memorySize: Int
    /// The interpreter to use; nil to find one that matches the archive.
    public var python: String?
    /// Where `awslambdaric` comes from the first time it is needed.
    public var source: IndexOptions
    /// Capture the function's log into the report instead of streaming it to stderr.
    public var captureLog: Bool

    public init(archive: String, layers: [String] = [], handler: String? = nil, events: [String] = ["{}"],
                environment: [String: String] = [:], timeout: Double = 3, memorySize: Int = 128,
                python: String? = nil, source: IndexOptions = IndexOptions(), captureLog: Bool = false) {
        self.archive = archive
        self.layers = layers
        self.handler = handler
        self.events = events
        self.environment = environment
        self.timeout = timeout
        self.memorySize = memorySize
        self.python = python
        self.source = source
        self.captureLog = captureLog
    }
}

/// `pexify invoke`: a built function run on this machine the way AWS Lambda's Python runtime runs it.
///
/// 1. The archive and its layers say what they need (``ArchiveTarget``); an interpreter that provides
///    it is chosen (``LocalInterpreter``), or nothing runs.
/// 2. The runtime interface client is installed for that interpreter (``RuntimeClient``, cached).
/// 3. The function is laid out as Lambda does (``Sandbox``) and `invoke.py` serves the Runtime API on
///    loopback while the real `awslambdaric` loads the handler and answers each event.
public enum Invoke {
    /// The function name the sandbox reports (`AWS_LAMBDA_FUNCTION_NAME`).
    public static let functionName = "pexify-invoke"
    /// Lambda gives the init phase 10 s, more when the function's timeout is longer.
    static func initTimeout(_ timeout: Double) -> Double { max(10, timeout) }
    /// `--check` imports everything, not just what the handler needs, so it gets longer.
    static func checkTimeout(_ timeout: Double) -> Double { max(120, timeout) }

    /// Invokes the handler once per event. Throws only when the emulation cannot start; what the function
    /// does (errors, timeouts) is in the report.
    public static func run(_ request: InvokeRequest, progress: @Sendable (String) -> Void = { _ in }) async throws
        -> InvokeReport
    {
        let (target, interpreter) = try prepare(request)
        let handler = try handler(request, target)
        let runtime = try await RuntimeClient.directory(for: interpreter, source: request.source, progress: progress)
        let sandbox = try Sandbox(function: request.archive, layers: request.layers)
        defer { sandbox.remove() }
        let logPath = request.captureLog ? sandbox.root + "/function.log" : nil
        let output = try sandbox.runHarness(interpreter: interpreter.executable, harnessRequest(
            request, sandbox: sandbox, runtime: runtime, handler: handler, logPath: logPath, check: false))
        struct Answer: Decodable { var invocations: [InvokeReport.Invocation] }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: output) else {
            throw InvokeError.harnessFailed(detail: "invoke.py answered \(String(decoding: output.prefix(500), as: UTF8.self))")
        }
        return InvokeReport(archive: request.archive, handler: handler, interpreter: interpreter,
                            events: request.events.count, invocations: answer.invocations,
                            log: logPath.flatMap(Self.read))
    }

    /// Imports the handler and every top-level module the function and its layers ship, in the sandbox,
    /// without the runtime interface client. The events of `request` are not used; the imports together
    /// get ``checkTimeout(_:)``.
    public static func check(_ request: InvokeRequest) throws -> CheckReport {
        let (target, interpreter) = try prepare(request)
        let handler = try handler(request, target)
        let sandbox = try Sandbox(function: request.archive, layers: request.layers)
        defer { sandbox.remove() }
        // No runtime client is needed; an empty directory stands in for /var/runtime.
        let runtime = sandbox.root + "/runtime"
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: true)
        let logPath = request.captureLog ? sandbox.root + "/function.log" : nil
        let output = try sandbox.runHarness(interpreter: interpreter.executable, harnessRequest(
            request, sandbox: sandbox, runtime: runtime, handler: handler, logPath: logPath, check: true))
        struct Answer: Decodable {
            struct Check: Decodable {
                var steps: [CheckReport.Import]
                var importTimes: [CheckReport.ImportTime]
                var status: Int32?
            }
            var check: Check
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: output) else {
            throw InvokeError.harnessFailed(detail: "invoke.py answered \(String(decoding: output.prefix(500), as: UTF8.self))")
        }
        // Each import is logged when it starts and when it ends; a start without an end never finished.
        var imports: [CheckReport.Import] = []
        for step in answer.check.steps {
            if step.seconds != nil, let last = imports.last, last.module == step.module, last.seconds == nil {
                imports[imports.count - 1] = step
            } else {
                imports.append(step)
            }
        }
        return CheckReport(archive: request.archive, handler: handler, interpreter: interpreter, imports: imports,
                           importTimes: answer.check.importTimes, status: answer.check.status,
                           log: logPath.flatMap(Self.read))
    }

    static func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Reads what the archive and layers need and finds the interpreter, before anything is extracted.
    static func prepare(_ request: InvokeRequest) throws -> (ArchiveTarget, LocalInterpreter) {
        var target = try ArchiveTarget(path: request.archive)
        for layer in request.layers { target.merge(try ArchiveTarget(path: layer)) }
        return (target, try LocalInterpreter.select(python: request.python, for: target, archive: request.archive))
    }

    /// `--handler`, else the PEX entry point `module:function` as `__pex__.module.function`, else
    /// `lambda_function.handler` when that module is at the root.
    static func handler(_ request: InvokeRequest, _ target: ArchiveTarget) throws -> String {
        if let handler = request.handler { return handler }
        if target.isPex, let entry = target.pexEntryPoint, entry.contains(":") {
            return "__pex__." + entry.replacingOccurrences(of: ":", with: ".")
        }
        if target.hasLambdaFunctionModule { return "lambda_function.handler" }
        throw InvokeError.noHandler(archive: request.archive)
    }

    static func harnessRequest(_ request: InvokeRequest, sandbox: Sandbox, runtime: String, handler: String,
                               logPath: String?, check: Bool) -> Sandbox.HarnessRequest {
        Sandbox.HarnessRequest(
            taskRoot: sandbox.taskRoot, optDir: sandbox.optDirectory, runtimeDir: runtime,
            tmpDir: sandbox.temporaryDirectory, homeDir: sandbox.homeDirectory, handler: handler,
            events: request.events, timeout: request.timeout,
            initTimeout: check ? checkTimeout(request.timeout) : initTimeout(request.timeout),
            environment: request.environment, functionName: functionName, memorySize: request.memorySize,
            logPath: logPath, check: check)
    }
}

extension InvokeRequest {
    /// An `--event` argument as JSON text: `-` reads standard input, an existing file is read, anything
    /// else must itself be JSON.
    public static func event(_ argument: String, standardInput: () -> Data = { FileHandle.standardInput.readDataToEndOfFile() })
        throws -> String
    {
        let data: Data
        if argument == "-" {
            data = standardInput()
        } else if let contents = FileManager.default.contents(atPath: argument) {
            data = contents
        } else {
            data = Data(argument.utf8)
        }
        guard (try? JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed)) != nil else {
            throw InvokeError.invalidEvent(argument)
        }
        return String(decoding: data, as: UTF8.self)
    }
}
