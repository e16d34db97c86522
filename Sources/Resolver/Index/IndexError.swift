import Basics

/// Everything that can go wrong while talking to indexes, find-links sources and the cache.
/// Every URL in a message is redacted (`Credentials.redact`), so messages are safe to print.
public enum IndexError: Error, CustomStringConvertible, Sendable {
    case transport(url: String, reason: String)
    case httpStatus(url: String, status: Int)
    case gaveUp(url: String, attempts: Int, lastError: String)
    /// No byte arrived for `seconds` on every attempt.
    case timedOut(url: String, seconds: Double, attempts: Int)
    /// The file took longer than the deadline per file, all attempts included.
    case deadlineExceeded(url: String, seconds: Int)
    case hashMismatch(file: String, expected: String, actual: String)
    case notCached(url: String)
    case unsupportedAPIVersion(url: String, version: String)
    case malformedPage(url: String, reason: String)
    case configuration(source: String, reason: String)
    case noDefaultIndex(reason: String)
    case metadataUnavailable(file: String, reason: String)
    case cache(path: String, reason: String)

    public var description: String {
        switch self {
        case let .transport(url, reason):
            "The request to \(Credentials.redact(url)) failed: \(reason)."
        case let .httpStatus(url, status):
            "The server answered \(Credentials.redact(url)) with HTTP \(status); check the index URL and credentials."
        case let .gaveUp(url, attempts, lastError):
            "Gave up on \(Credentials.redact(url)) after \(attempts) attempts (last failure: \(lastError)); "
                + "check the network or the index, or build with --offline from the cache."
        case let .timedOut(url, seconds, attempts):
            "Timed out after \(HTTPTimeout.format(seconds)) s waiting for data from \(Credentials.redact(url)) "
                + "(\(attempts) attempts); raise the limit with --timeout SECONDS (--index-timeout with invoke) or PIP_DEFAULT_TIMEOUT, or check "
                + "the network and the index."
        case let .deadlineExceeded(url, seconds):
            "Gave up on \(Credentials.redact(url)) after \(seconds) s, the deadline for one file (all attempts "
                + "included); the server sends too slowly. Check the network and the index, or build with --offline "
                + "from the cache."
        case let .hashMismatch(file, expected, actual):
            "The file \(Credentials.redact(file)) has sha256 \(actual) but \(expected) was expected; it was not "
                + "used or cached. The index or lock may be stale, or the download was corrupted."
        case let .notCached(url):
            "Offline mode: \(Credentials.redact(url)) is not in the cache; run once without --offline to fill it."
        case let .unsupportedAPIVersion(url, version):
            "The index page \(Credentials.redact(url)) uses simple API version \(version), which is newer than the "
                + "1.x this tool understands."
        case let .malformedPage(url, reason):
            "The index page \(Credentials.redact(url)) cannot be read: \(reason)."
        case let .configuration(source, reason):
            "The index configuration in \(source) is invalid: \(reason)."
        case let .noDefaultIndex(reason):
            "No package index is configured and the local pip could not report its default (\(reason)); "
                + "pass --index-url, --find-links or --no-index."
        case let .metadataUnavailable(file, reason):
            "Cannot read the metadata of \(Credentials.redact(file)): \(reason)."
        case let .cache(path, reason):
            "The cache at \(path) cannot be used: \(reason); pass another --cache-dir or fix its permissions."
        }
    }
}
