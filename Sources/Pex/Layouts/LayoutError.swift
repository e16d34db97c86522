/// Why an archive layout cannot be assembled.
public enum LayoutError: Error, Sendable, Equatable {
    case collision(path: String, first: String, second: String)
    case missingSourcesDirectory(path: String)
    case nativeCode([String])
    case invalidSourceGlob(option: String, glob: String)
    case handlerLeftOut(handler: String, directory: String, left: LeftOutSource)
}

extension LayoutError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .collision(path, first, second):
            return "Both \(first) and \(second) provide '\(path)' with different contents. Remove one of them "
                + "(for a distribution: --exclude NAME) or make the files identical."
        case let .missingSourcesDirectory(path):
            return "The sources directory '\(path)' does not exist or is not a directory. Pass an existing "
                + "directory to -D/--sources-directory."
        case let .nativeCode(problems):
            return "The archive holds native code that cannot load on the target:\n  "
                + problems.joined(separator: "\n  ")
        case let .handlerLeftOut(handler, directory, left):
            return "The handler '\(handler)' is in '\(left.path)' of the sources directory '\(directory)', which is left "
                + "out (\(left.reason.rawValue)\(left.rule.map { ": \($0)" } ?? "")). Pass --include-source "
                + "'\(left.path)' or move the handler."
        case let .invalidSourceGlob(option, glob):
            return "\(option) '\(glob)' is not a usable glob: it is empty, a comment or negated. Give a "
                + ".gitignore-style pattern relative to the sources directory, such as 'tests/' or '*.md'."
        }
    }
}
