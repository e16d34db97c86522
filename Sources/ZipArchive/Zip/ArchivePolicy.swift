import Foundation

/// How an archive is written: one value every layout takes, so that determinism and compression are
/// decided in one place (pex's `ZipFileEx`/`DETERMINISTIC_DATETIME` scattered this across call sites).
/// Timestamps (1980-01-01), modes (0644/0755) and ordering are fixed and not configurable; only the
/// knobs that do not change what a consumer sees are.
public struct ArchivePolicy: Sendable, Hashable {
    /// zlib level for new content: 0 stores it, 1...9 deflate it. Raw-copied entries keep their bytes.
    public var compressionLevel: Int
    /// Compression workers. The output does not depend on this.
    public var jobs: Int
    /// Upper bound on bytes held by compressed-but-unwritten entries, which bounds peak memory
    /// independently of archive size. Entries above `spillThreshold` are compressed into a temp file.
    public var maxBytesInFlight: Int
    /// Files larger than this are compressed streaming into a temp file next to the output.
    public var spillThreshold: Int

    public init(compressionLevel: Int = 6, jobs: Int = ProcessInfo.processInfo.activeProcessorCount,
                maxBytesInFlight: Int = 24 << 20, spillThreshold: Int = 4 << 20) {
        self.compressionLevel = min(max(compressionLevel, 0), 9)
        self.jobs = max(jobs, 1)
        self.maxBytesInFlight = max(maxBytesInFlight, 1)
        self.spillThreshold = max(spillThreshold, 1)
    }

    public static let `default` = ArchivePolicy()
}
