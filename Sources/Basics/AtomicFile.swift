import CFileSystem
import Foundation

/// Replacing a file so that a reader sees the old file or the new one, never half of either: write a
/// temporary file beside the destination (same file system), then `rename(2)` it into place (or swap it
/// with the file already there, `renameat2(2)` `RENAME_EXCHANGE`, and unlink the old one).
public enum AtomicFile {
    /// A hidden temporary path beside `path`: `DIR/.NAME.<pid>-<random>.tmp`, which a directory listing
    /// or a glob for `NAME` does not show. It is tracked in ``PartialFiles`` until moved into place; the
    /// pid lets a later build tell a killed build's leftover from a live one's file.
    public static func temporaryPath(beside path: String) -> String {
        let (directory, base) = split(path)
        return PartialFiles.track(directory + "/.\(base).\(getpid())-\(UUID().uuidString.prefix(12)).tmp")
    }

    /// Removes what a killed build (SIGKILL, a crash, a power cut) left beside `path`: temporary files
    /// and spill directories named exactly as ``temporaryPath(beside:)`` names them, whose process is
    /// gone and which nothing has touched for a minute. A concurrent build writing the same output
    /// keeps its files: its pid is alive, and its writes keep the modification time fresh.
    /// - Returns: the paths removed.
    @discardableResult
    public static func removeStaleTemporaries(beside path: String, olderThan age: TimeInterval = 60) -> [String] {
        let (directory, base) = split(path)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        let now = Date().timeIntervalSince1970
        return names.sorted().compactMap { name -> String? in
            guard let pid = temporaryOwner(name, base: base) else { return nil }
            let candidate = directory + "/" + name
            var status = stat()
            guard lstat(candidate, &status) == 0, now - TimeInterval(status.st_mtim.tv_sec) > age else { return nil }
            // kill(pid, 0) fails with ESRCH only when no such process exists; EPERM means it is alive.
            guard pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { return nil }
            return (try? FileManager.default.removeItem(atPath: candidate)) != nil ? candidate : nil
        }
    }

    /// The pid in `.BASE.<pid>-<12 hex or dash>.tmp` (or `.spill`), or nil for any other name.
    static func temporaryOwner(_ name: String, base: String) -> pid_t? {
        let prefix = "." + base + "."
        guard name.hasPrefix(prefix) else { return nil }
        var rest = name.dropFirst(prefix.count)
        if rest.hasSuffix(".tmp") { rest = rest.dropLast(4) } else if rest.hasSuffix(".spill") { rest = rest.dropLast(6) } else {
            return nil
        }
        let parts = rest.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count == 12,
              parts[1].allSatisfy({ $0 == "-" || $0.isHexDigit }),
              let pid = pid_t(parts[0]), pid > 0 else { return nil }
        return pid
    }

    private static func split(_ path: String) -> (directory: String, base: String) {
        let directory = (path as NSString).deletingLastPathComponent
        return (directory.isEmpty ? "." : directory, (path as NSString).lastPathComponent)
    }

    /// Renames `temporary` over `path`; on failure removes `temporary` and throws.
    public static func moveIntoPlace(_ temporary: String, _ path: String) throws(FileAccessError) {
        defer { PartialFiles.release(temporary) }
        // A rename over an existing file makes ext4 (auto_da_alloc) write the new file's delayed blocks
        // out before it returns: 0.1–0.45 s for a large archive. Swapping the two names is as atomic for
        // a reader, and the old file, now at `temporary`, is removed after.
        var existing = stat()
        if lstat(path, &existing) == 0, existing.st_mode & S_IFMT == S_IFREG, pexify_exchange(temporary, path) == 0 {
            unlink(temporary)
            return
        }
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
            PartialFiles.release(temporary)
            throw FileAccessError(path: temporary, operation: "write", reason: error.localizedDescription)
        }
        try moveIntoPlace(temporary, path)
    }
}
