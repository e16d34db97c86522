import Basics
import Foundation

/// An access key pair and optional session token. Its `description` never shows the secret or token.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    public var description: String {
        "AWSCredentials(accessKeyId: \(accessKeyId), secretAccessKey: <redacted>\(sessionToken == nil ? "" : ", sessionToken: <redacted>"))"
    }

    /// Replaces every occurrence of the secret key and session token in `text`, so that nothing the
    /// service or a transport echoes back can leak them into output.
    public func redact(_ text: String) -> String {
        var text = text
        for secret in [secretAccessKey, sessionToken ?? ""] where secret.count >= 8 {
            text = text.replacingOccurrences(of: secret, with: "<redacted>")
        }
        return text
    }
}

/// Where the credentials, region and endpoint came from, found the way the AWS CLI and SDKs look:
/// environment variables first, then the `AWS_PROFILE` (or `default`) profile of the shared
/// credentials and config files, web identity and the container endpoint (``CredentialProvider``).
///
/// See <https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html> and
/// <https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html>.
public struct AWSConfiguration: Sendable {
    /// Where the credentials come from; `nil` when nothing was found (fine for a dry run; an error for
    /// a real deploy).
    public var provider: CredentialProvider?
    /// The access keys when they are known without a request (environment or profile keys).
    public var credentials: AWSCredentials? {
        if case .keys(let credentials) = provider { return credentials }
        return nil
    }
    /// Where the credentials came from, for the plan (`environment`, `profile default in ~/.aws/credentials`).
    public var credentialSource: String
    public var region: String
    public var profile: String
    /// A custom endpoint (an emulator such as moto or LocalStack); `nil` means the public AWS endpoints.
    public var endpointURL: URL?
    /// The CA certificates AWS's (or the endpoint's) certificate must verify against, found as botocore
    /// finds them: `AWS_CA_BUNDLE`, the profile's `ca_bundle`, then the variables of ``TLSSettings``.
    public var tls = TLSSettings()

    public init(credentials: AWSCredentials?, credentialSource: String, region: String, profile: String,
                endpointURL: URL?) {
        provider = credentials.map { .keys($0) }
        self.credentialSource = credentialSource
        self.region = region
        self.profile = profile
        self.endpointURL = endpointURL
    }

