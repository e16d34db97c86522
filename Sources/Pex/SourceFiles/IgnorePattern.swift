/// One line of a `.gitignore` (or `.pexifyignore`, or a `--exclude-source`/`--include-source` glob),
/// parsed as git parses it ([gitignore(5)](https://git-scm.com/docs/gitignore), *Pattern format*;
/// git's `dir.c`): trailing unescaped spaces dropped, `!` negates, a trailing `/` matches directories
/// only, a `/` at the start or in the middle anchors the pattern to its file's directory, and a pattern
/// without one matches a name at any depth.
struct IgnorePattern: Sendable, Equatable {
    /// The glob without `!`, leading `/` or trailing `/` (a backslash-escaped `\!` or `\#` keeps its
    /// backslash, which ``Wildmatch`` reads as quoting).
    var glob: [UInt8]
    var negated: Bool
    var directoryOnly: Bool
    /// No slash: matched against the last path component only.
    var matchesName: Bool
    /// The line as written (for messages: which rule left a file out).
    var text: String

    /// Parses one line; nil for a blank line or a comment.
    init?(line: Substring) {
        var bytes = Array(line.utf8)
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        guard let first = bytes.first, first != UInt8(ascii: "#") else { return nil }
        Self.trimTrailingSpaces(&bytes)
        text = String(decoding: bytes, as: UTF8.self)
        negated = first == UInt8(ascii: "!")
        if negated { bytes.removeFirst() }
        directoryOnly = bytes.last == UInt8(ascii: "/")
        if directoryOnly { bytes.removeLast() }
        matchesName = !bytes.contains(UInt8(ascii: "/"))
        if bytes.first == UInt8(ascii: "/") { bytes.removeFirst() }
        guard !bytes.isEmpty else { return nil }
        glob = bytes
    }

    /// Whether the pattern matches `path`, given relative to the directory of the file the pattern came
    /// from (`a/b/c.txt`, no leading or trailing slash).
    func matches(_ path: [UInt8], isDirectory: Bool) -> Bool {
        if directoryOnly && !isDirectory { return false }
        guard matchesName else { return Wildmatch.matches(glob, path) }
        let name = path.lastIndex(of: UInt8(ascii: "/")).map { Array(path[($0 + 1)...]) } ?? path
        return Wildmatch.matches(glob, name)
    }

    /// Git's `trim_trailing_spaces`: spaces at the end go unless a backslash quotes them.
    private static func trimTrailingSpaces(_ bytes: inout [UInt8]) {
        var lastSpace: Int?
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "):
                if lastSpace == nil { lastSpace = index }
            case UInt8(ascii: "\\"):
                index += 1
                if index == bytes.count { return }
                lastSpace = nil
            default:
                lastSpace = nil
            }
            index += 1
        }
        if let lastSpace { bytes.removeSubrange(lastSpace...) }
    }
}

/// The patterns of one ignore file, which apply below its directory.
struct IgnoreFile: Sendable {
    /// The file, relative to the sources directory (`.gitignore`, `app/.gitignore`, or `../.gitignore` for
    /// one above it in the same git work tree), for messages.
    var name: String
    /// What to put before a path relative to the sources directory to make it relative to the file's own
    /// directory (`src/` for a `.gitignore` one level above `-D src`); the file applies only to paths
    /// below `scope` (relative to the sources directory; empty for the whole tree).
    var base: String
    var scope: String
    var patterns: [(line: Int, pattern: IgnorePattern)]

    init(name: String, base: String, scope: String, text: String) {
        self.name = name
        self.base = base
        self.scope = scope
        // "\r\n" is one Character in Swift: split on both.
        var lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = first.dropFirst() }
        patterns = lines.enumerated().compactMap { index, line in
            IgnorePattern(line: line).map { (index + 1, $0) }
        }
    }

    /// The last pattern that matches `path` (relative to the sources directory), which decides: git's
    /// rule that a later line overrides an earlier one.
    func lastMatch(_ path: String, isDirectory: Bool) -> (line: Int, pattern: IgnorePattern)? {
        guard scope.isEmpty || path.hasPrefix(scope) else { return nil }
        return lastMatch(relativeToFile: Array((base + path.dropFirst(scope.count)).utf8), isDirectory: isDirectory)
    }

    /// The last pattern that matches `path` given relative to the file's own directory.
    func lastMatch(relativeToFile path: [UInt8], isDirectory: Bool) -> (line: Int, pattern: IgnorePattern)? {
        patterns.last { $0.pattern.matches(path, isDirectory: isDirectory) }
    }
}
