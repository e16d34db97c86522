import Foundation

/// HTTP basic credentials for index hosts, taken from index URLs' userinfo and from `~/.netrc`
/// (or `$NETRC`), the same sources pip uses. Secrets never appear in URLs we log: requests carry
/// them in an `Authorization` header and every message goes through `redact`.
public struct Credentials: Sendable {
    private var byHost: [String: (user: String, password: String)] = [:]
    private var fallback: (user: String, password: String)?

    public init() {}

    /// Collects credentials from the userinfo of `urls` and from the netrc file named by
    /// `environment["NETRC"]`, else `~/.netrc`. A missing netrc is not an error.
    public init(urls: [String], environment: [String: String]) {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let netrcPath = environment["NETRC"] ?? home + "/.netrc"
        if let text = try? String(contentsOfFile: netrcPath, encoding: .utf8) { parseNetrc(text) }
        for raw in urls {
            guard let components = URLComponents(string: raw), let host = components.host,
                  let user = components.user else { continue }
            byHost[Self.key(host: host, port: components.port)] = (
                user.removingPercentEncoding ?? user,
                (components.password ?? "").removingPercentEncoding ?? components.password ?? "")
        }
    }

    /// Splits `raw` into a URL without userinfo and, when credentials are known for its host, the
    /// `Authorization` header value to send with it.
    public func authorize(_ raw: String) -> (url: URL, authorization: String?)? {
        guard var components = URLComponents(string: raw) else { return nil }
        var pair: (user: String, password: String)?
        if let user = components.user {
            pair = (user.removingPercentEncoding ?? user,
                    (components.password ?? "").removingPercentEncoding ?? "")
        }
        components.user = nil
        components.password = nil
        guard let url = components.url else { return nil }
        if pair == nil, let host = components.host {
            pair = byHost[Self.key(host: host, port: components.port)] ?? byHost[host] ?? fallback
        }
        guard let pair, url.scheme != "file" else { return (url, nil) }
        let token = Data("\(pair.user):\(pair.password)".utf8).base64EncodedString()
        return (url, "Basic \(token)")
    }

    /// `raw` with any userinfo replaced by `***`, for messages and logs.
    public static func redact(_ raw: String) -> String {
        guard let schemeEnd = raw.range(of: "://") else { return raw }
        let rest = raw[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return raw }
        return String(raw[..<schemeEnd.upperBound]) + "***@" + String(rest[rest.index(after: at)...])
    }

    /// `raw` without userinfo, for files we write (a lock must never carry a secret).
    public static func strip(_ raw: String) -> String {
        redact(raw).replacingOccurrences(of: "://***@", with: "://")
    }

    private static func key(host: String, port: Int?) -> String {
        port.map { "\(host.lowercased()):\($0)" } ?? host.lowercased()
    }

    /// netrc is a stream of whitespace-separated tokens: `machine H login U password P`, `default …`;
    /// `macdef` bodies run to the next blank line and are skipped.
    private mutating func parseNetrc(_ text: String) {
        var lines = text.components(separatedBy: "\n")[...]
        var tokens: [String] = []
        while let line = lines.popFirst() {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            if words.first == "macdef" {
                while let body = lines.popFirst(), !body.trimmingCharacters(in: .whitespaces).isEmpty {}
                continue
            }
            tokens += words
        }
        var machine: String?, isDefault = false, user = "", password = ""
        func flush() {
            if let machine { byHost[machine.lowercased()] = (user, password) }
            if isDefault { fallback = (user, password) }
        }
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            let value = index + 1 < tokens.count ? tokens[index + 1] : ""
            switch token {
            case "machine":
                flush(); machine = value; isDefault = false; user = ""; password = ""; index += 2
            case "default":
                flush(); machine = nil; isDefault = true; user = ""; password = ""; index += 1
            case "login": user = value; index += 2
            case "password": password = value; index += 2
            case "account": index += 2
            default: index += 1
            }
        }
        flush()
    }
}
