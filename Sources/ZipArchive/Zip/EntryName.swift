import Foundation

/// Member names: decoding (APPNOTE Appendix D: UTF-8 when flag bit 11 is set, else IBM code page 437)
/// and the safety rules both the reader and the plan enforce.
enum EntryName {
    /// Decodes a stored name. Without bit 11, ASCII is ASCII; names that are valid UTF-8 anyway are taken
    /// as UTF-8 (what most tools that forget the flag write), anything else as code page 437.
    static func decode(_ bytes: ArraySlice<UInt8>, utf8Flag: Bool) -> String {
        if utf8Flag || bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        if let utf8 = String(validating: bytes, as: UTF8.self) { return utf8 }
        return String(String.UnicodeScalarView(bytes.map { $0 < 0x80 ? Unicode.Scalar($0) : cp437High[Int($0 - 0x80)] }))
    }

    /// Whether writing `name` needs the UTF-8 flag (bit 11): exactly when it is not plain ASCII.
    static func needsUTF8Flag(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { bytes in !bytes.allSatisfy { $0 < 0x80 } }
    }

    /// Whether the first `length` UTF-8 bytes of `name` are exactly `prefix`.
    static func hasPrefix(_ name: String, _ prefix: String, length: Int) -> Bool {
        var name = name, prefix = prefix
        return prefix.utf8.count == length && name.utf8.count >= length
            && name.withUTF8 { a in prefix.withUTF8 { b in memcmp(a.baseAddress!, b.baseAddress!, length) == 0 } }
    }

    /// Why `name` is unsafe to extract or ambiguous, or nil when it is fine. One pass over the bytes:
    /// plans of 100k entries check every name.
    static func problem(_ name: String) -> String? {
        var name = name
        return name.withUTF8(problem)
    }

    private static func problem(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        if bytes.isEmpty { return "it is empty" }
        if bytes[0] == slash || bytes[0] == UInt8(ascii: "\\") { return "it is an absolute path" }
        if bytes.count >= 2, bytes[1] == UInt8(ascii: ":"), (bytes[0] | 0x20) >= UInt8(ascii: "a"),
           (bytes[0] | 0x20) <= UInt8(ascii: "z") { return "it starts with a drive letter" }
        var componentStart = 0
        for index in 0...bytes.count {
            let byte = index < bytes.count ? bytes[index] : slash
            if byte == 0 { return "it contains a NUL byte" }
            if byte == UInt8(ascii: "\\") { return "it contains a backslash" }
            guard byte == slash else { continue }
            let length = index - componentStart
            // A trailing "/" (directories) ends the name rather than making an empty component.
            if length == 0 && index < bytes.count - 1 { return "it has an empty component" }
            if length == 0 && index == bytes.count - 1 && index > 0 && bytes[index - 1] == slash {
                return "it has an empty component"
            }
            if length == 1 && bytes[componentStart] == dot { return "it has a '.' component" }
            if length == 2 && bytes[componentStart] == dot && bytes[componentStart + 1] == dot {
                return "it has a '..' component"
            }
            componentStart = index + 1
        }
        return nil
    }

    /// Canonical archive order: by UTF-8 bytes (a memcmp on native strings, several times faster than
    /// comparing the generic UTF8View; `String.<` would compare canonical equivalents as equal).
    static func precedes(_ a: String, _ b: String) -> Bool {
        let fast = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y -> Bool in
                guard let left = x.baseAddress, let right = y.baseAddress else { return x.count < y.count }
                let order = memcmp(left, right, min(x.count, y.count))
                return order != 0 ? order < 0 : x.count < y.count
            }
        }
        if let fast, let result = fast { return result }
        return a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    static func checkSafe(_ name: String, archive: String) throws {
        if let reason = problem(name) { throw ZipError.unsafeName(archive: archive, entry: name, reason: reason) }
    }

    private static let cp437High: [Unicode.Scalar] = Array(
        ("ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀"
            + "αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{00A0}").unicodeScalars)
}
