/// Why a PEX cannot be assembled or its `PEX-INFO` read.
public enum PexError: Error, Sendable, Equatable {
    case invalidEntryPoint(String)
    case unknownConsoleScript(name: String, available: [String])
    case ambiguousConsoleScript(name: String, candidates: [String])
    case conflictingEntryPoints(entryPoint: String, consoleScript: String)
    case reservedPath(String)
    case malformedPexInfo(reason: String)
}

extension PexError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidEntryPoint(let value):
            return "The entry point '\(value)' is not of the form MODULE or MODULE:FUNCTION (dotted Python "
                + "identifiers, e.g. 'app.main:run'). Fix the -e/--entry-point value."
        case let .unknownConsoleScript(name, available):
            let known = available.isEmpty ? "none of the distributions declares any" : "available: "
                + available.joined(separator: ", ")
            return "No distribution of the PEX declares the console script '\(name)' (\(known)). Add the "
                + "distribution that provides it to the requirements, or use -e MODULE:FUNCTION."
        case let .ambiguousConsoleScript(name, candidates):
            return "The console script '\(name)' is declared differently by several distributions ("
                + candidates.joined(separator: "; ") + "). Use -e MODULE:FUNCTION to pick one."
        case let .conflictingEntryPoints(entryPoint, consoleScript):
            return "Both the entry point '\(entryPoint)' and the console script '\(consoleScript)' were given; "
                + "pass only one of -e and -c."
        case .reservedPath(let path):
            return "The user code provides '\(path)', which the PEX layout reserves for itself (PEX-INFO, "
                + "__main__.py, __pex__/, .bootstrap/, .deps/). Rename or remove that file."
        case .malformedPexInfo(let reason):
            return "The PEX-INFO file cannot be read: \(reason). Rebuild the PEX with pexify."
        }
    }
}
