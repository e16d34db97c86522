import TOMLKit

/// TOML from files pexify did not write (locks, `pyproject.toml`), parsed with TOMLKit after refusing
/// the shapes its toml++ 3.4 parser does not check before asserting: a table header whose first
/// character cannot start a key (`[.a]`), and a `}` where an array expects a value (`[}]`, `[1, }`).
/// toml++ aborts on them in a debug build and, with `NDEBUG`, tells the optimiser they cannot happen,
/// so its error path may be compiled away. The fuzz tests (`ParserFuzzTests`) found both in cut-off
/// and mutated locks. Both shapes are invalid TOML, so nothing valid is refused.
public enum TOMLText {
    /// A shape toml++ cannot be trusted with.
    public struct Refused: Error, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// The document, or an error for invalid TOML (including the shapes toml++ cannot be trusted with).
    public static func parse(_ text: String) throws -> TOMLTable {
        if let refused = uncheckedShape(in: Array(text.utf8)) { throw refused }
        return try TOMLTable(string: text)
    }

    /// The first unchecked shape, scanning as toml++ does: strings and comments skipped, `[` at a
    /// statement's start a table header, other `[` and `{` values that nest.
    static func uncheckedShape(in bytes: [UInt8]) -> Refused? {
        enum Nesting { case array, inlineTable }
        var index = 0, line = 1, atStatementStart = true, expectingArrayValue = false
        var nesting: [Nesting] = []
        func at(_ position: Int) -> UInt8? { position < bytes.count ? bytes[position] : nil }
        func skipLine() { while let rest = at(index), rest != UInt8(ascii: "\n") { index += 1 } }
        while let byte = at(index) {
            if byte == UInt8(ascii: "\n") {
                line += 1; index += 1
                atStatementStart = nesting.isEmpty
                continue
            }
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") {
                index += 1; continue
            }
            if byte == UInt8(ascii: "#") { skipLine(); continue }
            if atStatementStart, byte == UInt8(ascii: "[") {
                var next = index + 1
                if at(next) == UInt8(ascii: "[") { next += 1 }
                while at(next) == UInt8(ascii: " ") || at(next) == UInt8(ascii: "\t") { next += 1 }
                if let first = at(next), !(isBareKeyByte(first) || first == UInt8(ascii: "\"")
                                            || first == UInt8(ascii: "'") || first == UInt8(ascii: "]")) {
                    return Refused(line: line, reason: "a table header must start with a key")
                }
                skipLine()
                continue
            }
            atStatementStart = false
            if expectingArrayValue, byte == UInt8(ascii: "}") {
                return Refused(line: line, reason: "an array holds '}' where a value belongs")
            }
            expectingArrayValue = false
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                skipString(bytes, &index, &line)
                continue
            case UInt8(ascii: "["):
                nesting.append(.array); expectingArrayValue = true
            case UInt8(ascii: "{"):
                nesting.append(.inlineTable)
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                _ = nesting.popLast()
            case UInt8(ascii: ","):
                expectingArrayValue = nesting.last == .array
            default:
                break
            }
            index += 1
        }
        return nil
    }

    /// Moves `index` past the string starting there (basic or literal, single- or multi-line).
    private static func skipString(_ bytes: [UInt8], _ index: inout Int, _ line: inout Int) {
        let quote = bytes[index]
        let multiLine = index + 2 < bytes.count && bytes[index + 1] == quote && bytes[index + 2] == quote
        index += multiLine ? 3 : 1
        while index < bytes.count {
            let byte = bytes[index]
            if quote == UInt8(ascii: "\""), byte == UInt8(ascii: "\\") { index += 2; continue }
            if byte == UInt8(ascii: "\n") {
                if !multiLine { return }
                line += 1
            }
            if byte == quote {
                if !multiLine { index += 1; return }
                if index + 2 < bytes.count, bytes[index + 1] == quote, bytes[index + 2] == quote {
                    index += 3
                    return
                }
            }
            index += 1
        }
    }

    private static func isBareKeyByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }
}
