import Foundation

/// Standard output and error, and whether stderr is a terminal (progress is shown only then).
struct Terminal: Sendable {
    let fileDescriptor: Int32

    static let standardOutput = Terminal(fileDescriptor: STDOUT_FILENO)
    static let standardError = Terminal(fileDescriptor: STDERR_FILENO)

    var isInteractive: Bool { isatty(fileDescriptor) == 1 }

    func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Foundation.write(fileDescriptor, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            bytes = bytes.dropFirst(written)
        }
    }

    /// A progress callback for the libraries: one line per step on an interactive stderr, nothing otherwise.
    static func progress() -> @Sendable (String) -> Void {
        guard standardError.isInteractive else { return { _ in } }
        // Starts by clearing the line, which may hold LiveProgress's line.
        return { standardError.write("\r\u{1B}[2K\($0)\n") }
    }
}
