import Basics
import Foundation

/// One distribution file as an index or find-links source lists it, before any interpretation of
/// its name: the raw record of the *Simple repository API* (PEP 503 HTML / PEP 691 JSON, with the
/// PEP 592 yank flag, PEP 658/714 metadata and PEP 700 size fields).
public struct ProjectFile: Sendable, Hashable {
    public var filename: String
    /// Absolute URL without credentials or fragment (`file:` for local find-links files).
    public var url: String
    /// Lowercased algorithm → lowercase hex digest; often only `sha256`.
    public var hashes: [String: String]
    public var requiresPython: String?
    /// `nil` when not yanked; the reason (possibly empty) when yanked.
    public var yanked: String?
    /// `nil` when the index serves no `.metadata` file; else the hashes it advertises (maybe none).
    public var metadataHashes: [String: String]?
    public var size: Int?
    /// The index base URL or find-links location this record came from.
    public var source: String

    public init(filename: String, url: String, hashes: [String: String] = [:], requiresPython: String? = nil,
                yanked: String? = nil, metadataHashes: [String: String]? = nil, size: Int? = nil,
                source: String) {
        self.filename = filename
        self.url = url
        self.hashes = hashes
        self.requiresPython = requiresPython
        self.yanked = yanked
        self.metadataHashes = metadataHashes
        self.size = size
        self.source = source
    }

    public var sha256: String? { hashes["sha256"] }

    /// The local path for `file:` records (find-links directories).
    public var localPath: String? {
        guard url.hasPrefix("file:"), let parsed = URL(string: url) else { return nil }
        return parsed.path
    }
}

/// Parsers for project pages of the *Simple repository API*.
/// https://packaging.python.org/en/latest/specifications/simple-repository-api/
public enum SimpleAPI {
    public static let jsonContentType = "application/vnd.pypi.simple.v1+json"
    /// JSON first, HTML as fallback (the quality values pip sends).
    public static let accept =
        "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01"

    /// Dispatches on the response `Content-Type`, never on what was asked for (PEP 691).
    public static func parse(_ body: Data, contentType: String?, pageURL: URL, source: String) throws
        -> [ProjectFile]
    {
        let type = (contentType ?? "text/html").split(separator: ";")[0].trimmingCharacters(in: .whitespaces)
            .lowercased()
        switch type {
        case jsonContentType, "application/vnd.pypi.simple.latest+json":
            return try parseJSON(body, pageURL: pageURL, source: source)
        case "text/html", "application/vnd.pypi.simple.v1+html", "application/vnd.pypi.simple.latest+html", "":
            return try parseHTML(String(decoding: body, as: UTF8.self), pageURL: pageURL, source: source)
        default:
            throw IndexError.malformedPage(url: pageURL.absoluteString, reason: "unexpected content type \"\(type)\"")
        }
    }

    /// PEP 691 project detail: `meta.api-version`, `files[]` with `filename`, `url`, `hashes`,
    /// `requires-python`, `yanked`, `core-metadata` (legacy `dist-info-metadata`), `size`. Unknown keys
    /// are ignored. Decoded with `JSONDecoder` into typed records: large projects list 15,000+ files.
    public static func parseJSON(_ body: Data, pageURL: URL, source: String) throws -> [ProjectFile] {
        let page = pageURL.absoluteString
        let detail: ProjectDetail
        do { detail = try JSONDecoder().decode(ProjectDetail.self, from: body) } catch {
            throw IndexError.malformedPage(url: page, reason: "the JSON does not match PEP 691 (\(error))")
        }
        if let version = detail.meta?.apiVersion { try checkAPIVersion(version, url: page) }
        return try detail.files.map { entry in
            var hashes = lowercasedKeys(entry.hashes ?? [:])
            let absolute = entry.url.contains("://") ? entry.url
                : URL(string: entry.url, relativeTo: pageURL)?.absoluteString ?? entry.url
            let (url, fragmentHash) = splitHashFragment(absolute)
            if let (name, digest) = fragmentHash, hashes[name] == nil { hashes[name] = digest }
            let metadataHashes = (entry.coreMetadata ?? entry.distInfoMetadata)?.hashes
            try checkDigests(hashes, of: entry.filename, page: page)
            try checkDigests(metadataHashes ?? [:], of: entry.filename + ".metadata", page: page)
            return ProjectFile(
                filename: entry.filename, url: url, hashes: hashes, requiresPython: entry.requiresPython,
                yanked: entry.yanked?.reason, metadataHashes: metadataHashes, size: entry.size, source: source)
        }
    }

    private struct ProjectDetail: Decodable {
        struct Meta: Decodable {
            var apiVersion: String?
            enum CodingKeys: String, CodingKey { case apiVersion = "api-version" }
        }

