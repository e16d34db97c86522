import Foundation

/// The files and directories a build is writing that must not outlive it: the temporary output beside
/// the archive, its spill directory, partial downloads in the cache. Registered while they exist, so
/// an interrupt (SIGINT, SIGTERM) can remove them before the process exits; a SIGKILL cannot be
/// caught, which is what ``AtomicFile/removeStaleTemporaries(beside:)`` is for.
public enum PartialFiles {
    nonisolated(unsafe) private static var paths: Set<String> = []
    private static let lock = NSLock()

    /// Registers `path` and returns it.
    @discardableResult
    public static func track(_ path: String) -> String {
        lock.withLock { _ = paths.insert(path) }
        return path
    }

    /// Forgets `path`: it was renamed into place or removed.
    public static func release(_ path: String) {
        lock.withLock { _ = paths.remove(path) }
    }

    /// Removes every registered path that still exists (recursively for a directory) and returns those
    /// removed, sorted. Safe to call from a signal-handling thread while writers are still running:
    /// a writer's later `write(2)` lands in an unlinked inode.
    public static func removeAll() -> [String] {
        let current = lock.withLock {
            defer { paths.removeAll() }
            return paths
        }
        return current.sorted().filter { path in
            var status = stat()
            guard lstat(path, &status) == 0 else { return false }
            return (try? FileManager.default.removeItem(atPath: path)) != nil
        }
    }
}
