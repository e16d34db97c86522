import Basics
import Foundation

/// The files of a local project that a build may read: everything but version-control data, caches,
/// virtual environments and earlier build output. Their paths and contents key the built wheel, so an
/// edited project is rebuilt and an unchanged one is not; the build runs on a copy of exactly these
/// files, never in the user's tree.
struct SourceTree: Sendable {
    /// Paths relative to the root, sorted.
    var files: [String]
    var root: String

    static let skippedDirectories: Set<String> = [
        ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "__pycache__", ".pytest_cache", ".mypy_cache",
        ".ruff_cache", "build", "dist", "node_modules",
    ]

    /// Lists `root`, leaving out `excluding` (absolute paths, such as the archive being written).
    init(root: String, excluding: [String] = []) throws {
        let root = URL(fileURLWithPath: root).standardizedFileURL.path
        let excluded = Set(excluding.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
        guard let enumerator = FileManager.default.enumerator(atPath: root) else {
            throw BuildFrontendError.invalidProject(path: root, reason: "the directory cannot be read")
        }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let leaf = (relative as NSString).lastPathComponent
            let type = enumerator.fileAttributes?[.type] as? FileAttributeType
            if type == .typeDirectory {
                if Self.skippedDirectories.contains(leaf) || leaf.hasSuffix(".egg-info") { enumerator.skipDescendants() }
                continue
            }
            guard type == .typeRegular, !excluded.contains(root + "/" + relative), !leaf.hasSuffix(".pyc") else { continue }
            files.append(relative)
        }
        self.files = files.sorted()
        self.root = root
    }

    /// sha256 over every file's path and contents.
    func digest() throws -> String {
        var text = ""
        for file in files {
            text += file + "\0" + (try sha256Hex(ofFile: root + "/" + file)) + "\n"
        }
        return sha256Hex(Data(text.utf8))
    }

    /// Copies the files to `destination`, keeping execute bits.
    func copy(to destination: String) throws {
        for file in files {
            let target = destination + "/" + file
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: root + "/" + file, toPath: target)
        }
    }
}
