import Basics
import Foundation

/// `--find-links` sources (pip's flat index): a local directory of wheels and source distributions,
/// or an HTML page whose anchors are distribution files of any project.
enum FindLinks {
    /// Whether `location` names a local directory rather than a URL.
    static func localDirectory(_ location: String) -> String? {
        if location.hasPrefix("file:") { return URL(string: location)?.path }
        if location.contains("://") { return nil }
        return location
    }

    /// Every wheel and sdist in a local directory, as `file:` records without hashes (those are
    /// computed, and remembered, only for the files a resolution picks).
    static func scan(directory: String) -> [ProjectFile] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".whl") || $0.hasSuffix(".tar.gz") || $0.hasSuffix(".zip") }.sorted().map { name in
            let path = URL(fileURLWithPath: directory).appendingPathComponent(name)
            let size = FileStatus(path: path.path)?.size
            return ProjectFile(filename: name, url: path.absoluteString, size: size, source: directory)
        }
    }

    /// The records of `files` whose filename names the project `normalizedName` (PEP 503 form).
    static func files(_ files: [ProjectFile], for normalizedName: String) -> [ProjectFile] {
        files.filter { file in
            guard file.filename.hasSuffix(".whl") else {
                return (try? SdistFilename(file.filename))?.name.rawValue == normalizedName
            }
            guard let dash = file.filename.firstIndex(of: "-") else { return false }
            return (try? PackageName(String(file.filename[..<dash])))?.rawValue == normalizedName
        }
    }
}
