import Foundation
import ZipArchive

/// A `-D/--sources-directory`: its contents go to the archive root under their import paths
/// (`myapp/handler.py`, `top_mod.py`), as pex does (docs/formats/pex.md).
public struct SourcesDirectory: Sendable {
    public var path: String
    /// Files below the directory, relative to it, sorted.
    public var files: [String]

    /// Lists the files of `path`. `__pycache__` directories are skipped: host byte code is useless on a
    /// target with another interpreter (docs/formats/wheel-install.md).
    /// - Parameter excluding: files never to list, such as the archive being built (`-D . -o function.zip`
    ///   must not pack the previous `function.zip` into the new one).
    /// - Throws: `LayoutError.missingSourcesDirectory` when `path` is not a directory.
    public init(path: String, excluding: [String] = []) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw LayoutError.missingSourcesDirectory(path: path)
        }
        self.path = path
        var files: [String] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let absolute = relative.isEmpty ? path : path + "/" + relative
            for name in try FileManager.default.contentsOfDirectory(atPath: absolute) where name != "__pycache__" {
                let child = relative.isEmpty ? name : relative + "/" + name
                var childIsDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path + "/" + child, isDirectory: &childIsDirectory) else {
                    continue  // a dangling symlink
                }
                if childIsDirectory.boolValue { pending.append(child) } else { files.append(child) }
            }
        }
        let excluded = Set(excluding.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
        self.files = files.filter {
            !excluded.contains(URL(fileURLWithPath: path + "/" + $0).standardizedFileURL.path)
        }.sorted()
    }

    /// The archive entries for the files, below `prefix`, executable when the owner may execute the file.
    public func entries(under prefix: String) -> [ArchiveEntry] {
        files.map { file in
            let absolute = path + "/" + file
            let mode = (try? FileManager.default.attributesOfItem(atPath: absolute))?[.posixPermissions] as? NSNumber
            return ArchiveEntry(path: prefix + file, content: .file(path: absolute),
                                executable: (mode?.intValue ?? 0) & 0o100 != 0)
        }
    }

    /// Whether `relativePath` (e.g. `app/handler.py`) is one of the files.
    public func contains(_ relativePath: String) -> Bool { files.contains(relativePath) }
}
