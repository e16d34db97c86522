/// Why a build or a lock cannot start.
public enum BuildError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `pexify lock` without requirements.
    case nothingToLock

    public var description: String {
        switch self {
        case .nothingToLock: "There is nothing to lock: give requirements or -r FILE."
        }
    }
}
