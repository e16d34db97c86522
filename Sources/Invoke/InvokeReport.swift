import Basics
import Foundation

/// What the emulated sandbox answered: one entry per invocation, as the Runtime API saw it.
public struct InvokeReport: Sendable, Codable, MachineReadable {
    public struct Invocation: Sendable, Codable, Equatable {
        public enum Kind: String, Sendable, Codable {
            /// The handler returned; `body` is the JSON the runtime client serialised.
            case response
            /// The handler raised (`/invocation/{id}/error`).
            case error
            /// The runtime could not load the handler (`/init/error`): `Runtime.ImportModuleError`, …
            case initError
            /// The invocation (or the init phase) ran out of time and the sandbox was stopped.
            case timeout
            /// The runtime process ended without answering.
            case runtimeExit
        }

        public var kind: Kind
        /// nil for what happened before any invocation started (init error, init timeout).
        public var requestId: String?
        public var body: String?
        public var errorType: String?
        public var errorMessage: String?
        public var stackTrace: [String]?
        /// The runtime's exit status, for ``Kind/runtimeExit``.
        public var status: Int32?
        public var durationMs: Double
        /// On the cold invocation only: from starting the runtime to its first `invocation/next`.
        public var initDurationMs: Double?
        public var maxMemoryUsedMB: Int

        /// What Lambda returns to the caller: the response body, or the error document.
        public var payload: String {
            if kind == .response { return body ?? "" }
            struct ErrorDocument: Encodable {
                var errorMessage: String
                var errorType: String
                var requestId: String?
                var stackTrace: [String]
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let document = ErrorDocument(errorMessage: errorMessage ?? "", errorType: errorType ?? "",
                                         requestId: requestId, stackTrace: stackTrace ?? [])
            return (try? encoder.encode(document)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
    }

    public var archive: String
    public var handler: String
    public var interpreter: LocalInterpreter
    /// How many invocations were asked for; fewer ran when the sandbox ended early.
    public var events: Int
    public var invocations: [Invocation]
    /// The function's log when it was captured instead of streamed (`--json`).
    public var log: String?

    /// Every event was invoked and answered with a response.
    public var succeeded: Bool { invocations.count == events && invocations.allSatisfy { $0.kind == .response } }

    /// The payloads, one per line.
    public func text() -> String {
        invocations.map { $0.payload + "\n" }.joined()
    }

    /// Why some events were not invoked, when the sandbox ended early; nil when all were.
    public var notInvoked: String? {
        guard invocations.count < events else { return nil }
        let cause = switch invocations.last?.kind {
        case .initError: "an init error"
        case .timeout: "a timeout"
        case .runtimeExit: "the runtime exited"
        default: "starting"
        }
        return "\(events - invocations.count) of \(events) invocations did not run: the sandbox ended after \(cause)."
    }
}

/// `--check`: how importing the handler and every shipped top-level module went.
public struct CheckReport: Sendable, Codable, MachineReadable {
    public struct Import: Sendable, Codable, Equatable {
        public var module: String
        /// `handler`, `function`, `PEX runtime`, a wheel under `.deps/`, or `layer python`.
        public var origin: String
        /// nil when the import never finished.
        public var seconds: Double?
        public var errorType: String?
        public var errorMessage: String?
        public var traceback: String?

        public var failed: Bool { errorType != nil || seconds == nil }
    }

    /// What the first import of a top-level module the function ships cost, as `python -X importtime`
    /// measured it: its own code (`selfMs`) and with everything it imported first (`cumulativeMs`).
    public struct ImportTime: Sendable, Codable, Equatable {
        public var module: String
        public var selfMs: Double
        public var cumulativeMs: Double
    }

    public var archive: String
    public var handler: String
    public var interpreter: LocalInterpreter
    public var imports: [Import]
    /// Slowest first.
    public var importTimes: [ImportTime]
    /// The check process's exit status; nil when it was stopped after the time limit.
    public var status: Int32?
    /// What the modules printed, when it was captured instead of streamed (`--json`).
    public var log: String?

    public var failures: [Import] { imports.filter(\.failed) }
    public var succeeded: Bool { failures.isEmpty && status == 0 && imports.contains { $0.origin == "handler" } }

    public func text() -> String {
        let total = imports.compactMap(\.seconds).reduce(0, +)
        var lines = ["\(archive): imported the handler \(handler) and the top-level modules it did not import "
            + "(\(imports.count) imports, \(failures.count) failed) in " + String(format: "%.2f s", total)
            + " with \(interpreter.summary)."]
        if !failures.isEmpty {
            lines.append("Failed:")
            for failure in failures {
                let what = failure.errorType.map { "\($0): \(failure.errorMessage ?? "")" }
                    ?? (status == nil ? "did not finish in time" : "the interpreter died (exit status \(status ?? 0))")
                lines.append("  \(failure.module) (\(failure.origin)): \(what)")
                if let traceback = failure.traceback {
                    lines += traceback.split(separator: "\n").map { "      " + $0 }
                }
            }
        }
        lines.append("Slowest imports (cumulative, self; python -X importtime):")
        for item in importTimes.prefix(10) {
            lines.append(String(format: "  %8.1f ms %8.1f ms  ", item.cumulativeMs, item.selfMs) + item.module)
        }
        lines.append(succeeded ? "OK: the handler \(handler) and every module import." : "FAILED")
        return lines.joined(separator: "\n") + "\n"
    }
}
