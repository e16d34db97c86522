import Foundation

/// What the emulated Lambda runtime reported for one event (or for its start).
public enum LambdaOutcome: Sendable, Equatable, CustomStringConvertible {
    /// The handler returned; the payload is the JSON the runtime client serialised.
    case response(String)
    /// The handler raised: `errorType` and `errorMessage` as the runtime client posted them.
    case error(type: String, message: String)
    /// The runtime could not load the handler (posted to `/runtime/init/error`), e.g.
    /// `Runtime.ImportModuleError`, `Runtime.HandlerNotFound`, `Runtime.BuiltInModuleConflict`.
    case initError(type: String, message: String)
    /// The runtime process ended before answering every event, without reporting an init error.
    case runtimeExit(status: Int32)

    public var description: String {
        switch self {
        case .response(let body): "response \(body)"
        case .error(let type, let message): "error \(type): \(message)"
        case .initError(let type, let message): "init error \(type): \(message)"
        case .runtimeExit(let status): "runtime exited with status \(status)"
        }
    }
}

/// Runs Lambda functions locally the way AWS Lambda's Python runtime does, for tests, through
/// `pexify invoke --json` (docs/formats/lambda-layout.md#running-a-function-locally).
///
/// The real runtime interface client (`awslambdaric`, installed by pexify from the runtime wheelhouse of
/// `scripts/setup-test-env.sh`) loads the handler from the extracted function zip and talks to a Runtime
/// API served on 127.0.0.1: the task root is read-only, is the working directory and comes first on
/// `sys.path`; layers are extracted to an `/opt`-like directory whose `python/lib/python3.X/site-packages`
/// and `python` follow it; `LAMBDA_TASK_ROOT` and `_HANDLER` are set; only `awslambdaric` and its
/// dependencies are importable besides the function's own code. The interpreter is the test venv's.
public enum LambdaEmulator {
    /// Invokes `handler` once per event and returns what the runtime answered, in order.
    ///
    /// - Parameters:
    ///   - functionZip: the deployment package (a zip extracted like Lambda does, with its stored modes);
    ///   - taskRoot: or a directory used as the function code instead (zipped first, not modified);
    ///   - layers: layer zips, extracted in order into the `/opt`-like directory;
    ///   - handler: the Lambda handler string, e.g. `lambda_function.handler` or `pkg/sub/mod.func`;
    ///   - events: the JSON event payloads;
    ///   - timeout: seconds each invocation (and the init phase) may take before this throws.
    /// - Returns: one outcome per answered event; after an init error, just that one outcome.
    /// - Throws: `LambdaEmulatorError` when the emulation itself cannot run or time runs out.
    public static func invoke(
        functionZip: String? = nil, taskRoot: String? = nil, layers: [String] = [], handler: String,
        events: [String], timeout: Double = 120
    ) throws -> [LambdaOutcome] {
        precondition((functionZip == nil) != (taskRoot == nil), "give either functionZip or taskRoot")
        precondition(!events.isEmpty, "give at least one event")
        let directory = try TemporaryDirectory("pexify-emulator")
        defer { directory.remove() }
        let function = try functionZip ?? pythonZip(directory: taskRoot!, to: directory.child("function.zip"))
        let arguments = ["invoke", function, "--handler", handler, "--json", "--timeout", "\(timeout)",
                         "--python", TestEnvironment.python, "--no-index", "--find-links",
                         TestEnvironment.runtimeWheelhouse, "--cache-dir", cache]
            + layers.flatMap { ["--layer", $0] } + events.flatMap { ["--event", $0] }
        let result = try run(TestEnvironment.pexify, arguments, currentDirectory: directory.path)
        guard result.status == 0 || result.status == 1,
              let report = try? JSONDecoder().decode(Report.self, from: Data(result.stdoutBytes))
        else { throw LambdaEmulatorError.harnessFailed(handler: handler, result: result) }
        if report.invocations.contains(where: { $0.kind == "timeout" }) {
            throw LambdaEmulatorError.timedOut(handler: handler, seconds: timeout, log: report.log ?? "")
        }
        return report.invocations.map(\.outcome)
    }

    /// One runtime installation for the whole test run.
    static let cache: String = {
        let directory = FileManager.default.temporaryDirectory.path + "/pexify-emulator-cache-\(getpid())"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }()

    /// The part of `pexify invoke --json`'s report the tests use.
    private struct Report: Decodable {
        struct Invocation: Decodable {
            var kind: String
            var body: String?
            var errorType: String?
            var errorMessage: String?
            var status: Int32?

            var outcome: LambdaOutcome {
                switch kind {
                case "response": .response(body ?? "")
                case "error": .error(type: errorType ?? "", message: errorMessage ?? "")
                case "initError": .initError(type: errorType ?? "", message: errorMessage ?? "")
                default: .runtimeExit(status: status ?? -1)
                }
            }
        }
        var invocations: [Invocation]
        var log: String?
    }
}

public enum LambdaEmulatorError: Error, CustomStringConvertible {
    case harnessFailed(handler: String, result: ProcessResult)
    case timedOut(handler: String, seconds: Double, log: String)

    public var description: String {
        switch self {
        case .harnessFailed(let handler, let result):
            "pexify invoke for handler '\(handler)' failed to run (is PEXIFY_TEST_PYTHON the test venv made by "
                + "scripts/setup-test-env.sh, with its wheelhouse-runtime?): \(result.summary)"
        case .timedOut(let handler, let seconds, let log):
            "Handler '\(handler)' did not answer within \(seconds) s; runtime log:\n\(log)"
        }
    }
}
