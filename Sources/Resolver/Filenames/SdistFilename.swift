/// A source distribution file name, `{name}-{version}.tar.gz` (or the legacy `.zip`), as the
/// [source distribution format](https://packaging.python.org/specifications/source-distribution-format/#source-distribution-file-name)
/// names it. The version cannot contain `-`, so the name is everything before the last `-` (older
/// sdists spell the name with `-` or `.`; it is normalised). Parsing follows
/// `packaging.utils.parse_sdist_filename` 26.3, and additionally requires a valid project name.
///
/// pexify installs wheels only; this lets an index listing's sdists be recognised and skipped with a
/// clear message.
public struct SdistFilename: Sendable, Hashable, CustomStringConvertible {
    /// The file name as given.
    public let filename: String
    /// The normalised project name.
    public let name: PackageName
    /// The version.
    public let version: Version

    /// Parses `filename` (a bare file name, not a path).
    /// - Throws: ``WheelFilenameError`` (the error for distribution file names) quoting the name.
    public init(_ filename: String) throws(WheelFilenameError) {
        self.filename = filename
        let stem: Substring
        if filename.hasSuffix(".tar.gz") { stem = filename.dropLast(".tar.gz".count) }
        else if filename.hasSuffix(".zip") { stem = filename.dropLast(".zip".count) }
        else { throw .invalidSdist(filename, reason: "it does not end with \".tar.gz\" or \".zip\"") }
        guard let dash = stem.lastIndex(of: "-") else {
            throw .invalidSdist(filename, reason: "it has no '-' between the project name and the version")
        }
        let rawName = stem[..<dash], rawVersion = stem[stem.index(after: dash)...]
        guard let name = try? PackageName(String(rawName)) else {
            throw .invalidSdist(filename, reason: "\"\(rawName)\" is not a valid project name")
        }
        guard let version = Version(String(rawVersion)) else {
            throw .invalidSdist(filename, reason: "\"\(rawVersion)\" is not a PEP 440 version")
        }
        self.name = name
        self.version = version
    }

    public var description: String { filename }
}
