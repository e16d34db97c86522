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

/// Runs Lambda functions locally the way AWS Lambda's Python runtime does, for tests.
///
/// The real runtime interface client (`awslambdaric`, from the test venv) loads the handler from the
/// extracted function zip and talks to a Runtime API served on 127.0.0.1 by
/// `Tests/Fixtures/lambda/runtime_api.py`: the task root is read-only, is the working directory and comes
/// first on `sys.path`; layers are extracted to an `/opt`-like directory whose `python/lib/python3.X/
/// site-packages` and `python` follow it; `LAMBDA_TASK_ROOT` and `_HANDLER` are set; only `awslambdaric`
/// and its dependencies are importable besides the function's own code (docs/formats/lambda-layout.md).
public enum LambdaEmulator {
    /// Invokes `handler` once per event and returns what the runtime answered, in order.
    ///
    /// - Parameters:
    ///   - functionZip: the deployment package (a zip extracted like Lambda does, with its stored modes);
    ///   - taskRoot: or a directory used as the function code instead (copied, not modified);
    ///   - layers: layer zips, extracted in order into the `/opt`-like directory;
    ///   - handler: the Lambda handler string, e.g. `lambda_function.handler` or `pkg/sub/mod.func`;
    ///   - events: the JSON event payloads;
    ///   - timeout: seconds for the whole run before it is stopped and this throws.
    /// - Returns: one outcome per answered event; after an init error, just that one outcome.
    /// - Throws: `LambdaEmulatorError` when the emulation itself cannot run or time runs out.
    public static func invoke(
        functionZip: String? = nil, taskRoot: String? = nil, layers: [String] = [], handler: String,
        events: [String], timeout: Double = 120
    ) throws -> [LambdaOutcome] {
        precondition((functionZip == nil) != (taskRoot == nil), "give either functionZip or taskRoot")
        let request = Request(functionZip: functionZip, taskRoot: taskRoot, layers: layers, handler: handler,
                              events: events, timeout: timeout)
        let result = try run(TestEnvironment.python, [script], stdin: Array(try JSONEncoder().encode(request)))
        guard result.status == 0,
              let report = try? JSONDecoder().decode(Report.self, from: Data(result.stdoutBytes))
        else { throw LambdaEmulatorError.harnessFailed(handler: handler, result: result) }
        if report.timedOut { throw LambdaEmulatorError.timedOut(handler: handler, seconds: timeout, log: report.log) }
        return report.outcomes.map(\.outcome)
    }

    static var script: String { TestEnvironment.packageRoot + "/Tests/Fixtures/lambda/runtime_api.py" }

    private struct Request: Encodable {
        var functionZip: String?
        var taskRoot: String?
        var layers: [String]
        var handler: String
        var events: [String]
        var timeout: Double
    }

    private struct Report: Decodable {
        struct Outcome: Decodable {
            var kind: String
            var body: String?
            var type: String?
            var message: String?
            var status: Int32?

            var outcome: LambdaOutcome {
                switch kind {
                case "response": .response(body ?? "")
                case "error": .error(type: type ?? "", message: message ?? "")
                case "initError": .initError(type: type ?? "", message: message ?? "")
                default: .runtimeExit(status: status ?? -1)
                }
            }
        }
        var outcomes: [Outcome]
        var log: String
        var timedOut: Bool
    }
}

public enum LambdaEmulatorError: Error, CustomStringConvertible {
    case harnessFailed(handler: String, result: ProcessResult)
    case timedOut(handler: String, seconds: Double, log: String)

    public var description: String {
        switch self {
        case .harnessFailed(let handler, let result):
            "The Lambda emulation for handler '\(handler)' failed to run (is PEXIFY_TEST_PYTHON the test venv "
                + "made by scripts/setup-test-env.sh?): \(result.summary)"
        case .timedOut(let handler, let seconds, let log):
            "Handler '\(handler)' did not answer every event within \(seconds) s; runtime log:\n\(log)"
        }
    }
}
