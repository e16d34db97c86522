import ArgumentParser
import Foundation
import Invoke

/// `pexify invoke ARCHIVE`: run a built function locally the way AWS Lambda runs it, without Docker.
struct InvokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoke",
        abstract: "Run a function zip or PEX locally as AWS Lambda's Python runtime would (or --check its imports).",
        discussion: """
            The archive is extracted read-only as the task root, layers into an /opt-like directory; the real \
            runtime interface client (awslambdaric, installed once into pexify's cache for the local CPython) \
            talks to a Runtime API served on 127.0.0.1. The local CPython must match the archive's Python \
            version and architecture. Responses (or error documents) go to stdout, one per invocation; the \
            function's log with Lambda's START/END/REPORT lines goes to stderr. Exit status 1 when any \
            invocation did not return a response.
            """
    )

    @Argument(help: "The function zip or PEX.")
    var archive: String

    @Option(name: .customLong("layer"), help: ArgumentHelp("A layer zip, extracted in order into /opt (repeatable).", valueName: "zip"))
    var layers: [String] = []

    @Option(help: ArgumentHelp("The event: a JSON file, '-' for stdin, or JSON text (repeatable; default {}).", valueName: "file|-|json"))
    var event: [String] = []

    @Option(help: "The Lambda handler, e.g. app.handler or __pex__.app.handler (default: lambda_function.handler or the PEX entry point).")
    var handler: String?

    @Option(name: .customLong("environment"), help: ArgumentHelp("An environment variable for the function (repeatable).", valueName: "name=value"))
    var environment: [String] = []

    @Option(help: "Seconds each invocation may take (Lambda's function timeout).")
    var timeout: Double = 3

    @Option(name: .customLong("memory-size"), help: "The function's memory size in MB, as reported to it (not enforced).")
    var memorySize: Int = 128

    @Option(name: .customLong("repeat"), help: "Invoke each event this many times in one sandbox: one cold start, then warm invocations.")
    var repetitions: Int = 1

    @Option(help: ArgumentHelp("The CPython to run the function with (default: pythonX.Y for the archive's target, then python3).", valueName: "path"))
    var python: String?

    @Flag(help: "Import the handler and every top-level module the archive ships; report failures and the slowest imports.")
    var check = false

    @Flag(help: "Print one JSON object on stdout (the function's log included) instead of text.")
    var json = false

    @OptionGroup var index: IndexArguments

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be more than 0 seconds.") }
        guard repetitions >= 1 else { throw ValidationError("--repeat must be at least 1.") }
        guard memorySize >= 128 else { throw ValidationError("--memory-size must be at least 128 (MB), as on Lambda.") }
        if check && (!event.isEmpty || repetitions != 1) {
            throw ValidationError("--check imports modules and invokes nothing; drop --event and --repeat.")
        }
    }

    func run() async throws {
        var variables: [String: String] = [:]
        for assignment in environment {
            guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
                throw InvokeError.invalidEnvironment(assignment)
            }
            variables[String(assignment[..<equals])] = String(assignment[assignment.index(after: equals)...])
        }
        let events = try (event.isEmpty ? ["{}"] : event).map { try InvokeRequest.event($0) }
        let request = InvokeRequest(
            archive: archive, layers: layers, handler: handler,
            events: Array(events.map { Array(repeating: $0, count: repetitions) }.joined()),
            environment: variables, timeout: timeout, memorySize: memorySize, python: python,
            source: index.options,
            captureLog: json)
        if check {
            let report = try Invoke.check(request)
            Terminal.standardOutput.write(json ? try report.json() + "\n" : report.text())
            if !report.succeeded { throw ExitCode.failure }
            return
        }
        let report = try await Invoke.run(request, progress: Terminal.progress())
        Terminal.standardOutput.write(json ? try report.json() + "\n" : report.text())
        if !json, let notInvoked = report.notInvoked { Terminal.standardError.write("note: \(notInvoked)\n") }
        if !report.succeeded { throw ExitCode.failure }
    }
}
