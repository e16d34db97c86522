import Basics
import Foundation

/// A wheel's `RECORD`: one `path,hash,size` row per file, written as CSV the way Python's default
/// `csv` dialect reads and writes it (`,` separator, `"` quoting with doubled quotes, `\n` or `\r\n` line
/// ends) ([PEP 376](https://peps.python.org/pep-0376/), *Recording installed projects*; PEP 427).
public struct RecordFile: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public var path: String
        public var hash: String
        public var size: String
    }

    public var rows: [Row]

    /// Parses `RECORD` bytes.
    /// - Throws: `WheelError.malformedRecord` for an unterminated quote, a row that does not have three
    ///   fields, or bytes that are not UTF-8.
    public init(parsing bytes: [UInt8], wheel: String, entry: String) throws(WheelError) {
        // Validated once as a whole; fields end only at ASCII bytes, so every field is valid UTF-8 too.
        // Byte by byte: torch's RECORD has 12,000 rows and is read on every build that moves `.data` files.
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw .malformedRecord(wheel: wheel, entry: entry, reason: "it is not valid UTF-8")
        }
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n"),
            carriageReturn = UInt8(ascii: "\r")
        var rows: [Row] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var lineNumber = 1
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        func endRow() throws(WheelError) {
            endField()
            defer { fields.removeAll(keepingCapacity: true) }
            if fields == [""] { return }  // blank line
            guard fields.count == 3 else {
                throw .malformedRecord(
                    wheel: wheel, entry: entry,
                    reason: "line \(lineNumber) has \(fields.count) fields instead of path,hash,size")
            }
            rows.append(Row(path: fields[0], hash: fields[1], size: fields[2]))
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let next: UInt8? = index + 1 < bytes.count ? bytes[index + 1] : nil
            index += 1
            if quoted {
                if byte == quote {
                    if next == quote { field.append(quote); index += 1 } else { quoted = false }
                } else {
                    if byte == newline { lineNumber += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case quote where field.isEmpty: quoted = true
            case comma: endField()
            case carriageReturn where next == newline: continue
            case newline, carriageReturn: try endRow(); lineNumber += 1
            default: field.append(byte)
            }
        }
        if quoted {
            throw .malformedRecord(wheel: wheel, entry: entry, reason: "a quoted field is never closed")
        }
        if !field.isEmpty || !fields.isEmpty { try endRow() }
        self.rows = rows
    }

    init(rows: [Row]) { self.rows = rows }

    /// The row for `path` with these bytes: `sha256=` and the urlsafe base64 digest without padding, and the
    /// size (PEP 376; PEP 427 *The .dist-info directory*).
    static func row(path: String, bytes: [UInt8]) -> Row {
        Row(path: path, hash: "sha256=" + RecordDigest.encode(sha256Digest(bytes)), size: String(bytes.count))
    }

    /// The CSV bytes, quoting only the fields that need it (Python's `csv.QUOTE_MINIMAL`), one `\n` per row.
    func rendered() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(rows.reduce(0) { $0 + $1.path.utf8.count + $1.hash.utf8.count + $1.size.utf8.count + 3 })
        for row in rows {
            Self.append(row.path, to: &out)
            out.append(UInt8(ascii: ","))
            Self.append(row.hash, to: &out)
            out.append(UInt8(ascii: ","))
            Self.append(row.size, to: &out)
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }

    private static func append(_ field: String, to out: inout [UInt8]) {
        let quote = UInt8(ascii: "\"")
        guard field.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == quote || $0 == UInt8(ascii: "\n")
            || $0 == UInt8(ascii: "\r") }) else {
            out.append(contentsOf: field.utf8)
            return
        }
        out.append(quote)
        for byte in field.utf8 {
            if byte == quote { out.append(quote) }
            out.append(byte)
        }
        out.append(quote)
    }
}

/// `RECORD`'s hash field: `sha256=` and the digest in URL-safe base64 without padding (PEP 376, PEP 427).
enum RecordDigest {
    /// The digest bytes of a `sha256=…` field; nil for an empty field, another algorithm or bad base64.
    static func sha256(_ field: String) -> [UInt8]? {
        guard field.hasPrefix("sha256=") else { return nil }
        var text = field.dropFirst("sha256=".count).replacingOccurrences(of: "-", with: "+")
            .replacingOccurrences(of: "_", with: "/")
        text += String(repeating: "=", count: (4 - text.count % 4) % 4)
        guard let data = Data(base64Encoded: text), data.count == 32 else { return nil }
        return Array(data)
    }

    static func encode(_ digest: [UInt8]) -> String {
        Data(digest).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
