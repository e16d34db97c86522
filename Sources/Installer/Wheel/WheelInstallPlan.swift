import Foundation
import Resolver
import ZipArchive

/// A wheel mapped onto the file layout `pip install --target` produces, without unpacking it.
///
/// The plan reads only the wheel's central directory; what it needs from the `.dist-info` files (`WHEEL`,
/// `METADATA`, `RECORD`, `entry_points.txt`) comes from the wheel's ``VerifiedWheel``. Every entry is
/// later raw-copied from the wheel into the output archive, at its install path: the root and `.data/purelib|platlib` at the top, `.data/scripts` in
/// `bin/`, `.data/headers` in `include/site/pythonX.Y/<project>/`, `.data/data` at the top
/// ([PEP 427](https://peps.python.org/pep-0427/); docs/formats/wheel-install.md). `RECORD` is rewritten
/// when an entry moved, so that it lists the installed paths
/// ([PEP 376](https://peps.python.org/pep-0376/)).
public struct WheelInstallPlan: Sendable {
    /// One file of the installed distribution: where it goes and where its bytes come from.
    public struct InstalledFile: Sendable {
        /// Path relative to the install root (`--target` directory).
        public var path: String
        /// The wheel entry it is copied from.
        public var source: ZipEntry
        /// Whether the wheel entry carries an execute bit (pip keeps it; it adds none).
        public var executable: Bool
        /// New bytes that replace the wheel entry's (a shared object stripped by `--slim`).
        public var replacement: [UInt8]?
    }

    /// The wheel file on disk.
    public var wheelPath: String
    public var filename: WheelFilename
    public var name: PackageName
    public var version: Version
    /// The project name exactly as `METADATA` writes it.
    public var projectName: String
    /// The `{name}-{version}.dist-info` directory (no trailing slash).
    public var distInfoDirectory: String
    /// `[console_scripts]` of `entry_points.txt`: script name → `module:function`.
    public var consoleScripts: [String: String]
    /// Whether any file is a compiled extension or shared library (`.so`, `.so.N`, `.pyd`, `.dylib`).
    public var hasNativeCode: Bool
    /// Wheel entry name → native facts of every ELF object in the wheel, recorded when it was verified.
    public var nativeFacts: [String: NativeFacts]
    /// The installed files, in wheel order, with `RECORD` excluded (see ``record``).
    public var files: [InstalledFile]
    /// `RECORD`'s install path, its wheel entry, and the rewritten bytes when any entry moved.
    public var record: (path: String, source: ZipEntry, rewritten: [UInt8]?)

    /// Verifies a wheel (``VerifiedWheel``) and plans its installation.
    /// - Parameters:
    ///   - wheelPath: the `.whl` file.
    ///   - pythonVersion: the target interpreter's `X.Y`, which names the directory `.data/headers` installs
    ///     into; by default taken from the wheel's last `cpXY` / `pyXY` tag.
    /// - Throws: `WheelError` for a damaged wheel or one that breaks PEP 427, and the model's errors for a
    ///   bad file name.
    public init(wheelPath: String, pythonVersion: String? = nil) throws {
        try self.init(wheelPath: wheelPath, verified: try VerifiedWheel(verifying: wheelPath),
                      pythonVersion: pythonVersion)
    }

