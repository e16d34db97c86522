import Foundation

/// The certificates of pexify's TLS connections: the CA certificates a server's certificate must verify
/// against, and the certificate pexify presents when a server asks for one. The empty value means
/// libcurl's defaults (its compiled-in CA bundle, no client certificate). Each path keeps the setting
/// that named it, so an error can say what to fix.
///
/// The user-facing order (`--cert`, `PIP_CERT`, pip's `cert`, then the variables below) is in
/// docs/tls-certificates.md.
public struct TLSSettings: Sendable, Equatable {
    /// A certificate path and the setting that named it.
    public struct Location: Sendable, Equatable, CustomStringConvertible {
        public var path: String
        public var origin: SettingOrigin

        /// A leading `~/` is the home directory, as pip's path options (`os.path.expanduser`).
        public init(_ path: String, from origin: SettingOrigin) {
            self.path = path.hasPrefix("~/") ? (path as NSString).expandingTildeInPath : path
            self.origin = origin
        }

        public var description: String { "'\(path)' (from \(origin))" }
    }

    /// A PEM file of CA certificates trusted instead of libcurl's (`CURLOPT_CAINFO`).
    public var caFile: Location?
    /// A directory of CA certificates named by their subject hash, as `openssl rehash` leaves them
    /// (`CURLOPT_CAPATH`); OpenSSL takes several joined with `:`.
    public var caDirectory: Location?
    /// One PEM file holding the client's private key and its certificate, as pip's `--client-cert`
    /// (`CURLOPT_SSLCERT` and `CURLOPT_SSLKEY`).
    public var clientCertificate: Location?

    public init(caFile: Location? = nil, caDirectory: Location? = nil, clientCertificate: Location? = nil) {
        self.caFile = caFile
        self.caDirectory = caDirectory
        self.clientCertificate = clientCertificate
    }

    /// What a server's certificate is checked against, for messages.
    public var trustDescription: String {
        switch (caFile, caDirectory) {
        case (nil, nil): "libcurl's default CA certificates"
        case let (file?, nil): "the CA bundle \(file)"
        case let (nil, directory?): "the CA directory \(directory)"
        case let (file?, directory?): "the CA bundle \(file) and the CA directory \(directory)"
        }
    }

    /// Chooses the CA certificates. The caller checks the paths (``check()``) once it knows it will connect:
    /// a variable naming a missing bundle must not fail a build that reads only local wheels.
    ///
    /// - Parameters:
    ///   - trust: the tool's own CA settings, strongest first (for an index: `--cert`, then `PIP_CERT` or
    ///     pip's `cert`). The first one given wins; else `REQUESTS_CA_BUNDLE`, then `CURL_CA_BUNDLE`, then
    ///     OpenSSL's `SSL_CERT_FILE` and `SSL_CERT_DIR` together; else libcurl's default. A chosen path that
    ///     is a directory is used as a CA directory, as requests (and so pip) does.
    ///   - clientCertificate: the client certificate chosen by the tool's own settings, if any.
    ///   - environment: the process environment; empty variables count as unset.
    public static func resolved(trust: [Location?], clientCertificate: Location?,
                                environment: [String: String]) -> TLSSettings {
        func variable(_ name: String) -> Location? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return Location(value, from: .environment(name))
        }
        var settings = TLSSettings(clientCertificate: clientCertificate)
        let chosen = (trust + [variable("REQUESTS_CA_BUNDLE"), variable("CURL_CA_BUNDLE")]).lazy.compactMap { $0 }.first
        if let chosen {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: chosen.path, isDirectory: &isDirectory), isDirectory.boolValue {
                settings.caDirectory = chosen
            } else {
                settings.caFile = chosen
            }
        } else {
            settings.caFile = variable("SSL_CERT_FILE")
            settings.caDirectory = variable("SSL_CERT_DIR")
        }
        return settings
    }

    /// Checks that every path exists, is of its kind and can be read, so that a bad one fails before any
    /// connection is made.
    /// - Throws: ``TLSSettingsError`` naming the path, its setting and what to do.
    public func check() throws {
        for (location, role) in [(caFile, TLSSettingsError.Role.caBundle),
                                 (caDirectory, .caDirectory), (clientCertificate, .clientCertificate)] {
            guard let location else { continue }
            // OpenSSL reads a `:`-separated list of CA directories.
            let paths = role == .caDirectory ? location.path.split(separator: ":").map(String.init) : [location.path]
            for path in paths {
                var isDirectory: ObjCBool = false
                let problem: String? =
                    if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { "does not exist" }
                    else if isDirectory.boolValue != (role == .caDirectory) { isDirectory.boolValue ? "is a directory" : "is not a directory" }
                    else if access(path, role == .caDirectory ? R_OK | X_OK : R_OK) != 0 { "cannot be read (\(String(cString: strerror(errno))))" }
                    else { nil }
                if let problem { throw TLSSettingsError(location: location, role: role, path: path, problem: problem) }
            }
        }
    }
}

/// Where a setting came from, so an error can tell the user what to change.
public enum SettingOrigin: Sendable, Equatable, CustomStringConvertible {
    /// A command-line option, e.g. `--cert`.
    case flag(String)
    /// An environment variable, e.g. `PIP_CERT`.
    case environment(String)
    /// `key` in a configuration file, e.g. `cert` in `~/.config/pip/pip.conf`.
    case file(path: String, key: String)

    public var description: String {
        switch self {
        case let .flag(name), let .environment(name): name
        case let .file(path, key): "`\(key)` in \(path)"
        }
    }

    /// What to do so that the setting names `what` instead.
    func remedy(_ what: String) -> String {
        switch self {
        case let .flag(name): "pass \(name) the path of \(what)"
        case let .environment(name): "set \(name) to the path of \(what), or unset it"
        case let .file(path, key): "set `\(key) =` in \(path) to the path of \(what), or remove the line"
        }
    }
}

/// A certificate path that cannot be used: found before any connection is made.
public struct TLSSettingsError: Error, CustomStringConvertible, Sendable {
    public enum Role: Sendable {
        case caBundle, caDirectory, clientCertificate
    }

    public var location: TLSSettings.Location
    public var role: Role
    /// The offending path: the location's, or one directory of a `:`-separated list.
    public var path: String
    /// "does not exist", "is a directory", "cannot be read (Permission denied)".
    public var problem: String

    public var description: String {
        let (name, what) = switch role {
        case .caBundle: ("CA bundle", "a PEM file of the CA certificates to trust (or a directory of them)")
        case .caDirectory: ("CA directory", "a directory of CA certificates prepared with `openssl rehash`")
        case .clientCertificate: ("client certificate", "one PEM file holding your private key and certificate")
        }
        return "The \(name) '\(path)' named by \(location.origin) \(problem); \(location.origin.remedy(what))."
    }
}

/// Why a TLS connection failed when the certificates were the cause; such failures are final, another
/// attempt would fail the same way.
public enum TLSFailure: Sendable, Equatable {
    /// The server's certificate does not verify against the trusted CA certificates, or names another host.
    case serverNotTrusted
    /// The CA certificates could not be loaded (not PEM, say).
    case trustUnusable
    /// The client certificate could not be loaded, or its key does not match it.
    case clientCertificateUnusable
    /// The server refused the handshake over the client certificate: none was sent, or not one it accepts.
    case clientCertificateRefused
}
