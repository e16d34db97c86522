import TOMLKit

/// TOML from files pexify did not write (locks, `pyproject.toml`), parsed with TOMLKit after refusing
/// the one shape its toml++ 3.4 parser does not check: a table header whose first character cannot
/// start a key (`[.a]`, `[[{`). toml++ asserts on it (an abort in a debug build) and, with `NDEBUG`,
/// tells the optimiser the case cannot happen, so its error path may be compiled away. The fuzz
/// tests (`ParserFuzzTests`) found it in a cut-off `uv.lock`.
enum TOMLText {
    /// A table header toml++ cannot be trusted with.
    struct UnkeyedTableHeader: Error, CustomStringConvertible {
        var line: Int
        var description: String { "line \(line): a table header must start with a key" }
    }

    static func parse(_ text: String) throws -> TOMLTable {
        if let line = unkeyedTableHeader(in: Array(text.utf8)) { throw UnkeyedTableHeader(line: line) }
        return try TOMLTable(string: text)
    }

    /// The line of the first `[` or `[[` that starts a statement (at a line's start, outside strings,
    /// comments and bracketed values) and is followed by something other than a bare-key character, a
    /// quote or `]`; toml++ reports everything else as an error itself.
    static func unkeyedTableHeader(in bytes: [UInt8]) -> Int? {
        var index = 0, line = 1, depth = 0, atLineStart = true
        func at(_ position: Int) -> UInt8? { position < bytes.count ? bytes[position] : nil }
        func startsWith(_ literal: String, _ position: Int) -> Bool {
            Array(literal.utf8).enumerated().allSatisfy { at(position + $0.offset) == $0.element }
        }
        while let byte = at(index) {
            if byte == UInt8(ascii: "\n") {
                line += 1; atLineStart = true; index += 1; continue
            }
            if atLineStart, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") {
                index += 1; continue
            }
            if atLineStart, depth == 0, byte == UInt8(ascii: "[") {
                var next = index + 1
                if at(next) == UInt8(ascii: "[") { next += 1 }
                while at(next) == UInt8(ascii: " ") || at(next) == UInt8(ascii: "\t") { next += 1 }
                if let first = at(next), !(isBareKeyByte(first) || first == UInt8(ascii: "\"") || first == UInt8(ascii: "'")
                                            || first == UInt8(ascii: "]")) {
                    return line
                }
                while let rest = at(index), rest != UInt8(ascii: "\n") { index += 1 }
                continue
            }
            atLineStart = false
            switch byte {
            case UInt8(ascii: "#"):
                while let rest = at(index), rest != UInt8(ascii: "\n") { index += 1 }
                continue
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                let multiLine = startsWith(byte == UInt8(ascii: "\"") ? "\"\"\"" : "'''", index)
                index += multiLine ? 3 : 1
                while let inner = at(index) {
                    if byte == UInt8(ascii: "\""), inner == UInt8(ascii: "\\") { index += 2; continue }
                    if inner == UInt8(ascii: "\n") {
                        if !multiLine { break }
                        line += 1
                    }
                    if inner == byte, !multiLine || (at(index + 1) == byte && at(index + 2) == byte) {
                        index += multiLine ? 3 : 1
                        break
                    }
                    index += 1
                }
                continue
            case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth = max(0, depth - 1)
            default: break
            }
            index += 1
        }
        return nil
    }

    private static func isBareKeyByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }
}
