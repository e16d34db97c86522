import Resolver

/// Why a wheel cannot be installed into a layout.
public enum WheelError: Error, Sendable, Equatable {
    case missingDistInfo(wheel: String, expected: String)
    case missingFile(wheel: String, entry: String)
    case unsupportedWheelVersion(wheel: String, version: String)
    case malformedMetadataFile(wheel: String, entry: String, reason: String)
    case malformedRecord(wheel: String, entry: String, reason: String)
    case notInRecord(wheel: String, entry: String)
    case recordSizeMismatch(wheel: String, entry: String, record: String, actual: UInt64)
    /// RECORD gives a file no hash, or one pexify cannot check (PEP 427: every file but RECORD has one).
    case unusableRecordHash(wheel: String, entry: String, hash: String)
    case recordHashMismatch(wheel: String, entry: String, record: String, actual: String)
    /// The strict reader refused the wheel, or an entry's bytes do not match its headers (`reason` is the
    /// reader's own message, naming the entry).
    case corrupt(wheel: String, reason: String)
    case unknownSchemeKey(wheel: String, entry: String, key: String)
    case installPathClash(wheel: String, path: String, first: String, second: String)
}

extension WheelError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .missingDistInfo(wheel, expected):
            return "The wheel '\(wheel)' has no '\(expected)' directory; a wheel must carry its metadata there "
                + "(PEP 427). Rebuild the wheel or check that its file name matches the project inside."
        case let .missingFile(wheel, entry):
            return "The wheel '\(wheel)' has no '\(entry)'; every wheel must contain it (PEP 427). Rebuild the wheel."
        case let .unsupportedWheelVersion(wheel, version):
            return "The wheel '\(wheel)' declares Wheel-Version '\(version)'; only major version 1 is understood "
                + "(PEP 427). Use a wheel built by an older tool or upgrade pexify."
        case let .malformedMetadataFile(wheel, entry, reason):
            return "The wheel '\(wheel)' has an unreadable '\(entry)': \(reason). Rebuild the wheel."
        case let .malformedRecord(wheel, entry, reason):
            return "The wheel '\(wheel)' has a malformed '\(entry)': \(reason). Rebuild the wheel."
        case let .notInRecord(wheel, entry):
            return "The wheel '\(wheel)' contains '\(entry)', which its RECORD does not list; installers must "
                + "refuse such a wheel (PEP 427). Rebuild the wheel."
        case let .recordSizeMismatch(wheel, entry, record, actual):
            return "The wheel '\(wheel)' lists '\(entry)' in RECORD with size \(record), but the entry holds "
                + "\(actual) bytes. The wheel is corrupt; download or rebuild it."
        case let .unusableRecordHash(wheel, entry, hash):
            let given = hash.isEmpty ? "no hash" : "the hash '\(hash)'"
            return "The wheel '\(wheel)' lists '\(entry)' in RECORD with \(given); every file but RECORD must carry "
                + "a sha256=<urlsafe-base64> digest that installers check (PEP 427). Rebuild the wheel."
        case let .recordHashMismatch(wheel, entry, record, actual):
            return "The wheel '\(wheel)' lists '\(entry)' in RECORD with \(record), but the entry's bytes hash to "
                + "\(actual). The wheel is corrupt or was altered; download or rebuild it."
        case let .corrupt(wheel, reason):
            return "The wheel '\(wheel)' failed verification and was not used: \(reason) Download or rebuild the "
                + "wheel (remove the damaged file from the find-links directory or the cache first)."
        case let .unknownSchemeKey(wheel, entry, key):
            return "The wheel '\(wheel)' has the entry '\(entry)' under the unknown install scheme '\(key)'; "
                + "only purelib, platlib, scripts, headers and data are allowed (PEP 427). Rebuild the wheel."
        case let .installPathClash(wheel, path, first, second):
            return "The wheel '\(wheel)' installs both '\(first)' and '\(second)' to '\(path)'. Rebuild the wheel "
                + "so that each file has one place."
        }
    }
}
