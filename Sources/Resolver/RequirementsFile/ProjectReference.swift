import Foundation

/// A requirement that names a local project directory rather than a project on an index: `.`,
/// `./libs/shared`, `libs/shared`, `../lib[extra]`, `/abs/dir`, `file:///abs/dir` or
/// `name @ file:///abs/dir` (pip's spellings; the name is the one the built wheel carries). The project is built into a wheel (PEP 517) and installed with its dependencies.
public struct ProjectReference: Sendable, Hashable {
    /// The absolute, standardised directory.
    public var directory: String
    public var extras: [ExtraName]

    public init(directory: String, extras: [ExtraName] = []) {
        self.directory = directory
        self.extras = extras
    }

    /// The reference `text` makes, relative paths taken from `base`; `nil` when `text` names no
    /// directory holding a `pyproject.toml` or `setup.py` (it is then an ordinary requirement).
    public static func parse(_ text: String, relativeTo base: String) -> ProjectReference? {
        var location = text.trimmingCharacters(in: .whitespaces)
        if let at = location.range(of: " @ ") ?? location.range(of: "@ ") {
            location = String(location[at.upperBound...]).trimmingCharacters(in: .whitespaces)
            guard location.hasPrefix("file:") else { return nil }
        }
        var extras: [ExtraName] = []
        if location.hasSuffix("]"), let open = location.lastIndex(of: "[") {
            extras = location[location.index(after: open)..<location.index(before: location.endIndex)]
                .split(separator: ",").compactMap { try? ExtraName($0.trimmingCharacters(in: .whitespaces)) }
            location = String(location[..<open])
        }
        let path: String
        if location.hasPrefix("file:") {
            guard let url = URL(string: location), url.isFileURL else { return nil }
            path = url.path
        } else if location == "." || location == ".." || location.contains("/") {
            // pip's rule: anything with a path separator that exists is a path (a PEP 508 name has none).
            let expanded = (location as NSString).expandingTildeInPath
            path = expanded.hasPrefix("/") ? expanded : base + "/" + expanded
        } else {
            return nil
        }
        let directory = URL(fileURLWithPath: path).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue,
              ["pyproject.toml", "setup.py"].contains(where: { FileManager.default.fileExists(atPath: directory + "/" + $0) })
        else { return nil }
        return ProjectReference(directory: directory, extras: extras)
    }
}
