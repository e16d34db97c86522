import Basics
import Foundation

/// Where packages come from: the primary index, extra indexes and find-links sources, or none; and
/// the certificates of the connections to them.
///
/// Resolved like pip does: command-line flags first, then `PIP_INDEX_URL`, `PIP_EXTRA_INDEX_URL`,
/// `PIP_FIND_LINKS`, `PIP_NO_INDEX`, `PIP_CERT`, `PIP_CLIENT_CERT`, then pip's configuration files, then
/// the default index the local pip reports (for certificates: the variables of ``TLSSettings``). No index
/// host is hard-coded anywhere.
/// https://pip.pypa.io/en/stable/topics/configuration/
public struct IndexConfiguration: Sendable, Equatable {
    /// The primary simple-index base URL; `nil` only when `noIndex` is set.
    public var indexURL: String?
    public var extraIndexURLs: [String]
    /// Local directories or URLs of flat HTML pages.
    public var findLinks: [String]
    public var noIndex: Bool
    /// The CA certificates that index servers must verify against, and the client certificate.
    public var tls: TLSSettings

    public init(indexURL: String?, extraIndexURLs: [String] = [], findLinks: [String] = [], noIndex: Bool = false,
                tls: TLSSettings = TLSSettings()) {
        self.indexURL = indexURL
        self.extraIndexURLs = extraIndexURLs
        self.findLinks = findLinks
        self.noIndex = noIndex
        self.tls = tls
    }

    /// The simple indexes to query, primary first; empty with `--no-index`.
    public var indexURLs: [String] {
        noIndex ? [] : (indexURL.map { [$0] } ?? []) + extraIndexURLs
    }

    /// Combines flags with the environment and pip's configuration.
    /// - Parameters:
    ///   - indexURL, extraIndexURLs, findLinks, noIndex: values from the command line (and
    ///     requirements files); list values add to the configured ones, single values replace them.
    ///   - cert, clientCert: `--cert` and `--client-cert`, which win over `PIP_CERT`/`PIP_CLIENT_CERT`
    ///     and pip's `cert`/`client-cert`; without any, ``TLSSettings/resolved(trust:clientCertificate:environment:)``
    ///     reads the variables every TLS client honours.
    ///   - environment: the process environment (`PIP_*`, `HOME`, `XDG_CONFIG_HOME`, `PIP_CONFIG_FILE`,
    ///     the CA variables).
    ///   - defaultIndex: asked only when nothing names a primary index; by default the local pip.
    /// - Throws: `IndexError.configuration` for an unreadable config file, `TLSSettingsError` for a
    ///   certificate path that cannot be used, `IndexError.noDefaultIndex` when the default is needed and
    ///   pip cannot tell it.
    public static func resolved(
        indexURL: String? = nil, extraIndexURLs: [String] = [], findLinks: [String] = [], noIndex: Bool = false,
        cert: String? = nil, clientCert: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        defaultIndex: () throws -> String = { try pipDefaultIndex() }
    ) throws -> IndexConfiguration {
        let settings = try PipConfig.settings(environment: environment)
        let tls = TLSSettings.resolved(
            trust: [cert.map { .init($0, from: .flag("--cert")) }, settings["cert"]?.location],
            clientCertificate: clientCert.map { .init($0, from: .flag("--client-cert")) }
                ?? settings["client-cert"]?.location,
            environment: environment)
        let configuredNoIndex = settings["no-index"].map { PipConfig.isTrue($0.value) } ?? false
        let noIndex = noIndex || configuredNoIndex
        var primary = indexURL ?? settings["index-url"]?.value
        if primary == nil, !noIndex { primary = try defaultIndex() }
        func unique(_ values: [String]) -> [String] {
            var seen = Set<String>()
            return values.filter { seen.insert($0).inserted }
        }
        let configuration = IndexConfiguration(
            indexURL: noIndex ? nil : primary,
            extraIndexURLs: noIndex ? [] : unique(PipConfig.list(settings["extra-index-url"]?.value) + extraIndexURLs),
            findLinks: unique(PipConfig.list(settings["find-links"]?.value) + findLinks),
            noIndex: noIndex, tls: tls)
        if configuration.reachesNetwork { try tls.check() }
        return configuration
    }

    /// Whether any source is fetched over the network (an index, or find-links given as an http(s) URL).
    public var reachesNetwork: Bool {
        !indexURLs.isEmpty || findLinks.contains { $0.hasPrefix("http://") || $0.hasPrefix("https://") }
    }

