import Foundation

/// How many entries have been inflated (or read, when stored) from each archive by this process.
///
/// A warm build must inflate nothing from a wheel it verified before (docs/ARCHITECTURE.md, "Verify
/// once, then trust the hash"); this count is how tests and diagnostics see that it does not. Counted
/// per archive path so that builds running side by side in one process do not disturb each other.
public enum EntryDecodeCount {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var counts: [String: Int] = [:]

    /// The entries decoded from the archive at `path` so far (a decode stopped early counts too).
    public static func count(in path: String) -> Int {
        lock.withLock { counts[path, default: 0] }
    }

    static func record(_ path: String) {
        lock.withLock { counts[path, default: 0] += 1 }
    }
}
