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
/// credentials and config files.
///
/// See <https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html> and
/// <https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html>.
public struct AWSConfiguration: Sendable {
    /// `nil` when none were found (fine for a dry run; an error for a real deploy).
    public var credentials: AWSCredentials?
    /// Where the credentials came from, for the plan (`environment`, `profile default in ~/.aws/credentials`).
    public var credentialSource: String
    public var region: String
    public var profile: String
    /// A custom endpoint (an emulator such as moto or LocalStack); `nil` means the public AWS endpoints.
    public var endpointURL: URL?

    public init(credentials: AWSCredentials?, credentialSource: String, region: String, profile: String,
                endpointURL: URL?) {
        self.credentials = credentials
        self.credentialSource = credentialSource
        self.region = region
        self.profile = profile
        self.endpointURL = endpointURL
    }

    /// Resolves credentials, region and endpoint.
    /// - Parameters:
    ///   - environment: the process environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    ///     `AWS_SESSION_TOKEN`, `AWS_PROFILE`, `AWS_REGION`, `AWS_DEFAULT_REGION`, `AWS_ENDPOINT_URL`,
    ///     `AWS_SHARED_CREDENTIALS_FILE`, `AWS_CONFIG_FILE`).
    ///   - homeDirectory: where `~/.aws` lives.
    ///   - region: an explicit `--region`, which wins over everything.
    ///   - endpointURL: an explicit `--endpoint-url`, which wins over the environment.
    /// - Throws: `DeployError.configuration` for an unreadable file, a missing region or a bad URL.
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
        // The credentials file names sections `[name]`; the config file `[profile name]` (but `[default]`).
        let fromCredentials = credentialsFile?.sections[profile] ?? [:]
        let fromConfig = configFile?.sections[profile == "default" ? "default" : "profile \(profile)"]
            ?? configFile?.sections[profile] ?? [:]

        var credentials: AWSCredentials?
        var source = "none found"
        if let key = env("AWS_ACCESS_KEY_ID"), let secret = env("AWS_SECRET_ACCESS_KEY") {
            credentials = AWSCredentials(accessKeyId: key, secretAccessKey: secret,
                                         sessionToken: env("AWS_SESSION_TOKEN"))
            source = "environment variables"
        } else {
            for (values, path) in [(fromCredentials, credentialsPath), (fromConfig, configPath)] {
                if let key = values["aws_access_key_id"], let secret = values["aws_secret_access_key"] {
                    credentials = AWSCredentials(accessKeyId: key, secretAccessKey: secret,
                                                 sessionToken: values["aws_session_token"])
                    source = "profile \(profile) in \(path)"
                    break
                }
            }
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
        return AWSConfiguration(credentials: credentials, credentialSource: source, region: region,
                                profile: profile, endpointURL: endpoint)
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
