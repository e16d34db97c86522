/// Just enough HTML tokenizing for simple-index pages: start tags with their (unescaped)
/// attributes, and for `<a>` the text up to `</a>`. Comments, scripts and unknown markup are skipped.
enum HTMLScanner {
    /// A start tag still open where the page ends: what a truncated page (a proxy that gave up, a
    /// dropped connection) looks like. Its attributes cannot be trusted, so the page is refused.
    struct UnterminatedTag: Error {
        var tag: String
    }

    struct Element {
        var tag: String
        var attributes: [String: String]
        var text: String
    }

    static func elements(of html: String) throws(UnterminatedTag) -> [Element] {
        let chars = Array(html.unicodeScalars)
        var elements: [Element] = []
        var index = 0
        while index < chars.count {
            guard chars[index] == "<" else { index += 1; continue }
            if matches(chars, at: index, "<!--") {
                index = find(chars, "-->", from: index + 4).map { $0 + 3 } ?? chars.count
                continue
            }
            var cursor = index + 1
            guard cursor < chars.count, chars[cursor].properties.isAlphabetic else { index += 1; continue }
            var name = ""
            while cursor < chars.count, chars[cursor].properties.isAlphabetic || ("0"..."9").contains(chars[cursor]) {
                name.unicodeScalars.append(chars[cursor]); cursor += 1
            }
            var attributes: [String: String] = [:]
            while cursor < chars.count, chars[cursor] != ">" {
                if chars[cursor].properties.isWhitespace || chars[cursor] == "/" { cursor += 1; continue }
                var key = ""
                while cursor < chars.count, !"=> \t\r\n/".unicodeScalars.contains(chars[cursor]) {
                    key.unicodeScalars.append(chars[cursor]); cursor += 1
                }
                while cursor < chars.count, chars[cursor].properties.isWhitespace { cursor += 1 }
                var value = ""
                if cursor < chars.count, chars[cursor] == "=" {
                    cursor += 1
                    while cursor < chars.count, chars[cursor].properties.isWhitespace { cursor += 1 }
                    if cursor < chars.count, chars[cursor] == "\"" || chars[cursor] == "'" {
                        let quote = chars[cursor]
                        cursor += 1
                        while cursor < chars.count, chars[cursor] != quote {
                            value.unicodeScalars.append(chars[cursor]); cursor += 1
                        }
                        cursor += 1
                    } else {
                        while cursor < chars.count, !" \t\r\n>".unicodeScalars.contains(chars[cursor]) {
                            value.unicodeScalars.append(chars[cursor]); cursor += 1
                        }
                    }
                }
                if !key.isEmpty { attributes[key.lowercased()] = unescape(value) }
            }
            let tag = name.lowercased()
            guard cursor < chars.count else { throw UnterminatedTag(tag: tag) }
            index = cursor + 1
            var text = ""
            if tag == "a" {
                let end = find(chars, "</", from: index) ?? chars.count
                var raw = ""
                raw.unicodeScalars.append(contentsOf: chars[index..<end])
                text = unescape(raw)
                index = end
            } else if tag == "script" || tag == "style" {
                index = find(chars, "</", from: index) ?? chars.count
            }
            elements.append(Element(tag: tag, attributes: attributes, text: text))
        }
        return elements
    }

    /// Named entities that occur in index pages plus numeric character references.
    static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            result += rest[..<amp]
            let afterAmp = rest[rest.index(after: amp)...]
            guard let semicolon = afterAmp.prefix(10).firstIndex(of: ";") else {
                result += "&"; rest = afterAmp; continue
            }
            let entity = afterAmp[..<semicolon]
            let named = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{a0}"]
            var replacement: String?
            if let value = named[String(entity)] {
                replacement = value
            } else if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                replacement = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String($0) }
            } else if entity.hasPrefix("#") {
                replacement = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init).map { String($0) }
            }
            if let replacement {
                result += replacement
                rest = afterAmp[afterAmp.index(after: semicolon)...]
            } else {
                result += "&"; rest = afterAmp
            }
        }
        return result + rest
    }

    private static func matches(_ chars: [Unicode.Scalar], at index: Int, _ literal: String) -> Bool {
        var position = index
        for scalar in literal.unicodeScalars {
            guard position < chars.count, chars[position] == scalar else { return false }
            position += 1
        }
        return true
    }

    private static func find(_ chars: [Unicode.Scalar], _ literal: String, from start: Int) -> Int? {
        var index = start
        while index < chars.count {
            if matches(chars, at: index, literal) { return index }
            index += 1
        }
        return nil
    }
}
