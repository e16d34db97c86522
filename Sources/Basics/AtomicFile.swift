import Foundation

/// Replacing a file so that a reader sees the old file or the new one, never half of either: write a
/// temporary file beside the destination (same file system), then `rename(2)` it into place.
public enum AtomicFile {
    /// A hidden temporary path beside `path`: `DIR/.NAME.<random>.tmp`, which a directory listing or a
    /// glob for `NAME` does not show.
    public static func temporaryPath(beside path: String) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        let base = (path as NSString).lastPathComponent
        return (directory.isEmpty ? "." : directory) + "/.\(base).\(UUID().uuidString.prefix(12)).tmp"
    }

    /// Renames `temporary` over `path`; on failure removes `temporary` and throws.
    public static func moveIntoPlace(_ temporary: String, _ path: String) throws(FileAccessError) {
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw FileAccessError(path: path, operation: "rename into", reason: reason)
        }
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: some DataProtocol, to path: String) throws(FileAccessError) {
        let temporary = temporaryPath(beside: path)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: temporary))
        } catch {
            unlink(temporary)
            throw FileAccessError(path: temporary, operation: "write", reason: error.localizedDescription)
        }
        try moveIntoPlace(temporary, path)
    }
}
