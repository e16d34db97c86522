import Foundation

/// Everything that can go wrong reading or writing a ZIP archive. Each case names the archive (and the
/// entry, where there is one) so the message can be acted on without a debugger.
public enum ZipError: Error, CustomStringConvertible, Sendable {
    /// A system call failed on `path`; `operation` says what we were doing.
    case io(path: String, operation: String, errno: Int32)
    /// The archive ends before a structure it promises (end record, central directory, entry data).
    case truncated(archive: String, entry: String?, detail: String)
    /// The end of central directory record (or its zip64 form) is missing or inconsistent.
    case badEndRecord(archive: String, detail: String)
    /// A central directory header is malformed.
    case badCentralHeader(archive: String, entry: String?, detail: String)
    /// The local header disagrees with the central directory about `field`.
    case localHeaderMismatch(archive: String, entry: String, field: String)
    /// Two entries' data ranges overlap (a zip bomb or parser-differential trick).
    case overlappingEntries(archive: String, entry: String, other: String)
    /// Two central directory records carry the same name.
    case duplicateName(archive: String, entry: String)
    /// An entry name is absolute, has `..`/empty components or otherwise cannot be extracted safely.
    case unsafeName(archive: String, entry: String, reason: String)
    /// An entry is encrypted (general-purpose flag bit 0 or 6).
    case encrypted(archive: String, entry: String)
    /// An entry uses a compression method other than stored (0) or deflate (8).
    case unsupportedMethod(archive: String, entry: String, method: UInt16)
    /// The bytes of an entry do not have the size its headers declare.
    case sizeMismatch(archive: String, entry: String, expected: UInt64, actual: UInt64)
    /// The CRC-32 of an entry's bytes differs from the one its headers declare.
    case crcMismatch(archive: String, entry: String, expected: UInt32, actual: UInt32)
    /// The compressed bytes of an entry are not a valid deflate stream.
    case corruptData(archive: String, entry: String, detail: String)
    /// An archive plan received a second entry for a path it already has.
    case duplicateEntry(path: String)
    /// An archive plan received a path that cannot be an archive member name.
    case invalidPath(path: String, reason: String)
    /// A source file changed while it was being archived.
    case sourceChanged(path: String, detail: String)
    /// zlib reported an error.
    case zlib(operation: String, code: Int32, message: String)

    public var description: String {
        switch self {
        case let .io(path, operation, errno):
            return "Could not \(operation) '\(path)': \(String(cString: strerror(errno))) (errno \(errno))."
        case let .truncated(archive, entry, detail):
            let what = entry.map { "entry '\($0)' of " } ?? ""
            return "The \(what)archive '\(archive)' is truncated: \(detail). Download or rebuild the archive."
        case let .badEndRecord(archive, detail):
            return "'\(archive)' is not a valid ZIP archive: \(detail)."
        case let .badCentralHeader(archive, entry, detail):
            let what = entry.map { " for entry '\($0)'" } ?? ""
            return "The central directory of '\(archive)' is malformed\(what): \(detail)."
        case let .localHeaderMismatch(archive, entry, field):
            return "Entry '\(entry)' of '\(archive)' has a local header whose \(field) differs from its central"
                + " directory record; the archive is corrupt or crafted to confuse readers."
        case let .overlappingEntries(archive, entry, other):
            return "Entries '\(entry)' and '\(other)' of '\(archive)' overlap; refusing a possible zip bomb."
        case let .duplicateName(archive, entry):
            return "'\(archive)' contains the entry '\(entry)' more than once; refusing an ambiguous archive."
        case let .unsafeName(archive, entry, reason):
            return "Entry '\(entry)' of '\(archive)' has an unsafe name (\(reason)); refusing to use the archive."
        case let .encrypted(archive, entry):
            return "Entry '\(entry)' of '\(archive)' is encrypted; only unencrypted archives are supported."
        case let .unsupportedMethod(archive, entry, method):
            return "Entry '\(entry)' of '\(archive)' uses compression method \(method); only stored (0) and"
                + " deflate (8) are supported. Rebuild the archive with deflate."
        case let .sizeMismatch(archive, entry, expected, actual):
            return "Entry '\(entry)' of '\(archive)' declares \(expected) bytes but has \(actual); the archive"
                + " is corrupt."
        case let .crcMismatch(archive, entry, expected, actual):
            return "Entry '\(entry)' of '\(archive)' has CRC-32 \(hex(actual)) but declares \(hex(expected));"
                + " the archive is corrupt."
        case let .corruptData(archive, entry, detail):
            return "Entry '\(entry)' of '\(archive)' holds invalid deflate data (\(detail)); the archive is corrupt."
        case let .duplicateEntry(path):
            return "The archive plan already has an entry '\(path)'; each file path may be added only once."
        case let .invalidPath(path, reason):
            return "'\(path)' cannot be an archive member name: \(reason)."
        case let .sourceChanged(path, detail):
            return "The source file '\(path)' changed while it was being archived (\(detail)); run again."
        case let .zlib(operation, code, message):
            return "zlib \(operation) failed with code \(code) (\(message))."
        }
    }
}

private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}
