import Foundation
import ZipArchive

/// What `--slim` took out of one distribution.
public struct SlimReport: Sendable, Codable, Equatable {
    /// `name version`.
    public var distribution: String
    /// Files left out: bytecode for another interpreter, stubs, C headers, static libraries.
    public var removedFiles: Int
    /// Shared objects whose debug sections and static symbol table were removed.
    public var strippedFiles: Int
    public var savedBytes: UInt64
    /// Shared objects left as they are, with the reason.
    public var notes: [String]
}

extension WheelInstallPlan {
    /// `--slim`: leaves out what a function never runs and strips debug information from shared objects.
    ///
    /// Removed: `__pycache__` bytecode whose cache tag is not the target's (`cpython-312`; PEP 3147) and
    /// legacy `.pyc` files next to their `.py` (never imported while the source is there), `*.pyi` stubs
    /// (PEP 484), C headers and static libraries (`*.h`, `*.a`). Shared objects lose their `.debug_*`
    /// sections and `.symtab`/`.strtab` (``ELFDebugStrip``); one not laid out as expected is kept as it is,
    /// with a note. The `.dist-info` directory stays, its `RECORD` rewritten to list exactly what is left,
    /// with new hashes and sizes for stripped files (PEP 376).
    /// - Parameter pythonVersion: the target's `X.Y`.
    /// - Throws: `ZipError` when the wheel cannot be read; `WheelError.malformedRecord` for a bad `RECORD`.
    public mutating func slim(pythonVersion: String) throws -> SlimReport {
        let cacheTag = "cpython-" + pythonVersion.replacingOccurrences(of: ".", with: "")
        let reader = try ZipReader(path: wheelPath)
        let recordBytes = try record.rewritten ?? reader.contents(of: record.source)
        var rows = try RecordFile(parsing: recordBytes, wheel: filename.filename, entry: record.source.name).rows
        let installed = Set(files.map(\.path))
        var replaced: [String: RecordFile.Row] = [:]
        var removed: Set<String> = []
        var report = SlimReport(distribution: "\(name) \(version)", removedFiles: 0, strippedFiles: 0, savedBytes: 0,
                                notes: [])
        var kept: [InstalledFile] = []
        for var file in files {
            if !file.path.hasPrefix(distInfoDirectory + "/"), Self.isUnused(file.path, installed: installed, cacheTag: cacheTag) {
                removed.insert(file.path)
                report.removedFiles += 1
                report.savedBytes += file.source.uncompressedSize
                continue
            }
            if Self.isNativeLibrary(file.path), file.source.uncompressedSize > 0 {
                switch ELFDebugStrip.strip(try reader.contents(of: file.source)) {
                case .stripped(let bytes):
                    file.replacement = bytes
                    replaced[file.path] = RecordFile.row(path: file.path, bytes: bytes)
                    report.strippedFiles += 1
                    report.savedBytes += file.source.uncompressedSize - UInt64(bytes.count)
                case .unchanged:
                    break
                case .leftAsIs(let reason):
                    report.notes.append("'\(file.path)' of \(name) \(version) is left as it is: \(reason).")
                }
            }
            kept.append(file)
        }
        guard !removed.isEmpty || !replaced.isEmpty else { return report }
        rows = rows.filter { !removed.contains($0.path) }.map { replaced[$0.path] ?? $0 }
        files = kept
        record.rewritten = RecordFile(rows: rows).rendered()
        return report
    }

    /// Whether `path` is something a function never runs on the target.
    static func isUnused(_ path: String, installed: Set<String>, cacheTag: String) -> Bool {
        let components = path.split(separator: "/")
        guard let leaf = components.last else { return false }
        if leaf.hasSuffix(".pyi") || leaf.hasSuffix(".h") || leaf.hasSuffix(".a") { return true }
        guard leaf.hasSuffix(".pyc") else { return false }
        if components.count >= 2 && components[components.count - 2] == "__pycache__" {
            // `module.cpython-312.pyc`, `module.cpython-312.opt-1.pyc`
            let tags = leaf.dropLast(".pyc".count).split(separator: ".").dropFirst()
            return tags.first.map { $0 != cacheTag } ?? true
        }
        return installed.contains(String(path.dropLast()))
    }
}
