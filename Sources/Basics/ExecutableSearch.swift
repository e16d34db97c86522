import Foundation

/// Finding programs the way a shell does.
public enum ExecutableSearch {
    /// Executables named `name` in the directories of `path` (a `PATH` value), in order, each once.
    public static func candidates(named name: String, in path: String) -> [String] {
        var seen: Set<String> = []
        return path.split(separator: ":").compactMap { directory in
            let file = String(directory) + "/" + name
            guard FileManager.default.isExecutableFile(atPath: file), seen.insert(file).inserted else { return nil }
            return file
        }
    }
}
