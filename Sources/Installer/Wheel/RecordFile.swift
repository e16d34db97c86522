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
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .malformedRecord(wheel: wheel, entry: entry, reason: "it is not valid UTF-8")
        }
        var rows: [Row] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var lineNumber = 1
        func endRow() throws(WheelError) {
            fields.append(field)
            field = ""
            defer { fields = [] }
            if fields == [""] { return }  // blank line
            guard fields.count == 3 else {
                throw .malformedRecord(
                    wheel: wheel, entry: entry,
                    reason: "line \(lineNumber) has \(fields.count) fields instead of path,hash,size")
            }
            rows.append(Row(path: fields[0], hash: fields[1], size: fields[2]))
        }
        var characters = text.unicodeScalars.makeIterator()
        var pending = characters.next()
        while let c = pending {
            pending = characters.next()
            if quoted {
                if c == "\"" {
                    if pending == "\"" { field.unicodeScalars.append("\""); pending = characters.next() }
                    else { quoted = false }
                } else {
                    if c == "\n" { lineNumber += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty: quoted = true
            case ",": fields.append(field); field = ""
            case "\r" where pending == "\n": continue
            case "\n", "\r": try endRow(); lineNumber += 1
            default: field.unicodeScalars.append(c)
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
        var out = ""
        for row in rows {
            out += [row.path, row.hash, row.size].map(Self.quoted).joined(separator: ",")
            out += "\n"
        }
        return Array(out.utf8)
    }

    private static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
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
