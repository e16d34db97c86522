/// A hand-written scanner for the PEP 440 grammar (packaging's `VERSION_PATTERN`, with its possessive
/// groups), over lower-cased ASCII bytes. Faster than a regex and shared by ``Version`` and
/// ``VersionSpecifier``.
struct VersionParser {
    private let bytes: [UInt8]
    private(set) var index = 0

    /// Prepares to scan `text` with surrounding whitespace removed, case-folded.
    init(_ text: Substring) {
        let trimmed = text.trimmingWhitespace()
        bytes = trimmed.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
    }

    init(_ text: String) { self.init(text[...]) }

    var atEnd: Bool { index == bytes.count }

    private static let preLabels: [(String, Version.PreReleaseKind)] = [
        ("alpha", .alpha), ("a", .alpha), ("beta", .beta), ("b", .beta),
        ("preview", .releaseCandidate), ("pre", .releaseCandidate), ("c", .releaseCandidate),
        ("rc", .releaseCandidate),
    ]
    private static let postLabels = ["post", "rev", "r"]

    private func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    private static func isDigit(_ b: UInt8?) -> Bool { b.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
    private static func isSeparator(_ b: UInt8?) -> Bool { b == 0x2E || b == 0x2D || b == 0x5F }
    private static func isAlphanumeric(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7A) }

    /// Consumes a run of ASCII digits; nil when there is none or it overflows `Int`.
    private mutating func number() -> Int? {
        guard Self.isDigit(peek()) else { return nil }
        var value = 0
        while let b = peek(), Self.isDigit(b) {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int(b - 0x30))
            if o1 || o2 { return nil }
            value = sum
            index += 1
        }
        return value
    }

    private mutating func consume(_ literal: String) -> Bool {
        let utf8 = literal.utf8
        guard index + utf8.count <= bytes.count else { return false }
        var j = index
        for b in utf8 { if bytes[j] != b { return false }; j += 1 }
        index = j
        return true
    }

    private mutating func consumeSeparator() {
        if Self.isSeparator(peek()) { index += 1 }
    }

    /// `v? (N!)? N(.N)*` — returns nil (with the position unspecified) when no release is present.
    mutating func parseEpochAndRelease() -> (epoch: Int, release: [Int])? {
        if peek() == UInt8(ascii: "v") { index += 1 }
        let start = index
        var epoch = 0
        if let n = number(), peek() == UInt8(ascii: "!") {
            epoch = n
            index += 1
        } else {
            index = start
        }
        guard let first = number() else { return nil }
        var release = [first]
        while peek() == UInt8(ascii: "."), Self.isDigit(peek(1)) {
            index += 1
            guard let n = number() else { return nil }
            release.append(n)
        }
        return (epoch, release)
    }

    /// Parses one version at the current position; the caller checks what follows.
    mutating func parseVersion(allowLocal: Bool) -> Version? {
        guard let (epoch, release) = parseEpochAndRelease() else { return nil }
        var pre: (kind: Version.PreReleaseKind, number: Int)?
        var post: Int?
        var dev: Int?

        // Pre-release: [._-]? label [._-]? N?
        var save = index
        consumeSeparator()
        if let kind = Self.preLabels.first(where: { consume($0.0) })?.1 {
            consumeSeparator()
            if Self.isDigit(peek()) { guard let n = number() else { return nil }; pre = (kind, n) }
            else { pre = (kind, 0) }
        } else {
            index = save
        }

        // Post-release: -N | [._-]? label [._-]? N?
        save = index
        if peek() == UInt8(ascii: "-"), Self.isDigit(peek(1)) {
            index += 1
            guard let n = number() else { return nil }
            post = n
        } else {
            consumeSeparator()
            if Self.postLabels.contains(where: { consume($0) }) {
                consumeSeparator()
                if Self.isDigit(peek()) { guard let n = number() else { return nil }; post = n }
                else { post = 0 }
            } else {
                index = save
            }
        }

        // Development release: [._-]? dev [._-]? N?
        save = index
        consumeSeparator()
        if consume("dev") {
            consumeSeparator()
            if Self.isDigit(peek()) { guard let n = number() else { return nil }; dev = n }
            else { dev = 0 }
        } else {
            index = save
        }

        // Local label: + [a-z0-9]+ ([._-][a-z0-9]+)*
        var local: [Version.LocalSegment]?
        if allowLocal, peek() == UInt8(ascii: "+") {
            save = index
            index += 1
            var segments: [Version.LocalSegment] = []
            while true {
                let start = index
                while let b = peek(), Self.isAlphanumeric(b) { index += 1 }
                guard index > start else { index = save; segments = []; break }
                let segment = bytes[start..<index]
                if segment.allSatisfy({ Self.isDigit($0) }) {
                    var value = 0
                    var overflow = false
                    for b in segment {
                        let (t, o1) = value.multipliedReportingOverflow(by: 10)
                        let (s, o2) = t.addingReportingOverflow(Int(b - 0x30))
                        overflow = overflow || o1 || o2
                        value = s
                    }
                    if overflow { return nil }
                    segments.append(.number(value))
                } else {
                    segments.append(.string(String(decoding: segment, as: UTF8.self)))
                }
                guard Self.isSeparator(peek()), let next = peek(1), Self.isAlphanumeric(next) else { break }
                index += 1
            }
            if !segments.isEmpty { local = segments }
        }
        return Version(epoch: epoch, release: release, pre: pre, post: post, dev: dev, local: local)
    }
}

extension StringProtocol {
    /// The text without leading and trailing whitespace (Unicode-aware, like Python's `str.strip()`).
    func trimmingWhitespace() -> Substring {
        let scalars = Substring(self)
        // Fast path: visible ASCII at both ends means nothing to trim.
        if let first = scalars.utf8.first, let last = scalars.utf8.last, (0x21...0x7E).contains(first), (0x21...0x7E).contains(last) {
            return scalars
        }
        guard let first = scalars.firstIndex(where: { !$0.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.isWhitespace }) else { return Substring() }
        return scalars[first...last]
    }
}
