/// Why a build or a lock cannot start.
public enum BuildError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `pexify lock` without requirements.
    case nothingToLock
    /// A lock would have to record wheels built here (from sdists or local projects), which it cannot.
    case cannotLockBuilt([String])
    /// Two targets of one lock that its `environments` markers cannot tell apart.
    case indistinctTargets(first: String, second: String, marker: String)

    public var description: String {
        switch self {
        case .nothingToLock: "There is nothing to lock: give requirements, -r FILE or --lock FILE."
        case let .indistinctTargets(first, second, marker):
            "The targets \(first) and \(second) have the same environment (\(marker)), so one lock cannot tell them "
                + "apart; lock them into separate files."
        case let .cannotLockBuilt(names):
            "pexify lock cannot record \(names.joined(separator: ", ")): built from source here (a local project "
                + "or an sdist), its wheel would exist only in this machine's cache. Publish it as a wheel to an index "
                + "or --find-links directory and lock again, or build without a lock."
        }
    }
}
