/// A project name normalised as [PEP 503](https://peps.python.org/pep-0503/#normalized-names) says:
/// lower-case, with every run of `-`, `_` and `.` collapsed to one `-` (`Foo__Bar.baz` → `foo-bar-baz`).
///
/// Two spellings of one project compare equal, so this is the key for index URLs, de-duplication and
/// lock files. The name must match the [core metadata](https://packaging.python.org/specifications/name-normalization/)
/// rule `^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$` (case-insensitive).
public struct PackageName: NormalizedName {
    /// The normalised name, e.g. `zope-interface`.
    public let rawValue: String

    /// Validates and normalises `raw`.
    /// - Throws: ``NameError/invalidName(_:kind:)`` when `raw` is not a valid project name.
    public init(_ raw: String) throws(NameError) {
        guard let normalized = normalizeName(raw) else { throw .invalidName(raw, kind: "project name") }
        rawValue = normalized
    }

    /// The name as wheel and `.dist-info` file names spell it: `-` replaced by `_` (PEP 427).
    public var underscored: String { rawValue.replacingASCII("-", with: "_") }
}

/// An extra name (`requests[socks]`), normalised like a project name, as
/// [PEP 685](https://peps.python.org/pep-0685/) requires: `use_chardet_on_py3` → `use-chardet-on-py3`.
public struct ExtraName: NormalizedName {
    /// The normalised extra name.
    public let rawValue: String

    /// Validates and normalises `raw`.
    /// - Throws: ``NameError/invalidName(_:kind:)`` when `raw` is not a valid extra name.
    public init(_ raw: String) throws(NameError) {
        guard let normalized = normalizeName(raw) else { throw .invalidName(raw, kind: "extra name") }
        rawValue = normalized
    }
}

/// A name kept in its PEP 503 normalised form: ordered, printed and encoded as that string, and
/// validated again when decoded.
public protocol NormalizedName: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// The normalised name.
    var rawValue: String { get }
    /// Validates and normalises `raw`.
    init(_ raw: String) throws(NameError)
}

extension NormalizedName {
    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// Why a project or extra name was rejected.
public enum NameError: Error, Equatable, CustomStringConvertible {
    /// `name` is empty, starts or ends with punctuation, or holds a character other than ASCII letters,
    /// digits, `-`, `_` and `.`.
    case invalidName(String, kind: String)

    public var description: String {
        switch self {
        case .invalidName(let name, let kind):
            return "\"\(name)\" is not a valid \(kind): use ASCII letters and digits, optionally joined by "
                + "'-', '_' or '.', starting and ending with a letter or digit (for example \"zope.interface\")."
        }
    }
}

/// Returns the PEP 503 form of `raw`, or nil when `raw` is not a valid name.
func normalizeName(_ raw: String) -> String? {
    var out: [UInt8] = []
    out.reserveCapacity(raw.utf8.count)
    var pendingSeparator = false
    for byte in raw.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            if pendingSeparator { out.append(UInt8(ascii: "-")); pendingSeparator = false }
            out.append(byte)
        case UInt8(ascii: "A")...UInt8(ascii: "Z"):
            if pendingSeparator { out.append(UInt8(ascii: "-")); pendingSeparator = false }
            out.append(byte | 0x20)
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
            guard !out.isEmpty else { return nil }
            pendingSeparator = true
        default:
            return nil
        }
    }
    guard !out.isEmpty, !pendingSeparator else { return nil }
    return String(decoding: out, as: UTF8.self)
}

extension String {
    /// Replaces every `character` by `replacement` (both ASCII) without Foundation.
    func replacingASCII(_ character: Character, with replacement: Character) -> String {
        String(map { $0 == character ? replacement : $0 })
    }
}
