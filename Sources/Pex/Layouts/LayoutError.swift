/// Why an archive layout cannot be assembled.
public enum LayoutError: Error, Sendable, Equatable {
    case collision(path: String, first: String, second: String)
    case unreadable(path: String)
    case missingSourcesDirectory(path: String)
    case nativeCode([String])
    case cannotWrite(path: String, reason: String)
    case nothingToLock
}

extension LayoutError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .collision(path, first, second):
            return "Both \(first) and \(second) provide '\(path)' with different contents. Remove one of them "
                + "(for a distribution: --exclude NAME) or make the files identical."
        case let .unreadable(path):
            return "Cannot read '\(path)'. Check that it exists and is readable."
        case let .missingSourcesDirectory(path):
            return "The sources directory '\(path)' does not exist or is not a directory. Pass an existing "
                + "directory to -D/--sources-directory."
        case let .nativeCode(problems):
            return "The archive holds native code that cannot load on the target:\n  "
                + problems.joined(separator: "\n  ")
        case let .cannotWrite(path, reason):
            return "Cannot write '\(path)': \(reason). Check that its directory exists and is writable."
        case .nothingToLock:
            return "There is nothing to lock: give requirements or -r FILE."
        }
    }
}
