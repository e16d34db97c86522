import Foundation

/// A throwaway certificate authority, made for one test with the `openssl` command (Debian's `openssl`,
/// which scripts/setup-test-env.sh installs): its CA certificate, a server certificate for 127.0.0.1 and
/// localhost, and a client certificate with its key in one PEM file (the form pip's `--client-cert` takes).
/// Nothing is committed; the keys live in a temporary directory.
public struct CertificateAuthority: Sendable {
    public let directory: TemporaryDirectory

    /// The CA certificate (PEM): the bundle a client must trust.
    public var certificate: String { directory.child("ca.pem") }
    public var serverCertificate: String { directory.child("server.pem") }
    public var serverKey: String { directory.child("server.key") }
    /// The client's private key followed by its certificate.
    public var clientBundle: String { directory.child("client-bundle.pem") }

    /// Whether `openssl` is on the PATH.
    public static var available: Bool { executable != nil }

    static var executable: String? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { $0 + "/openssl" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public init() throws {
        directory = try TemporaryDirectory("pexify-ca")
        // P-256 keys: quick to make. Server and client certificates carry the key identifiers and usages
        // that strict verifiers (OpenSSL's X509_V_FLAG_X509_STRICT, Python 3.13's default) insist on.
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try openssl(["req", "-x509"] + key + ["-days", "2", "-subj", "/CN=pexify test CA", "-keyout", "ca.key",
                     "-out", "ca.pem", "-addext", "basicConstraints=critical,CA:TRUE",
                     "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        let common = "basicConstraints=CA:FALSE\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\n"
        for (name, subject, extensions, serial) in [
            ("server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n", "2"),
            ("client", "/CN=pexify test client", "extendedKeyUsage=clientAuth\n", "3"),
        ] {
            try directory.write(name + ".ext", common + extensions)
            try openssl(["req"] + key + ["-subj", subject, "-keyout", name + ".key", "-out", name + ".csr"])
            try openssl(["x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", serial,
                         "-days", "2", "-extfile", name + ".ext", "-out", name + ".pem"])
        }
        let client = try String(contentsOfFile: directory.child("client.key"), encoding: .utf8)
            + String(contentsOfFile: directory.child("client.pem"), encoding: .utf8)
        try directory.write("client-bundle.pem", client)
    }

    /// A directory holding the CA certificate under its subject-hash name (`<hash>.0`), the layout
    /// OpenSSL looks up in a CA directory (`SSL_CERT_DIR`, `CURLOPT_CAPATH`).
    public func hashedDirectory() throws -> String {
        let hash = try openssl(["x509", "-hash", "-noout", "-in", "ca.pem"]).trimmingCharacters(in: .whitespacesAndNewlines)
        return (try directory.write("hashed/\(hash).0", String(contentsOfFile: certificate, encoding: .utf8)) as NSString)
            .deletingLastPathComponent
    }

    @discardableResult
    private func openssl(_ arguments: [String]) throws -> String {
        let result = try run(Self.executable ?? "openssl", arguments, currentDirectory: directory.path)
        guard result.status == 0 else {
            throw Failure(description: "openssl \(arguments.joined(separator: " ")) failed: \(result.summary)")
        }
        return result.stdout
    }

    public struct Failure: Error, CustomStringConvertible { public var description: String }
}
