/// A scanner for the [PEP 508](https://packaging.python.org/specifications/dependency-specifiers/)
/// grammar, following `packaging`'s tokenizer: whitespace is spaces and tabs only, words end at a
/// non-word character, strings are `'…'` or `"…"` without escapes.
struct PEP508Scanner {
    struct Failure: Error {
        var reason: String
    }

    let bytes: [UInt8]
    var index = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    var atEnd: Bool { index == bytes.count }
    func peek(_ offset: Int = 0) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }

    func fail(_ reason: String) -> Failure {
        Failure(reason: "\(reason) at column \(index + 1)")
    }

    mutating func skipSpace() {
        while let b = peek(), b == 0x20 || b == 0x09 { index += 1 }
    }

    /// Consumes `byte` after optional whitespace.
    mutating func consume(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        index += 1
        return true
    }

    static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
    }

    static func isAlphanumeric(_ b: UInt8) -> Bool { isWordByte(b) && b != 0x5F }

    func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

    /// An identifier (`[A-Za-z0-9][A-Za-z0-9._-]*` ending on a word character): a project or extra name.
    mutating func identifier() -> String? {
        guard let first = peek(), Self.isAlphanumeric(first) else { return nil }
        let start = index
        var end = index
        var j = index
        while j < bytes.count, Self.isWordByte(bytes[j]) || bytes[j] == 0x2E || bytes[j] == 0x2D {
            if Self.isWordByte(bytes[j]) { end = j + 1 }
            j += 1
        }
        index = end
        return text(start..<end)
    }

    /// The run of word characters and dots at the current position (a marker keyword or variable).
    mutating func word() -> Substring? {
        let start = index
        while let b = peek(), Self.isWordByte(b) || b == 0x2E { index += 1 }
        guard index > start else { return nil }
        return Substring(text(start..<index))
    }

    // MARK: Markers

    /// marker = and_expr ("or" and_expr)*
    mutating func parseMarker() throws(Failure) -> MarkerExpression {
        var expression = try parseAnd()
        while try keyword("or") { expression = .or(expression, try parseAnd()) }
        return expression
    }

    private mutating func parseAnd() throws(Failure) -> MarkerExpression {
        var expression = try parseAtom()
        while try keyword("and") { expression = .and(expression, try parseAtom()) }
        return expression
    }

    /// Consumes `word` when it comes next as a whole word.
    private mutating func keyword(_ word: String) throws(Failure) -> Bool {
        skipSpace()
        let save = index
        if let found = self.word(), found == word { return true }
        index = save
        return false
    }

    private mutating func parseAtom() throws(Failure) -> MarkerExpression {
        skipSpace()
        if consume(UInt8(ascii: "(")) {
            let inner = try parseMarker()
            skipSpace()
            guard consume(UInt8(ascii: ")")) else { throw fail("expected \")\" to close the marker group") }
            return inner
        }
        let lhs = try parseOperand()
        skipSpace()
        let op = try parseOperator()
        skipSpace()
        let rhs = try parseOperand()
        // Like packaging, store `extra` literals normalised (PEP 685), so they print that way.
        switch (lhs, rhs) {
        case (.variable(.extra), .literal(let name)): return .comparison(lhs, op, .literal(canonicalizeLeniently(name)))
        case (.literal(let name), .variable(.extra)): return .comparison(.literal(canonicalizeLeniently(name)), op, rhs)
        default: return .comparison(lhs, op, rhs)
        }
    }

    private mutating func parseOperand() throws(Failure) -> MarkerOperand {
        if let quote = peek(), quote == 0x22 || quote == 0x27 {
            let start = index + 1
            guard let close = bytes[start...].firstIndex(of: quote) else {
                throw fail("unterminated string")
            }
            index = close + 1
            return .literal(text(start..<close))
        }
        let save = index
        guard let name = word(), let variable = MarkerVariable(spelling: name) else {
            index = save
            throw fail("expected a marker variable (such as python_version or sys_platform) or a quoted string")
        }
        return .variable(variable)
    }

    private mutating func parseOperator() throws(Failure) -> MarkerOperator {
        let save = index
        if let w = word() {
            if w == "in" { return .in }
            if w == "not" {
                let beforeSpace = index
                skipSpace()
                if index > beforeSpace, word() == "in" { return .notIn }
                throw fail("expected \"in\" after \"not\"")
            }
            index = save
        }
        for op in MarkerOperator.allCases where op != .in && op != .notIn {
            let symbol = Array(op.rawValue.utf8)
            if index + symbol.count <= bytes.count, Array(bytes[index..<index + symbol.count]) == symbol {
                index += symbol.count
                return op
            }
        }
        throw fail("expected a marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in")
    }
}