    /// The default index of the local pip (`PyPI.simple_url` in pip's own model), so the tool uses
    /// whatever the machine's pip would. `python` may be overridden with `PEXIFY_PYTHON`.
    public static func pipDefaultIndex(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> String
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [environment["PEXIFY_PYTHON"] ?? "python3", "-c",
                             "from pip._internal.models.index import PyPI; print(PyPI.simple_url)"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { throw IndexError.noDefaultIndex(reason: "python3 cannot be started") }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let url = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, url.contains("://") else {
            throw IndexError.noDefaultIndex(reason: "python3 -c 'import pip' exited \(process.terminationStatus)")
        }
        return url
    }
}

/// pip's configuration files and `PIP_*` variables, reduced to the `[global]`/`[download]`/`[install]`
/// keys an index client needs, in pip's precedence order.
enum PipConfig {
    static let keys = ["index-url", "extra-index-url", "find-links", "no-index", "cert", "client-cert"]

    /// A setting's value and where it was found.
    struct Setting: Equatable {
        var value: String
        var origin: SettingOrigin

        /// The value as a path, for the certificate settings; an empty value counts as unset.
        var location: TLSSettings.Location? { value.isEmpty ? nil : TLSSettings.Location(value, from: origin) }
    }

    /// Later sources override earlier ones: global files, user files, `PIP_CONFIG_FILE`, then
    /// `PIP_<KEY>` variables. `PIP_CONFIG_FILE=/dev/null` disables all files, as in pip.
    static func settings(environment: [String: String]) throws -> [String: Setting] {
        var result: [String: Setting] = [:]
        let home = environment["HOME"] ?? NSHomeDirectory()
        let configFile = environment["PIP_CONFIG_FILE"]
        if configFile != "/dev/null" {
            let xdgDirs = (environment["XDG_CONFIG_DIRS"] ?? "/etc/xdg").split(separator: ":").map(String.init)
            let xdgHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
            var files = xdgDirs.map { $0 + "/pip/pip.conf" } + ["/etc/pip.conf"]
            files += [home + "/.pip/pip.conf", xdgHome + "/pip/pip.conf"]
            if let configFile { files.append(configFile) }
            if let virtualEnv = environment["VIRTUAL_ENV"] { files.append(virtualEnv + "/pip.conf") }
            for file in files where FileManager.default.fileExists(atPath: file) {
                for (key, value) in try parse(file: file) {
                    result[key] = Setting(value: value, origin: .file(path: file, key: key))
                }
            }
        }
        for key in keys {
            let variable = "PIP_" + key.uppercased().replacingOccurrences(of: "-", with: "_")
            if let value = environment[variable] { result[key] = Setting(value: value, origin: .environment(variable)) }
        }
        return result
    }

    /// INI parsing as Python's configparser does for these keys: `[global]`, then `[download]`, then
    /// `[install]` (the later wins; pip reads the section named after its command, and pexify both
    /// downloads and installs), `key = value` or `key: value`, indented continuation lines, `#`/`;` comments.
    static func parse(file: String) throws -> [String: String] {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw IndexError.configuration(source: file, reason: "the file cannot be read as UTF-8 text")
        }
        var sections: [String: [String: String]] = [:]
        var section = ""
        var lastKey: String?
        for rawLine in text.components(separatedBy: .newlines) {
            let trimmed = rawLine.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            if rawLine.first == " " || rawLine.first == "\t", let key = lastKey {
                sections[section, default: [:]][key, default: ""] += "\n" + trimmed
                continue
            }
            if trimmed.hasPrefix("[") && trimmed.hasSuffix("]") {
                section = String(trimmed.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                lastKey = nil
                continue
            }
            guard let separator = trimmed.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw IndexError.configuration(source: file, reason: "the line \"\(trimmed)\" is not `key = value`")
            }
            let key = trimmed[..<separator].trimmingCharacters(in: .whitespaces).lowercased()
                .replacingOccurrences(of: "_", with: "-")
            sections[section, default: [:]][key] = trimmed[trimmed.index(after: separator)...]
                .trimmingCharacters(in: .whitespaces)
            lastKey = key
        }
        var merged: [String: String] = [:]
        for name in ["global", "download", "install"] {
            for (key, value) in sections[name] ?? [:] where keys.contains(key) { merged[key] = value }
        }
        return merged
    }

    /// pip splits list options on whitespace (spaces or newlines).
    static func list(_ value: String?) -> [String] {
        (value ?? "").split(whereSeparator: { $0.isWhitespace }).map(String.init)
    }

    static func isTrue(_ value: String) -> Bool {
        ["1", "true", "yes", "on"].contains(value.lowercased().trimmingCharacters(in: .whitespaces))
    }
}
