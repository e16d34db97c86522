import Basics

/// Everything that can go wrong while talking to indexes, find-links sources and the cache.
/// Every URL in a message is redacted (`Credentials.redact`), so messages are safe to print.
public enum IndexError: Error, CustomStringConvertible, Sendable {
    case transport(url: String, reason: String)
    /// A TLS connection failed over certificates; `tls` is what was trusted and presented.
    case certificate(url: String, failure: TLSFailure, reason: String, tls: TLSSettings)
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
        case let .certificate(url, failure, reason, tls):
            Self.describe(failure, url: Credentials.redact(url), reason: reason, tls: tls)
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

    /// The certificate failures in pip's terms: which of pip's settings to change.
    private static func describe(_ failure: TLSFailure, url: String, reason: String, tls: TLSSettings) -> String {
        switch failure {
        case .serverNotTrusted:
            "The server certificate of \(url) does not verify against \(tls.trustDescription) (\(reason)). If the "
                + "index, or a proxy in between, uses a certificate of your own or your company's CA, pass that CA's "
                + "PEM bundle with --cert FILE, PIP_CERT or `cert = FILE` in pip.conf."
        case .trustUnusable:
            "The CA certificates for \(url) cannot be loaded from \(tls.trustDescription) (\(reason)); --cert, "
                + "PIP_CERT and pip's `cert` need a PEM file (or a directory) of CA certificates."
        case .clientCertificateUnusable:
            "The client certificate \(tls.clientCertificate?.description ?? "") cannot be used for \(url) (\(reason)); "
                + "--client-cert, PIP_CLIENT_CERT and pip's `client-cert` need one PEM file holding the private key "
                + "and the certificate."
        case .clientCertificateRefused:
            if let client = tls.clientCertificate {
                "\(url) refused the client certificate \(client) (\(reason)); check that it is the certificate "
                    + "this index expects and that it has not expired."
            } else {
                "\(url) requires a client certificate (\(reason)); pass one PEM file holding your private key and "
                    + "certificate with --client-cert FILE, PIP_CLIENT_CERT or `client-cert = FILE` in pip.conf."
            }
        }
    }
}