    /// Resolves credentials, region and endpoint.
    /// - Parameters:
    ///   - environment: the process environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    ///     `AWS_SESSION_TOKEN`, `AWS_PROFILE`, `AWS_REGION`, `AWS_DEFAULT_REGION`, `AWS_ENDPOINT_URL`,
    ///     `AWS_SHARED_CREDENTIALS_FILE`, `AWS_CONFIG_FILE`, `AWS_WEB_IDENTITY_TOKEN_FILE` with `AWS_ROLE_ARN`,
    ///     `AWS_CONTAINER_CREDENTIALS_FULL_URI` / `_RELATIVE_URI` with `AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]`,
    ///     `AWS_CA_BUNDLE` and the CA variables of ``TLSSettings``).
    ///     The order is the AWS CLI's: environment keys, a profile's role, web identity, a profile's keys,
    ///     the container endpoint.
    ///   - homeDirectory: where `~/.aws` lives.
    ///   - region: an explicit `--region`, which wins over everything.
    ///   - endpointURL: an explicit `--endpoint-url`, which wins over the environment.
    /// - Throws: `DeployError.configuration` for an unreadable file, a missing region or a bad URL;
    ///   `TLSSettingsError` for a CA bundle that does not exist or cannot be read.
    public static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment,
                               homeDirectory: String = NSHomeDirectory(),
                               profile explicitProfile: String? = nil,
                               region explicitRegion: String? = nil,
                               endpointURL explicitEndpoint: String? = nil) throws -> AWSConfiguration {
        func env(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        let profile = explicitProfile ?? env("AWS_PROFILE") ?? env("AWS_DEFAULT_PROFILE") ?? "default"
        let credentialsPath = env("AWS_SHARED_CREDENTIALS_FILE") ?? homeDirectory + "/.aws/credentials"
        let configPath = env("AWS_CONFIG_FILE") ?? homeDirectory + "/.aws/config"
        let credentialsFile = try INIFile.load(credentialsPath)
        let configFile = try INIFile.load(configPath)
        let fromConfig = configFile?.sections[profile == "default" ? "default" : "profile \(profile)"]
            ?? configFile?.sections[profile] ?? [:]

        var provider: CredentialProvider?
        var source = "none found"
        let containerHosts: Set<String> = ["127.0.0.1", "localhost", "::1", "[::1]", "169.254.170.2", "169.254.170.23",
                                           "fd00:ec2::23", "[fd00:ec2::23]"]
        if let key = env("AWS_ACCESS_KEY_ID"), let secret = env("AWS_SECRET_ACCESS_KEY") {
            provider = .keys(AWSCredentials(accessKeyId: key, secretAccessKey: secret, sessionToken: env("AWS_SESSION_TOKEN")))
            source = "environment variables"
        } else if let found = try Self.profileProvider(profile, credentialsFile: credentialsFile, configFile: configFile,
                                                       paths: (credentialsPath, configPath), environment: env,
                                                       visited: [], rolesOnly: true) {
            (provider, source) = found
        } else if let tokenFile = env("AWS_WEB_IDENTITY_TOKEN_FILE"), let roleArn = env("AWS_ROLE_ARN") {
            provider = .webIdentity(roleArn: roleArn, tokenFile: tokenFile,
                                    sessionName: env("AWS_ROLE_SESSION_NAME") ?? "pexify-deploy")
            source = "web identity (AWS_WEB_IDENTITY_TOKEN_FILE) for role \(roleArn)"
        } else if let found = try Self.profileProvider(profile, credentialsFile: credentialsFile, configFile: configFile,
                                                       paths: (credentialsPath, configPath), environment: env,
                                                       visited: [], rolesOnly: false) {
            (provider, source) = found
        } else if let text = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI").map({ "http://169.254.170.2" + $0 })
                    ?? env("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
            // The SDKs send the token only over HTTPS or to the loopback and container-agent addresses.
            guard let url = URL(string: text), let host = url.host,
                  url.scheme == "https" || (url.scheme == "http" && containerHosts.contains(host)) else {
                throw DeployError.configuration(
                    "The container credentials URI '\(text)' must be https, or http to a loopback or ECS/EKS agent address; check AWS_CONTAINER_CREDENTIALS_FULL_URI.")
            }
            provider = .container(url: url, token: env("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
                                  tokenFile: env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"))
            source = "container credentials endpoint \(url.absoluteString)"
        }

        guard let region = explicitRegion ?? env("AWS_REGION") ?? env("AWS_DEFAULT_REGION")
            ?? fromConfig["region"] else {
            throw DeployError.configuration(
                "No AWS region is set; pass --region, set AWS_REGION, or add `region = ...` to profile \(profile) in \(configPath).")
        }
        var endpoint: URL?
        if let text = explicitEndpoint ?? env("AWS_ENDPOINT_URL")
            ?? fromConfig["endpoint_url"] {
            guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme),
                  url.host != nil else {
                throw DeployError.configuration(
                    "The endpoint URL '\(text)' is not an http(s) URL with a host; pass one like http://127.0.0.1:5000.")
            }
            endpoint = url
        }
        var configuration = AWSConfiguration(credentials: nil, credentialSource: source, region: region,
                                             profile: profile, endpointURL: endpoint)
        configuration.provider = provider
        configuration.tls = TLSSettings.resolved(
            trust: [env("AWS_CA_BUNDLE").map { .init($0, from: .environment("AWS_CA_BUNDLE")) },
                    fromConfig["ca_bundle"].flatMap { $0.isEmpty ? nil : .init($0, from: .file(path: configPath, key: "ca_bundle")) }],
            clientCertificate: nil, environment: environment)
        try configuration.tls.check()
        return configuration
    }

    /// The credentials of `profile` from the shared files: with `rolesOnly`, a role to assume (`role_arn`
    /// with `source_profile`, `web_identity_token_file` or `credential_source = Environment`); otherwise
    /// its access keys. The credentials file's values win over the config file's, as in the AWS CLI.
    static func profileProvider(_ profile: String, credentialsFile: INIFile?, configFile: INIFile?,
                                paths: (credentials: String, config: String), environment env: (String) -> String?,
                                visited: [String], rolesOnly: Bool) throws -> (CredentialProvider, String)? {
        let fromConfig = configFile?.sections[profile == "default" ? "default" : "profile \(profile)"]
            ?? configFile?.sections[profile] ?? [:]
        let values = fromConfig.merging(credentialsFile?.sections[profile] ?? [:]) { $1 }
        if let roleArn = values["role_arn"] {
            let sessionName = values["role_session_name"] ?? "pexify-deploy"
            if let tokenFile = values["web_identity_token_file"] {
                return (.webIdentity(roleArn: roleArn, tokenFile: tokenFile, sessionName: sessionName),
                        "web identity (profile \(profile)) for role \(roleArn)")
            }
            let source: CredentialProvider
            if let sourceProfile = values["source_profile"] {
                guard !visited.contains(sourceProfile) else {
                    throw DeployError.configuration("The profiles \((visited + [profile, sourceProfile]).joined(separator: " -> ")) name each other as source_profile in a loop; end the chain at a profile with access keys.")
                }
                // A profile that is its own source uses its own keys (the AWS CLI allows this).
                let found = sourceProfile == profile
                    ? keys(values).map { ($0, "") }
                    : try profileProvider(sourceProfile, credentialsFile: credentialsFile, configFile: configFile,
                                          paths: paths, environment: env, visited: visited + [profile], rolesOnly: false)
                guard let found else {
                    throw DeployError.configuration("The profile \(profile) assumes \(roleArn) with source_profile \(sourceProfile), which has no credentials in \(paths.credentials) or \(paths.config); add aws_access_key_id and aws_secret_access_key to it.")
                }
                source = found.0
            } else if values["credential_source"] == "Environment", let key = env("AWS_ACCESS_KEY_ID"),
                      let secret = env("AWS_SECRET_ACCESS_KEY") {
                source = .keys(AWSCredentials(accessKeyId: key, secretAccessKey: secret, sessionToken: env("AWS_SESSION_TOKEN")))
            } else {
                throw DeployError.configuration("The profile \(profile) sets role_arn \(roleArn) without source_profile, web_identity_token_file or credential_source = Environment; add one of them.")
            }
            return (.assumeRole(roleArn: roleArn, sessionName: sessionName, externalId: values["external_id"], source: source),
                    "role \(roleArn) assumed through profile \(profile)")
        }
        guard !rolesOnly, let found = keys(values) else { return nil }
        let path = credentialsFile?.sections[profile]?["aws_access_key_id"] != nil ? paths.credentials : paths.config
        return (found, "profile \(profile) in \(path)")
    }

    private static func keys(_ values: [String: String]) -> CredentialProvider? {
        guard let key = values["aws_access_key_id"], let secret = values["aws_secret_access_key"] else { return nil }
        return .keys(AWSCredentials(accessKeyId: key, secretAccessKey: secret, sessionToken: values["aws_session_token"]))
    }
}

/// The INI dialect of `~/.aws/credentials` and `~/.aws/config`: `[section]` headers, `key = value`
/// lines, `#`/`;` comments. Nested (indented) sub-settings are ignored.
struct INIFile: Sendable {
    var sections: [String: [String: String]]

    /// `nil` when the file does not exist.
    static func load(_ path: String) throws -> INIFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DeployError.configuration("Cannot read the AWS settings file '\(path)'; check its permissions.")
        }
        return INIFile(parsing: String(decoding: data, as: UTF8.self))
    }

    init(parsing text: String) {
        sections = [:]
        var current: String?
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            if raw.first == " " || raw.first == "\t" { continue }
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                let name = line.dropFirst().dropLast().split(separator: " ", omittingEmptySubsequences: true)
                    .joined(separator: " ")
                current = name
                if sections[name] == nil { sections[name] = [:] }
            } else if let current, let eq = line.firstIndex(of: "=") {
                let key = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
                let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
                sections[current]![key] = value
            }
        }
    }
}
