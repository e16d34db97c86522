import Foundation
import ZipArchive

/// The file operations of the emulated sandbox: extracting zips as Lambda does and making trees read-only
/// for a user who owns none of them.
enum SandboxFiles {
    /// Extracts `zip` into `directory` (created when missing), entries replacing what an earlier zip put
    /// there, as layers do in `/opt`. The Unix mode stored in an entry is applied (0644, 0755 for
    /// directories, when none is stored); symbolic links stay links. The strict reader has already refused
    /// names that leave the directory.
    static func extract(_ zip: String, into directory: String) throws {
        let reader = try ZipReader(path: zip)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for entry in reader.entries {
            let target = directory + "/" + entry.name
            let mode = mode_t(entry.unixMode ?? 0)
            if entry.isDirectory {
                try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
                chmod(target, mode & 0o7777 == 0 ? 0o755 : mode & 0o7777)
                continue
            }
            let bytes = try reader.contents(of: entry)
            if mode & S_IFMT == S_IFLNK {
                try makeParent(of: target)
                unlink(target)
                guard symlink(String(decoding: bytes, as: UTF8.self), target) == 0 else {
                    throw InvokeError.layoutFailed(path: target, detail: String(cString: strerror(errno)))
                }
                continue
            }
            unlink(target)
            try write(bytes, to: target, mode: mode & 0o7777 == 0 ? 0o644 : mode & 0o7777)
        }
    }

    /// Writes a file with plain `open`/`write`: thousands of files per run, and Foundation's
    /// `createFile` would make each an atomic, fsync'ed replacement. The sandbox is thrown away anyway.
    static func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws {
        try makeParent(of: path)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw InvokeError.layoutFailed(path: path, detail: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            guard written > 0 else {
                throw InvokeError.layoutFailed(path: path, detail: String(cString: strerror(errno)))
            }
            offset += written
        }
        fchmod(descriptor, mode)
    }

    private static func makeParent(of path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
    }

    /// Lambda's sandbox user owns none of the function's files, so only the "others" bits of each mode
    /// count: each file and directory keeps just those, read-only, for everyone (a 0600 file from
    /// `ZipFile.writestr` becomes unreadable, as on Lambda).
    static func seal(_ tree: String) {
        forEach(in: tree) { path, mode in
            let others = mode & 0o5
            chmod(path, others << 6 | others << 3 | others)
        }
    }

    /// Gives the owner back what ``seal(_:)`` took, so the tree can be removed.
    static func unseal(_ tree: String) {
        forEach(in: tree) { path, mode in chmod(path, mode & S_IFMT == S_IFDIR ? 0o755 : 0o644) }
    }

    /// Calls `body` with every file and directory under `tree`, children before their parents (so a
    /// directory is still open while its contents change), symbolic links excluded.
    private static func forEach(in tree: String, _ body: (String, mode_t) -> Void) {
        var found: [(String, mode_t)] = []
        var pending = [tree]
        while let path = pending.popLast() {
            var status = stat()
            guard lstat(path, &status) == 0, status.st_mode & S_IFMT != S_IFLNK else { continue }
            if status.st_mode & S_IFMT == S_IFDIR {
                chmod(path, 0o755)   // to list it, whatever it was
                let children = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                pending += children.map { path + "/" + $0 }
            }
            found.append((path, status.st_mode))
        }
        for (path, mode) in found.reversed() { body(path, mode) }
    }
}
