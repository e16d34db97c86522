/// A wheel file name as [PEP 427](https://packaging.python.org/specifications/binary-distribution-format/#file-name-convention)
/// defines it: `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`, each tag field possibly a
/// `.`-joined compressed set (`cp39-cp39-manylinux_2_17_x86_64.manylinux2014_x86_64`).
///
/// Parsing follows `packaging.utils.parse_wheel_filename` 26.3: 5 or 6 dash-separated parts, a name
/// without `__` or characters other than letters, digits, `_` and `.`, a PEP 440 version and a build tag
/// starting with a digit.
public struct WheelFilename: Sendable, Hashable, CustomStringConvertible {
    /// A build tag (`-1-`, `-2b-`): compared by number, then by the rest as a string.
    public struct BuildTag: Sendable, Hashable, Comparable, CustomStringConvertible {
        public var number: Int
        public var suffix: String
        public var description: String { "\(number)\(suffix)" }
        public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.number, lhs.suffix) < (rhs.number, rhs.suffix) }
    }

    /// The file name as given.
    public let filename: String
    /// The normalised project name.
    public let name: PackageName
    /// The version.
    public let version: Version
    /// The optional build tag; a file without one sorts before any file with one.
    public let buildTag: BuildTag?
    /// The tag fields as written, split on `.` and lower-cased.
    public let pythonTags: [String], abiTags: [String], platformTags: [String]

    /// Parses `filename` (a bare file name, not a path).
    /// - Throws: ``WheelFilenameError`` quoting the name and the part that is wrong.
    public init(_ filename: String) throws(WheelFilenameError) {
        self.filename = filename
        let utf8 = filename.utf8
        guard utf8.count > 4, utf8.suffix(4).elementsEqual(".whl".utf8) else {
            throw .invalid(filename, reason: "it does not end with \".whl\"")
        }
        // Split the stem on '-' over UTF-8 (cheap: this runs for every file an index lists).
        let stemEnd = utf8.index(utf8.endIndex, offsetBy: -4)
        var parts: [Substring] = []
        var start = utf8.startIndex
        var i = start
        while i < stemEnd {
            if utf8[i] == UInt8(ascii: "-") {
                parts.append(filename[start..<i])
                start = utf8.index(after: i)
            }
            i = utf8.index(after: i)
        }
        parts.append(filename[start..<stemEnd])
        guard parts.count == 5 || parts.count == 6 else {
            throw .invalid(filename, reason: "it has \(parts.count) dash-separated parts instead of 5 or 6 "
                           + "(a '-' inside the project name must be written as '_')")
        }
        let rawName = parts[0]
        guard !rawName.contains("__"), let name = try? PackageName(String(rawName)) else {
            throw .invalid(filename, reason: "\"\(rawName)\" is not a valid project name")
        }
        self.name = name
        var versionParser = VersionParser(parts[1])
        guard let version = versionParser.parseVersion(allowLocal: true), versionParser.atEnd else {
            throw .invalid(filename, reason: "\"\(parts[1])\" is not a PEP 440 version")
        }
        self.version = version
        if parts.count == 6 {
            let raw = parts[2]
            let digits = raw.utf8.prefix(while: { $0 >= 0x30 && $0 <= 0x39 })
            guard !digits.isEmpty, let number = Int(Substring(digits)) else {
                throw .invalid(filename, reason: "the build tag \"\(raw)\" does not start with a digit")
            }
            buildTag = BuildTag(number: number, suffix: String(raw.utf8.dropFirst(digits.count))!)
        } else {
            buildTag = nil
        }
        func field(_ part: Substring, _ label: String) throws(WheelFilenameError) -> [String] {
            var items: [String] = []
            let bytes = part.utf8
            var start = bytes.startIndex
            var i = start
            while true {
                if i == bytes.endIndex || bytes[i] == UInt8(ascii: ".") {
                    guard i > start else {
                        throw .invalid(filename, reason: "the \(label) tag field \"\(part)\" has an empty entry")
                    }
                    let item = part[start..<i]
                    items.append(item.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) ? item.lowercased() : String(item))
                    if i == bytes.endIndex { break }
                    start = bytes.index(after: i)
                }
                i = bytes.index(after: i)
            }
            return items
        }
        pythonTags = try field(parts[parts.count - 3], "python")
        abiTags = try field(parts[parts.count - 2], "ABI")
        platformTags = try field(parts[parts.count - 1], "platform")
    }

    /// Every tag the wheel supports: the cartesian product of the three fields, in file-name order.
    public var tags: [Tag] {
        var out: [Tag] = []
        out.reserveCapacity(pythonTags.count * abiTags.count * platformTags.count)
        for python in pythonTags {
            for abi in abiTags {
                for platform in platformTags { out.append(Tag(lowercased: python, abi: abi, platform: platform)) }
            }
        }
        return out
    }

    public var description: String { filename }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.filename == rhs.filename }
    public func hash(into hasher: inout Hasher) { hasher.combine(filename) }
}

/// Why a distribution file name (wheel or sdist) was rejected.
public enum WheelFilenameError: Error, Equatable, CustomStringConvertible {
    case invalid(String, reason: String)
    case invalidSdist(String, reason: String)

    public var description: String {
        switch self {
        case .invalid(let filename, let reason):
            return "\"\(filename)\" is not a valid wheel file name: \(reason). A wheel is named like "
                + "\"numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl\"."
        case .invalidSdist(let filename, let reason):
            return "\"\(filename)\" is not a valid source distribution file name: \(reason). An sdist is named "
                + "like \"requests-2.31.0.tar.gz\"."
        }
    }
}
