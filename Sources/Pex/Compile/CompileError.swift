/// Why target bytecode cannot be produced.
public enum CompileError: Error, Sendable, Equatable {
    /// No interpreter on `PATH` (or given with `--compile-with`) runs the target's CPython version.
    case noInterpreter(version: String, tried: [String])
    /// `--compile-with` names an interpreter of another version or implementation.
    case wrongInterpreter(path: String, version: String, found: String)
    /// The compiling interpreter stopped or answered outside the protocol.
    case interpreterFailed(path: String, detail: String)
}

extension CompileError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .noInterpreter(version, tried):
            let looked = tried.isEmpty ? "no python\(version) was found on PATH"
                : "tried " + tried.map { "'\($0)'" }.joined(separator: ", ")
            return "--compile needs a CPython \(version) interpreter to write bytecode for the target, but "
                + "\(looked). Put python\(version) on PATH or name one with --compile-with PATH; pexify does "
                + "not guess the bytecode format of a Python version it cannot run."
        case let .wrongInterpreter(path, version, found):
            return "--compile-with '\(path)' runs \(found), but the target needs CPython \(version). Name a "
                + "CPython \(version) interpreter."
        case let .interpreterFailed(path, detail):
            return "The bytecode compiler '\(path)' failed: \(detail). Check that the interpreter works "
                + "(run it with -c pass) or build without --compile."
        }
    }
}