        struct File: Decodable {
            var filename: String
            var url: String
            var hashes: [String: String]?
            var requiresPython: String?
            var yanked: Yank?
            var coreMetadata: MetadataFile?
            var distInfoMetadata: MetadataFile?
            var size: Int?
            enum CodingKeys: String, CodingKey {
                case filename, url, hashes, yanked, size
                case requiresPython = "requires-python"
                case coreMetadata = "core-metadata"
                case distInfoMetadata = "dist-info-metadata"
            }
        }

        /// `yanked`: a bool, or a reason string (truthy means yanked).
        struct Yank: Decodable {
            var reason: String?
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let flag = try? container.decode(Bool.self) { reason = flag ? "" : nil } else {
                    reason = try container.decode(String.self)
                }
            }
        }

        /// `core-metadata`: a bool, or the file's hashes (which also means it exists).
        struct MetadataFile: Decodable {
            var hashes: [String: String]?
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let flag = try? container.decode(Bool.self) { hashes = flag ? [:] : nil } else {
                    hashes = lowercasedKeys(try container.decode([String: String].self))
                }
            }
        }

        var meta: Meta?
        var files: [File]
    }

    /// PEP 503 project page: one anchor per file, `#sha256=` fragments, `data-requires-python`
    /// (HTML-escaped), `data-yanked`, `data-core-metadata` / `data-dist-info-metadata`, `<base href>`.
    public static func parseHTML(_ html: String, pageURL: URL, source: String) throws -> [ProjectFile] {
        var base = pageURL
        var files: [ProjectFile] = []
        let elements: [HTMLScanner.Element]
        do { elements = try HTMLScanner.elements(of: html) } catch {
            throw IndexError.malformedPage(url: pageURL.absoluteString,
                                           reason: "it ends inside an unclosed <\(error.tag)> tag, as a truncated page does")
        }
        for element in elements {
            switch element.tag {
            case "base":
                if let href = element.attributes["href"], let url = URL(string: href, relativeTo: pageURL) {
                    base = url.absoluteURL
                }
            case "meta" where element.attributes["name"] == "pypi:repository-version":
                try checkAPIVersion(element.attributes["content"] ?? "1.0", url: pageURL.absoluteString)
            case "a":
                guard let href = element.attributes["href"],
                      let absolute = URL(string: href, relativeTo: base)?.absoluteString else { continue }
                let (url, fragmentHash) = splitHashFragment(absolute)
                let text = element.text.trimmingCharacters(in: .whitespacesAndNewlines)
                let lastSegment = URL(string: url)?.lastPathComponent.removingPercentEncoding ?? ""
                let filename = text.isEmpty ? lastSegment : text
                var metadata: [String: String]?
                if let value = element.attributes["data-core-metadata"] ?? element.attributes["data-dist-info-metadata"] {
                    if value == "true" {
                        metadata = [:]
                    } else if let (name, digest) = splitHash(value) {
                        metadata = [name: digest]
                    }
                }
                let hashes = fragmentHash.map { [$0.0: $0.1] } ?? [:]
                try checkDigests(hashes, of: filename, page: pageURL.absoluteString)
                try checkDigests(metadata ?? [:], of: filename + ".metadata", page: pageURL.absoluteString)
                files.append(ProjectFile(
                    filename: filename, url: url, hashes: hashes,
                    requiresPython: element.attributes["data-requires-python"].flatMap { $0.isEmpty ? nil : $0 },
                    yanked: element.attributes["data-yanked"], metadataHashes: metadata, source: source))
            default:
                continue
            }
        }
        return files
    }

    /// API 1.x is understood; a newer major version is refused (PEP 629).
    static func checkAPIVersion(_ version: String, url: String) throws {
        guard let major = version.split(separator: ".").first.flatMap({ Int($0) }), major <= 1 else {
            throw IndexError.unsupportedAPIVersion(url: url, version: version)
        }
    }

    /// A digest that is not hex of its algorithm's length can match no file: refused when the page is
    /// read, before anything is downloaded. Algorithms of unknown length are left alone (never used).
    private static func checkDigests(_ hashes: [String: String], of file: String, page: String) throws {
        for (algorithm, digest) in hashes.sorted(by: { $0.key < $1.key })
        where isHexDigest(digest, algorithm: algorithm) == false {
            throw IndexError.malformedPage(
                url: page, reason: "the \(algorithm) hash \"\(digest)\" of \(file) is not a hex digest of the right length")
        }
    }

    private static func splitHashFragment(_ url: String) -> (String, (String, String)?) {
        guard let hashMark = url.utf8.firstIndex(of: UInt8(ascii: "#")) else { return (url, nil) }
        return (String(url[..<hashMark]), splitHash(String(url[url.index(after: hashMark)...])))
    }

    private static func splitHash(_ text: String) -> (String, String)? {
        let parts = text.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, !parts[1].isEmpty else { return nil }
        return (parts[0].lowercased(), parts[1].lowercased())
    }

    fileprivate static func lowercasedKeys(_ hashes: [String: String]) -> [String: String] {
        Dictionary(hashes.map { ($0.key.lowercased(), $0.value.lowercased()) }, uniquingKeysWith: { first, _ in first })
    }
}
