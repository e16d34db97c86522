import Basics
import Foundation
import ZipArchive

/// A `-D/--sources-directory`: its contents go to the archive root under their import paths
/// (`myapp/handler.py`, `top_mod.py`), as pex does (docs/formats/pex.md), except what ``SourceRules``
/// leaves out (version control, virtualenvs, caches, secrets, ignored files).
public struct SourcesDirectory: Sendable {
    public var path: String
    /// Files below the directory, relative to it, sorted.
    public var files: [String]
    /// What was not packed and why, sorted by path. A directory left out is listed once, as `dir/`.
    public var leftOut: [LeftOutSource]

    /// Lists the files of `path` that `rules` lets through.
    /// - Parameters:
    ///   - excluding: files never to list, such as the archive being built (`-D . -o function.zip`
    ///     must not pack the previous `function.zip` into the new one).
    ///   - rules: what else to leave out.
    /// - Throws: `LayoutError.missingSourcesDirectory` when `path` is not a directory;
    ///   `LayoutError.invalidSourceGlob` for an `--exclude-source`/`--include-source` glob that is empty, a
    ///   comment or negated.
    public init(path: String, excluding: [String] = [], rules: SourceRules = SourceRules()) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw LayoutError.missingSourcesDirectory(path: path)
        }
        func globs(_ texts: [String], option: String) throws -> [IgnorePattern] {
            try texts.map { text in
                guard let pattern = IgnorePattern(line: Substring(text)), !pattern.negated else {
                    throw LayoutError.invalidSourceGlob(option: option, glob: text)
                }
                return pattern
            }
        }
        let walk = Walk(
            root: path, rules: rules, excluded: try globs(rules.excluded, option: "--exclude-source"),
            included: try globs(rules.included, option: "--include-source"),
            output: Set(excluding.map(Self.standardized)))
        var found = (files: [String](), leftOut: [LeftOutSource]())
        try walk.visit("", ignoreFiles: Self.ignoreFilesAbove(path), within: [Self.resolved(path)], into: &found)
        self.path = path
        files = found.files.sorted()
        leftOut = found.leftOut.sorted { $0.path < $1.path }
    }

    /// The archive entries for the files, below `prefix`, executable when the owner may execute the file.
    public func entries(under prefix: String) -> [ArchiveEntry] {
        files.map { file in
            let absolute = path + "/" + file
            return ArchiveEntry(path: prefix + file, content: .file(path: absolute),
                                executable: FileStatus(path: absolute)?.isOwnerExecutable ?? false)
        }
    }

    /// The files and what was left out, for the build summary.
    public var report: SourcesReport { SourcesReport(directory: path, files: files, leftOut: leftOut) }

    private static func standardized(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

    private static func resolved(_ path: String) -> String {
        URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
    }

    private static func ignoreFiles(in directory: String, name: (String) -> String, base: String, scope: String)
        -> [IgnoreFile] {
        SourceRules.ignoreFileNames.compactMap { file in
            guard let text = try? String(contentsOfFile: directory + "/" + file, encoding: .utf8) else { return nil }
            return IgnoreFile(name: name(file), base: base, scope: scope, text: text)
        }
    }

    /// The ignore files of the git work tree that `path` is in, which git applies below `path` too: the
    /// work tree's `.git/info/exclude` (weakest) and the ignore files of the directories from its top down
    /// to `path`. None when `path` is not in a work tree, or when those files ignore `path` itself or a
    /// directory between (a generated directory such as `build/lambda` is packed whole, as asked).
    private static func ignoreFilesAbove(_ path: String) -> [IgnoreFile] {
        var top = URL(fileURLWithPath: standardized(path)).pathComponents
        var below: [String] = []  // from the work tree's top down to `path`
        while !FileManager.default.fileExists(atPath: NSString.path(withComponents: top) + "/.git") {
            guard top.count > 1 else { return [] }
            below.insert(top.removeLast(), at: 0)
        }
        let up = { (depth: Int) in String(repeating: "../", count: below.count - depth) }
        let base = { (depth: Int) in below[depth...].map { $0 + "/" }.joined() }
        var found: [(file: IgnoreFile, depth: Int)] = []
        let topDirectory = NSString.path(withComponents: top)
        if let text = try? String(contentsOfFile: topDirectory + "/.git/info/exclude", encoding: .utf8) {
            found.append((IgnoreFile(name: up(0) + ".git/info/exclude", base: base(0), scope: "", text: text), 0))
        }
        for depth in below.indices {
            let directory = NSString.path(withComponents: top + below[..<depth])
            found += ignoreFiles(in: directory, name: { up(depth) + $0 }, base: base(depth), scope: "").map { ($0, depth) }
            // Is the next directory down ignored? The deepest file with a matching line decides.
            let decision = found.reversed().lazy.compactMap { file, fileDepth in
                file.lastMatch(relativeToFile: Array(below[fileDepth...depth].joined(separator: "/").utf8),
                               isDirectory: true)
            }.first
            if let decision, !decision.pattern.negated { return [] }
        }
        return found.map(\.file)
    }

    /// One recursive listing.
    private struct Walk {
        var root: String
        var rules: SourceRules
        var excluded: [IgnorePattern]
        var included: [IgnorePattern]
        var output: Set<String>

        /// - Parameter within: the real paths of the directories being listed, from the root down (a
        ///   symlink back to one of them would be listed forever).
        func visit(_ relative: String, ignoreFiles: [IgnoreFile], within: Set<String>,
                   into found: inout (files: [String], leftOut: [LeftOutSource])) throws {
            let directory = relative.isEmpty ? root : root + "/" + relative
            let prefix = relative.isEmpty ? "" : relative + "/"
            let ignoreFiles = ignoreFiles + SourcesDirectory.ignoreFiles(
                in: directory, name: { prefix + $0 }, base: "", scope: prefix)
            for name in try FileManager.default.contentsOfDirectory(atPath: directory).sorted() {
                let child = prefix + name
                let absolute = root + "/" + child
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory) else {
                    continue  // a dangling symlink
                }
                if let left = leftOut(child, absolute: absolute, isDirectory: isDirectory.boolValue,
                                      ignoreFiles: ignoreFiles) {
                    found.leftOut.append(left)
                } else if isDirectory.boolValue {
                    let real = SourcesDirectory.resolved(absolute)
                    guard !within.contains(real) else {
                        found.leftOut.append(LeftOutSource(path: child + "/", reason: .symlinkCycle))
                        continue
                    }
                    try visit(child, ignoreFiles: ignoreFiles, within: within.union([real]), into: &found)
                } else {
                    found.files.append(child)
                }
            }
        }

        private func leftOut(_ path: String, absolute: String, isDirectory: Bool, ignoreFiles: [IgnoreFile])
            -> LeftOutSource? {
            let shown = isDirectory ? path + "/" : path
            if output.contains(SourcesDirectory.standardized(absolute)) { return LeftOutSource(path: shown, reason: .output) }
            let bytes = Array(path.utf8)
            if included.contains(where: { $0.matches(bytes, isDirectory: isDirectory) }) { return nil }
            if let glob = excluded.first(where: { $0.matches(bytes, isDirectory: isDirectory) }) {
                return LeftOutSource(path: shown, reason: .excludeOption, rule: glob.text)
            }
            if let reason = rules.builtInReason(path, absolute: absolute, isDirectory: isDirectory) {
                return LeftOutSource(path: shown, reason: reason)
            }
            if let (file, line, pattern) = Self.ignoreMatch(ignoreFiles, path, isDirectory: isDirectory),
               !pattern.negated {
                return LeftOutSource(path: shown, reason: .ignoreFile, rule: "\(file.name):\(line): \(pattern.text)")
            }
            return nil
        }

        /// The deciding line for `path`: the last matching line of the deepest file that has one (git's
        /// precedence; a `.pexifyignore` comes after the `.gitignore` of its directory).
        static func ignoreMatch(_ files: [IgnoreFile], _ path: String, isDirectory: Bool)
            -> (file: IgnoreFile, line: Int, pattern: IgnorePattern)? {
            for file in files.reversed() {
                if let (line, pattern) = file.lastMatch(path, isDirectory: isDirectory) { return (file, line, pattern) }
            }
            return nil
        }
    }
}

/// What one sources directory contributed to an archive, for `--json` and the summary.
public struct SourcesReport: Sendable, Codable, Equatable {
    public var directory: String
    /// Relative to the directory (and so to the archive root, or the layout's content directory).
    public var files: [String]
    public var leftOut: [LeftOutSource]

    public init(directory: String, files: [String], leftOut: [LeftOutSource]) {
        self.directory = directory
        self.files = files
        self.leftOut = leftOut
    }

    /// The files left out because they look like secrets.
    public var secrets: [String] { leftOut.filter { $0.reason == .secret }.map(\.path) }
}