    /// Plans the installation of a wheel verified before (``WheelStore``): only its central directory is
    /// read, no entry is inflated.
    /// - Throws: `WheelError` for entries that have no place in the install scheme, `ZipError` from the
    ///   strict reader.
    public init(wheelPath: String, verified: VerifiedWheel, pythonVersion: String? = nil) throws {
        let wheel = (wheelPath as NSString).lastPathComponent
        let filename = try WheelFilename(wheel)
        let reader = try ZipReader(path: wheelPath)
        let distInfo = verified.distInfoDirectory
        guard let recordEntry = reader.entry(named: distInfo + "/RECORD") else {
            throw WheelError.missingFile(wheel: wheel, entry: distInfo + "/RECORD")
        }
        let scheme = TargetInstallScheme(
            dataDirectory: String(distInfo.dropLast(".dist-info".count)) + ".data/",
            projectName: verified.projectName,
            pythonVersion: pythonVersion ?? Self.pythonVersion(ofTags: filename.pythonTags))

        var files: [InstalledFile] = []
        files.reserveCapacity(reader.entries.count)
        var moved: [String: String] = [:]
        for entry in reader.entries where !entry.isDirectory && entry.name != recordEntry.name {
            guard let path = try scheme.installPath(ofEntry: entry.name, wheel: wheel) else { continue }
            if path != entry.name { moved[entry.name] = path }
            files.append(InstalledFile(path: path, source: entry, executable: (entry.unixMode ?? 0) & 0o111 != 0))
        }
        var rewritten: [UInt8]?
        if !moved.isEmpty {
            // Entry names are unique in a zip: only a moved `.data` entry can land where another one does.
            var claimed: [String: String] = [:]
            for file in files {
                if let first = claimed.updateValue(file.source.name, forKey: file.path) {
                    throw WheelError.installPathClash(wheel: wheel, path: file.path, first: first, second: file.source.name)
                }
            }
            // Only `.data` entries move, and verification keeps RECORD's text for every wheel that has them.
            let text = try verified.recordText.map { Array($0.utf8) } ?? reader.contents(of: recordEntry)
            let rows = try RecordFile(parsing: text, wheel: wheel, entry: recordEntry.name).rows.map { row in
                var row = row
                row.path = moved[row.path] ?? row.path
                return row
            }
            rewritten = RecordFile(rows: rows).rendered()
        }

        self.wheelPath = wheelPath
        self.filename = filename
        self.name = filename.name
        self.version = filename.version
        self.projectName = verified.projectName
        self.distInfoDirectory = distInfo
        self.consoleScripts = verified.consoleScripts
        self.hasNativeCode = files.contains { Self.isNativeLibrary($0.path) }
        self.nativeFacts = verified.nativeFacts
        self.files = files
        self.record = (recordEntry.name, recordEntry, rewritten)
    }

    /// The archive entries that install this wheel below `prefix` (`""` for a Lambda zip, `"python/"` for a
    /// layer, `".deps/<wheel>/"` inside a PEX). File contents are raw-copied from the wheel; only a rewritten
    /// `RECORD` and shared objects stripped by ``slim(pythonVersion:)`` are new bytes. Parent directories are
    /// left to `ArchivePlan`.
    public func entries(under prefix: String) -> [ArchiveEntry] {
        var entries = files.map {
            ArchiveEntry(path: prefix + $0.path,
                         content: $0.replacement.map { .bytes($0) } ?? .rawCopy(archive: wheelPath, entry: $0.source),
                         executable: $0.executable)
        }
        let recordContent: ArchiveEntry.Content = record.rewritten.map { .bytes($0) }
            ?? .rawCopy(archive: wheelPath, entry: record.source)
        entries.append(ArchiveEntry(path: prefix + record.path, content: recordContent, executable: false))
        return entries
    }

    /// Every installed path including `RECORD`, relative to the install root.
    public var installedPaths: [String] { files.map(\.path) + [record.path] }

    static func isNativeLibrary(_ path: String) -> Bool {
        // Asked of every entry of every build (15,000 for torch): the leaf's bytes are scanned in place.
        var path = path
        return path.withUTF8 { bytes in
            let leaf = UnsafeBufferPointer(rebasing: bytes[((bytes.lastIndex(of: UInt8(ascii: "/")) ?? -1) + 1)...])
            func endsWith(_ suffix: StaticString) -> Bool {
                suffix.utf8CodeUnitCount <= leaf.count
                    && memcmp(leaf.baseAddress! + leaf.count - suffix.utf8CodeUnitCount, suffix.utf8Start,
                              suffix.utf8CodeUnitCount) == 0
            }
            if endsWith(".so") || endsWith(".pyd") || endsWith(".dylib") { return true }
            // `.so.N` versioned libraries: ".so." anywhere in the leaf.
            return leaf.count >= 4 && (0...(leaf.count - 4)).contains { index in
                leaf[index] == UInt8(ascii: ".") && leaf[index + 1] == UInt8(ascii: "s")
                    && leaf[index + 2] == UInt8(ascii: "o") && leaf[index + 3] == UInt8(ascii: ".")
            }
        }
    }

    /// `X.Y` from the last `cpXY`/`pyXY` python tag of a wheel (`3` when the tags name only a major version,
    /// as `py3` does).
    static func pythonVersion(ofTags tags: [String]) -> String {
        for tag in tags.reversed() {
            let digits = tag.drop(while: { $0.isLetter })
            guard let major = digits.first, major.isNumber else { continue }
            let minor = digits.dropFirst()
            return minor.isEmpty ? String(major) : "\(major).\(minor)"
        }
        return "3"
    }
}
