import Foundation

/// The fields of a distribution's [core metadata](https://packaging.python.org/specifications/core-metadata/)
/// (`METADATA` in a wheel, or a PEP 658 `.metadata` file) that a resolver needs.
///
/// The file is a block of RFC 822-style headers: `Name: value` lines, where a line starting with a
/// space or tab continues the previous value (it is unfolded by removing the line break), ending at the
/// first empty line (the description body follows). Header names are case-insensitive; unknown
/// headers are ignored.
public struct CoreMetadata: Sendable, Hashable {
    /// `Metadata-Version`, when present.
    public var metadataVersion: String?
    /// `Name`, normalised.
    public var name: PackageName
    /// `Version`.
    public var version: Version
    /// Every `Requires-Dist` line, in file order.
    public var requiresDist: [Requirement]
    /// `Requires-Python`, when present.
    public var requiresPython: VersionSpecifiers?
    /// Every `Provides-Extra`, normalised (PEP 685) and de-duplicated, in file order.
    public var providesExtra: [ExtraName]

    public init(metadataVersion: String? = nil, name: PackageName, version: Version,
                requiresDist: [Requirement] = [], requiresPython: VersionSpecifiers? = nil,
                providesExtra: [ExtraName] = []) {
        self.metadataVersion = metadataVersion
        self.name = name
        self.version = version
        self.requiresDist = requiresDist
        self.requiresPython = requiresPython
        self.providesExtra = providesExtra
    }

    /// Parses the bytes of a `METADATA` file as real wheels write them: any line ending (CRLF in
    /// sniffio 1.3.1), trailing blanks, folded headers, a description body after the headers, and
    /// bytes that are not UTF-8 (in old descriptions; they become U+FFFD, headers are ASCII in practice).
    /// - Throws: ``MetadataError`` as ``init(parsing:)-(String)`` does.
    public init(parsing data: Data) throws(MetadataError) {
        try self.init(parsing: String(decoding: data, as: UTF8.self))
    }

    /// Parses the text of a `METADATA` file.
    /// - Throws: ``MetadataError`` naming the header and quoting its value when a required field is
    ///   missing or a field does not parse.
    public init(parsing text: String) throws(MetadataError) {
        var metadataVersion: String?, name: String?, version: String?, requiresPython: String?
        var requiresDist: [String] = [], providesExtra: [String] = []
        for (header, value) in Self.headers(text) {
            switch header.lowercased() {
            case "metadata-version": metadataVersion = value
            case "name": name = value
            case "version": version = value
            case "requires-python": requiresPython = value
            case "requires-dist": requiresDist.append(value)
            case "provides-extra": providesExtra.append(value)
            default: continue
            }
        }
        guard let name else { throw .missingField("Name") }
        guard let version else { throw .missingField("Version") }
        do { self.name = try PackageName(name) } catch { throw .invalidField("Name", value: name, reason: error.description) }
        do { self.version = try Version(parsing: version) } catch {
            throw .invalidField("Version", value: version, reason: error.description)
        }
        self.metadataVersion = metadataVersion
        do {
            self.requiresPython = try requiresPython.map { text throws(VersionError) in try VersionSpecifiers(text) }
        } catch {
            throw .invalidField("Requires-Python", value: requiresPython ?? "", reason: error.description)
        }
        self.requiresDist = []
        for line in requiresDist {
            do { self.requiresDist.append(try Requirement(line)) } catch {
                throw .invalidField("Requires-Dist", value: line, reason: error.description)
            }
        }
        var extras: [ExtraName] = []
        for raw in providesExtra {
            do {
                let extra = try ExtraName(raw)
                if !extras.contains(extra) { extras.append(extra) }
            } catch {
                throw .invalidField("Provides-Extra", value: raw, reason: error.description)
            }
        }
        self.providesExtra = extras
    }

    /// The requirements that apply on `environment` when `extras` of this distribution are requested.
    public func dependencies(for environment: MarkerEnvironment, extras: Set<ExtraName> = []) -> [Requirement] {
        requiresDist.filter { $0.applies(to: environment, extras: extras) }
    }

    /// Splits the header block into unfolded `(name, value)` pairs, in order, as Python's `email`
    /// parser reads it: lines end in LF, CRLF or CR; a line starting with a space or tab continues the
    /// previous value; the block ends at the first empty line; names and values are trimmed. For
    /// every reader of `METADATA` and `WHEEL` files, so they agree on what a header is.
    public static func headers(_ text: String) -> [(String, String)] {
        // By bytes, up to the first empty line only: a long description after the headers is never
        // looked at (pandas's METADATA is 90% description, read on every resolution).
        var text = text
        return text.withUTF8 { bytes in
            let newline = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r"), colon = UInt8(ascii: ":")
            func string(_ range: Range<Int>) -> String {
                String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            }
            var result: [(String, String)] = []
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != newline && bytes[end] != carriageReturn { end += 1 }
                let line = start..<end
                start = end + (end + 1 < bytes.count && bytes[end] == carriageReturn && bytes[end + 1] == newline ? 2 : 1)
                if line.isEmpty { break }
                if bytes[line.lowerBound] == UInt8(ascii: " ") || bytes[line.lowerBound] == UInt8(ascii: "\t") {
                    guard !result.isEmpty else { continue }
                    result[result.count - 1].1 += string(line)
                    continue
                }
                guard let separator = bytes[line].firstIndex(of: colon) else { continue }
                result.append((String(string(line.lowerBound..<separator).trimmingWhitespace()),
                               string((separator + 1)..<line.upperBound)))
            }
            return result.map { ($0.0, String($0.1.trimmingWhitespace())) }
        }
    }
}

/// Why a core metadata file was rejected.
public enum MetadataError: Error, Equatable, CustomStringConvertible {
    case missingField(String)
    case invalidField(String, value: String, reason: String)

    public var description: String {
        switch self {
        case .missingField(let field):
            return "The core metadata has no \"\(field):\" header; a METADATA file starts like "
                + "\"Metadata-Version: 2.1\\nName: requests\\nVersion: 2.31.0\"."
        case .invalidField(let field, let value, let reason):
            return "The core metadata header \"\(field): \(value)\" is invalid: \(reason)"
        }
    }
}
