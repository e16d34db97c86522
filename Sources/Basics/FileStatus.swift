import Foundation

/// What `stat(2)` says of a path. FileManager's attributes would also look up the owner's user and
/// group names (two reads of /etc/passwd and /etc/group per call), once per wheel of a find-links
/// directory and per file of a sources directory.
public struct FileStatus: Sendable {
    /// Size in bytes.
    public var size: Int
    /// `st_mode`: the file type and permission bits.
    public var mode: UInt32

    /// The status of `path` (following symlinks), or nil when it cannot be read.
    public init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        size = Int(info.st_size)
        mode = UInt32(info.st_mode)
    }

    /// Whether the owner may execute it.
    public var isOwnerExecutable: Bool { mode & 0o100 != 0 }
}
