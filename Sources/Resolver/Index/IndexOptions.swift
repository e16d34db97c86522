import Foundation

/// Where distributions come from, as the user named it (pip's spellings).
public struct IndexOptions: Sendable, Equatable {
    /// `--index-url`; `nil` means whatever the local pip configuration names.
    public var indexURL: String?
    public var extraIndexURLs: [String]
    public var findLinks: [String]
    public var noIndex: Bool
    public var offline: Bool
    /// `--cache-dir`; `nil` means the default cache location.
    public var cacheDirectory: String?
    /// `--timeout` / `--index-timeout`: seconds without data before an attempt fails; `nil` means `PIP_DEFAULT_TIMEOUT`, else
    /// pip's 15 s.
    public var timeout: Double?
    /// `--cert`: the CA bundle (or directory) index servers must verify against; `nil` means `PIP_CERT`,
    /// pip's `cert`, then the common CA variables (``IndexConfiguration/resolved(indexURL:extraIndexURLs:findLinks:noIndex:cert:clientCert:environment:defaultIndex:)``).
    public var cert: String?
    /// `--client-cert`: one PEM file with the private key and certificate to present; `nil` means
    /// `PIP_CLIENT_CERT`, then pip's `client-cert`.
    public var clientCert: String?

    public init(indexURL: String? = nil, extraIndexURLs: [String] = [], findLinks: [String] = [],
                noIndex: Bool = false, offline: Bool = false, cacheDirectory: String? = nil, timeout: Double? = nil,
                cert: String? = nil, clientCert: String? = nil) {
        self.indexURL = indexURL
        self.extraIndexURLs = extraIndexURLs
        self.findLinks = findLinks
        self.noIndex = noIndex
        self.offline = offline
        self.cacheDirectory = cacheDirectory
        self.timeout = timeout
        self.cert = cert
        self.clientCert = clientCert
    }
}

extension IndexOptions {
    /// The fetch policy these options ask for: the timeout given, else `PIP_DEFAULT_TIMEOUT`, else 15 s.
    public func fetchPolicy(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> FetchPolicy {
        FetchPolicy(timeout: try FetchPolicy.timeout(option: timeout, environment: environment))
    }
}
