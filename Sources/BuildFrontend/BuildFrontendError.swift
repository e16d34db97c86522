/// Why a project or source distribution could not be built into a wheel.
public enum BuildFrontendError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No CPython to build with was found.
    case noInterpreter(version: String, tried: [String])
    /// The build interpreter could not be started or described itself wrongly.
    case interpreterFailed(path: String, detail: String)
    /// The project directory or its `pyproject.toml` cannot be used.
    case invalidProject(path: String, reason: String)
    /// A PEP 517 hook failed; `log` is the end of the backend's output; `mismatch` says why this
    /// machine does not match the target, when it does not (a compiled build could not be used anyway).
    case hookFailed(package: String, hook: String, log: String, mismatch: String?)
    /// The backend produced something that is not a usable wheel.
    case invalidWheel(package: String, reason: String)
    /// The build requirements could not be resolved or installed.
    case buildRequirements(package: String, reason: String)
    /// The built wheel holds native code and this machine does not match the target.
    case needsMatchingMachine(package: String, wheel: String, mismatch: String)
    /// The user's own project holds native code and this machine does not match the target.
    case projectNeedsMatchingMachine(project: String, wheel: String, mismatch: String)

    public var description: String {
        switch self {
        case let .noInterpreter(version, tried):
            "No CPython \(version) or other CPython 3 to build source distributions with was found on PATH"
                + (tried.isEmpty ? "" : " (tried: \(tried.joined(separator: "; ")))")
                + ". Install python\(version), or use only wheels (--only-binary :all:)."
        case let .interpreterFailed(path, detail):
            "The build interpreter \(path) cannot be used: \(detail)."
        case let .invalidProject(path, reason):
            "The project \(path) cannot be built: \(reason)."
        case let .hookFailed(package, hook, log, mismatch):
            "Building \(package) failed in the backend's \(hook) hook."
                + (mismatch.map { " If it failed compiling native code: even a successful build here could not be "
                    + "used, because \($0); look for an index with a wheel of \(package) for the target "
                    + "(--extra-index-url), --find-links to a wheel built on a matching machine, or another version." } ?? "")
                + " The backend's last output:\n\(log)"
        case let .invalidWheel(package, reason):
            "Building \(package) produced no usable wheel: \(reason)."
        case let .buildRequirements(package, reason):
            "The build requirements of \(package) cannot be installed: \(reason)"
        case let .needsMatchingMachine(package, wheel, mismatch):
            "\(package) has no wheel for the target and must be compiled: its build produced \(wheel), which "
                + "holds native code, but \(mismatch), so a wheel built here would not run there. Ways out: an "
                + "index that has a wheel of it for the target (--extra-index-url), --find-links to a wheel built "
                + "on a machine that matches the target, or another version of \(package) that ships such a wheel."
        case let .projectNeedsMatchingMachine(project, wheel, mismatch):
            "The project \(project) holds native code: its build produced \(wheel), but \(mismatch), so a wheel "
                + "built here would not run there. Run pexify on a machine that matches the target (such as the "
                + "target's build image), or list a wheel of the project built on one."
        }
    }
}
