/// Why a function cannot be invoked locally. Every case is raised before the function's code runs.
public enum InvokeError: Error, Sendable, Equatable {
    /// No interpreter runs what the archive was built for; `needs` says what, `tried` what each
    /// candidate is.
    case noMatchingInterpreter(needs: String, tried: [String])
    /// The archive's own parts disagree (two native modules for different Python versions).
    case inconsistentArchive(path: String, detail: String)
    /// An interpreter could not be started or did not answer the probe.
    case interpreterFailed(path: String, detail: String)
    /// No `--handler` and nothing in the archive names one.
    case noHandler(archive: String)
    /// `--event` is neither `-`, a readable file nor JSON.
    case invalidEvent(String)
    /// `--environment` is not `NAME=VALUE`.
    case invalidEnvironment(String)
    /// Laying the function out failed (extracting, sealing).
    case layoutFailed(path: String, detail: String)
    /// The runtime interface client could not be resolved or installed.
    case runtimeUnavailable(detail: String)
    /// The emulation's own Python side failed (not the function).
    case harnessFailed(detail: String)
}

extension InvokeError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .noMatchingInterpreter(needs, tried):
            "The archive needs \(needs), but no interpreter here is one (tried "
                + tried.map { "'\($0)'" }.joined(separator: ", ")
                + "). Install that CPython or name one with --python PATH; the function would not run the "
                + "same elsewhere."
        case let .inconsistentArchive(path, detail):
            "\(path) cannot run on any single interpreter: \(detail). Rebuild it for one target."
        case let .interpreterFailed(path, detail):
            "The interpreter '\(path)' could not be used: \(detail). Check it with '\(path) -c pass' or name "
                + "another with --python."
        case let .noHandler(archive):
            "\(archive) names no handler (no lambda_function.py, no PEX entry point); give one with --handler, "
                + "e.g. --handler app.handler or, for a PEX, --handler __pex__.app.handler."
        case let .invalidEvent(text):
            "--event '\(text)' is neither '-' (standard input), a readable file nor JSON text."
        case let .invalidEnvironment(text):
            "--environment '\(text)' is not NAME=VALUE."
        case let .layoutFailed(path, detail):
            "Laying out the function failed at \(path): \(detail)."
        case let .runtimeUnavailable(detail):
            "The Lambda runtime interface client (awslambdaric) for the local interpreter is not available: "
                + "\(detail). Point pexify at an index or --find-links directory that has it, or run once online."
        case let .harnessFailed(detail):
            "The local Lambda emulation failed: \(detail)."
        }
    }
}
