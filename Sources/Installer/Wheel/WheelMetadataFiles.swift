import Resolver

/// The `.dist-info/WHEEL` file: `Key: value` headers in email format
/// ([PEP 427](https://peps.python.org/pep-0427/), "The .dist-info directory").
enum WheelInfo {
    /// Checks `Wheel-Version`: an installer must fail on a newer major version (PEP 427).
    static func check(_ bytes: [UInt8], wheel: String, entry: String) throws(WheelError) {
        guard let version = emailHeaders(bytes).first(where: { $0.key == "wheel-version" })?.value else {
            throw .malformedMetadataFile(wheel: wheel, entry: entry, reason: "it has no Wheel-Version header")
        }
        guard version.split(separator: ".").first == "1" else {
            throw .unsupportedWheelVersion(wheel: wheel, version: version)
        }
    }
}

/// The headers of a `WHEEL` or `METADATA` file, keys lowercased, read as leniently as `packaging` and the
/// resolver read them (CRLF or CR line ends, folded lines, a body after the headers, bytes that are not
/// UTF-8 in the description): one parser for the whole program.
func emailHeaders(_ bytes: [UInt8]) -> [(key: String, value: String)] {
    CoreMetadata.headers(String(decoding: bytes, as: UTF8.self)).map { (key: $0.0.lowercased(), value: $0.1) }
}

/// `.dist-info/entry_points.txt` (*Entry points specification*, PyPA).
enum EntryPointsFile {
    /// The `[console_scripts]` section: `name = module:function` lines in the INI dialect
    /// `importlib.metadata` reads (the name ends at the first `=`; `#` and `;` start comment lines).
    static func consoleScripts(in bytes: [UInt8], wheel: String, entry: String) throws(WheelError) -> [String: String] {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .malformedMetadataFile(wheel: wheel, entry: entry, reason: "it is not valid UTF-8")
        }
        var scripts: [String: String] = [:]
        var section = ""
        for rawLine in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            let line = rawLine.strippingBlanks()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast()).strippingBlanks()
                continue
            }
            guard section == "console_scripts" else { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw .malformedMetadataFile(wheel: wheel, entry: entry, reason: "the line '\(line)' is not 'name = value'")
            }
            scripts[line[..<equals].strippingBlanks()] = line[line.index(after: equals)...].strippingBlanks()
        }
        return scripts
    }
}

fileprivate extension StringProtocol {
    func strippingBlanks() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
