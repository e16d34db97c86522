/// Git's `wildmatch` with `WM_PATHNAME`, the glob dialect of `.gitignore` patterns
/// ([gitignore(5)](https://git-scm.com/docs/gitignore), *Pattern format*): `*` and `?` stop at `/`,
/// `**` between slashes (or at either end) spans directories, `[...]` classes with ranges, `!`/`^`
/// negation and `[:alpha:]`-style names, and `\` quoting the next character.
///
/// It follows git's `wildmatch.c` step by step, including its abort codes, which make a failed `*`
/// stop retrying once the rest of the text cannot match (this also keeps patterns like `a*a*a*b`
/// from taking exponential time).
enum Wildmatch {
    private enum Outcome { case match, noMatch, abortAll, abortToStarStar }

    /// Whether `pattern` matches all of `text` (a `/`-separated path relative to the pattern's base).
    static func matches(_ pattern: [UInt8], _ text: [UInt8]) -> Bool {
        // A NUL ends both, as in C: the port then reads past neither.
        dowild(pattern + [0], 0, text + [0], 0) == .match
    }

    private static let slash = UInt8(ascii: "/"), star = UInt8(ascii: "*"), backslash = UInt8(ascii: "\\")

    private static func dowild(_ p: [UInt8], _ pStart: Int, _ t: [UInt8], _ tStart: Int) -> Outcome {
        var pi = pStart, ti = tStart
        while p[pi] != 0 {
            var pCh = p[pi]
            var tCh = t[ti]
            if tCh == 0 && pCh != star { return .abortAll }
            switch pCh {
            case UInt8(ascii: "?"):
                if tCh == slash { return .noMatch }
            case star:
                var matchSlash: Bool
                pi += 1
                if p[pi] == star {
                    let previous = pi - 2
                    while p[pi] == star { pi += 1 }
                    if (previous < 0 || p[previous] == slash)
                        && (p[pi] == 0 || p[pi] == slash || (p[pi] == backslash && p[pi + 1] == slash)) {
                        // `**/` may match no directory at all: `a/**/b` matches `a/b`.
                        if p[pi] == slash && dowild(p, pi + 1, t, ti) == .match { return .match }
                        matchSlash = true
                    } else {
                        matchSlash = false  // `a**b` is `a*b`
                    }
                } else {
                    matchSlash = false
                }
                if p[pi] == 0 {
                    // A trailing `**` matches everything; a trailing `*` only what has no more slashes.
                    if !matchSlash && t[ti...].contains(slash) { return .noMatch }
                    return .match
                }
                if !matchSlash && p[pi] == slash {
                    // One `*` then `/`: the `*` takes the rest of this path component.
                    guard let next = t[ti...].firstIndex(of: slash) else { return .noMatch }
                    ti = next
                    break  // the slash is consumed below, as in the C loop
                }
                while true {
                    if tCh == 0 { break }
                    // Skip ahead to the literal that follows the star, not past a slash it cannot span.
                    if !isGlobSpecial(p[pi]) {
                        pCh = p[pi]
                        while true {
                            tCh = t[ti]
                            if tCh == 0 || (!matchSlash && tCh == slash) || tCh == pCh { break }
                            ti += 1
                        }
                        if tCh != pCh { return .noMatch }
                    }
                    let matched = dowild(p, pi, t, ti)
                    if matched != .noMatch {
                        if !matchSlash || matched != .abortToStarStar { return matched }
                    } else if !matchSlash && tCh == slash {
                        return .abortToStarStar
                    }
                    ti += 1
                    tCh = t[ti]
                }
                return .abortAll
            case UInt8(ascii: "["):
                pi += 1
                pCh = p[pi]
                if pCh == UInt8(ascii: "^") { pCh = UInt8(ascii: "!") }
                let negated = pCh == UInt8(ascii: "!")
                if negated { pi += 1; pCh = p[pi] }
                var previous: UInt8 = 0
                var matched = false
                repeat {
                    if pCh == 0 { return .abortAll }
                    if pCh == backslash {
                        pi += 1
                        pCh = p[pi]
                        if pCh == 0 { return .abortAll }
                        if tCh == pCh { matched = true }
                    } else if pCh == UInt8(ascii: "-") && previous != 0 && p[pi + 1] != 0
                                && p[pi + 1] != UInt8(ascii: "]") {
                        pi += 1
                        pCh = p[pi]
                        if pCh == backslash {
                            pi += 1
                            pCh = p[pi]
                            if pCh == 0 { return .abortAll }
                        }
                        if tCh <= pCh && tCh >= previous { matched = true }
                        pCh = 0  // a range's end does not start another range
                    } else if pCh == UInt8(ascii: "[") && p[pi + 1] == UInt8(ascii: ":") {
                        pi += 2
                        let nameStart = pi
                        while p[pi] != 0 && p[pi] != UInt8(ascii: "]") { pi += 1 }
                        if p[pi] == 0 { return .abortAll }
                        if pi - nameStart - 1 < 0 || p[pi - 1] != UInt8(ascii: ":") {
                            // No `:]`: the `[` was an ordinary member of the set.
                            pi = nameStart - 2
                            pCh = UInt8(ascii: "[")
                            if tCh == pCh { matched = true }
                        } else {
                            guard let test = characterClass(p[nameStart..<(pi - 1)]) else { return .abortAll }
                            if test(tCh) { matched = true }
                            pCh = 0
                        }
                    } else if tCh == pCh {
                        matched = true
                    }
                    previous = pCh
                    pi += 1
                    pCh = p[pi]
                } while pCh != UInt8(ascii: "]")
                if matched == negated || tCh == slash { return .noMatch }
            default:
                if pCh == backslash {
                    // A trailing backslash compares with the terminator, so it matches nothing.
                    pi += 1
                    pCh = p[pi]
                }
                if tCh != pCh { return .noMatch }
            }
            pi += 1
            ti += 1
        }
        return t[ti] == 0 ? .match : .noMatch
    }

    private static func isGlobSpecial(_ c: UInt8) -> Bool {
        c == star || c == UInt8(ascii: "?") || c == UInt8(ascii: "[") || c == backslash
    }

    /// The POSIX character classes wildmatch knows, in the C locale.
    private static func characterClass(_ name: ArraySlice<UInt8>) -> ((UInt8) -> Bool)? {
        func isUpper(_ c: UInt8) -> Bool { c >= 65 && c <= 90 }
        func isLower(_ c: UInt8) -> Bool { c >= 97 && c <= 122 }
        func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        func isAlpha(_ c: UInt8) -> Bool { isUpper(c) || isLower(c) }
        func isGraph(_ c: UInt8) -> Bool { c > 32 && c < 127 }
        switch String(decoding: name, as: UTF8.self) {
        case "alnum": return { isAlpha($0) || isDigit($0) }
        case "alpha": return isAlpha
        case "blank": return { $0 == 32 || $0 == 9 }
        case "cntrl": return { $0 < 32 || $0 == 127 }
        case "digit": return isDigit
        case "graph": return isGraph
        case "lower": return isLower
        case "print": return { $0 >= 32 && $0 < 127 }
        case "punct": return { isGraph($0) && !isAlpha($0) && !isDigit($0) }
        case "space": return { $0 == 32 || ($0 >= 9 && $0 <= 13) }
        case "upper": return isUpper
        case "xdigit": return { isDigit($0) || ($0 >= 65 && $0 <= 70) || ($0 >= 97 && $0 <= 102) }
        default: return nil
        }
    }
}
