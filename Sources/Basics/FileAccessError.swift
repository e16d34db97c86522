/// A file that could not be read, written or replaced.
public struct FileAccessError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    /// What was attempted: `open for reading`, `rename into`, …
    public var operation: String
    public var reason: String

    public init(path: String, operation: String, reason: String) {
        self.path = path
        self.operation = operation
        self.reason = reason
    }

    public var description: String {
        "Cannot \(operation) '\(path)': \(reason). Check that the path exists and that its directory is writable."
    }
}
