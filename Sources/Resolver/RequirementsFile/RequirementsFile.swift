import Basics
import Foundation

/// A pip requirements file (and the files it includes), reduced to what a wheel-only resolver uses:
/// requirements, constraints, `--hash` pins and index options.
///
/// Follows pip's reader (`pip._internal.req.req_file`): `\` continuations (not on comment lines),
/// `#` comments at line start or after whitespace, `${UPPER_CASE}` variables from the environment,
/// nested `-r`/`-c` with paths relative to the including file, options on their own line and
/// `--hash` on a requirement line.
/// https://pip.pypa.io/en/stable/reference/requirements-file-format/
public struct RequirementsFile: Sendable {
    /// One requirement with where it came from and the hashes pinned for it.
    public struct Entry: Sendable, Hashable {
        public var requirement: Requirement
        /// `sha256` hex digests from `--hash=sha256:…` (other algorithms are refused).
        public var hashes: [String]
        /// `file:line`, for messages.
        public var origin: String
    }

    public var requirements: [Entry] = []
    public var constraints: [Entry] = []
    public var indexURL: String?
    public var extraIndexURLs: [String] = []
    public var findLinks: [String] = []
    public var noIndex = false
    /// `--pre`.
    public var prereleases = false
    /// `--require-hashes`, or implied by any `--hash`.
    public var requireHashes = false
    /// Local project directories (`./libs/shared`, `file:` URLs of directories), built into wheels.
    public var projects: [ProjectReference] = []
    /// `--only-binary`, `--no-binary`, `--prefer-binary`.
    public var binaryPolicy = BinaryPolicy()

    public init() {}

    /// For `ResolveRequest.hashes`: in hash-checking mode, the sha256 digests allowed per project
    /// (from requirements and constraints); `nil` otherwise.
    public var hashes: [PackageName: Set<String>]? {
        guard requireHashes else { return nil }
        var result: [PackageName: Set<String>] = [:]
        for entry in requirements + constraints where !entry.hashes.isEmpty {
            result[entry.requirement.name, default: []].formUnion(entry.hashes)
        }
        return result
    }

    /// Reads `path` and everything it includes.
    /// - Throws: `RequirementsFileError` naming the file and line of the first problem.
    public static func parse(path: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> RequirementsFile
    {
        var result = RequirementsFile()
        var visiting: [String] = []
        try result.read(path: path, asConstraints: false, environment: environment, visiting: &visiting)
        return result
    }

    private mutating func read(path: String, asConstraints: Bool, environment: [String: String],
                               visiting: inout [String]) throws {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        guard !visiting.contains(absolute) else {
            throw RequirementsFileError(origin: path, reason: "it includes itself (through \(visiting.joined(separator: " → ")))")
        }
        guard let data = FileManager.default.contents(atPath: absolute) else {
            throw RequirementsFileError(origin: path, reason: "the file cannot be read")
        }
        visiting.append(absolute)
        defer { visiting.removeLast() }
        let directory = (absolute as NSString).deletingLastPathComponent
        for (lineNumber, line) in Self.logicalLines(String(decoding: data, as: UTF8.self), environment: environment) {
            let origin = "\(path):\(lineNumber)"
            let (requirementText, optionTokens) = try Self.split(line, origin: origin)
            var options = optionTokens[...]
            var hashes: [String] = []
            while let token = options.popFirst() {
                let (name, inlineValue) = Self.option(token)
                func value() throws -> String {
                    if let inlineValue { return inlineValue }
                    guard let next = options.popFirst() else {
                        throw RequirementsFileError(origin: origin, reason: "the option \(name) needs a value")
                    }
                    return next
                }
                switch name {
                case "-r", "--requirement", "-c", "--constraint":
                    let target = try value()
                    let included = target.hasPrefix("/") ? target : directory + "/" + target
                    guard FileManager.default.isReadableFile(atPath: included) else {
                        throw RequirementsFileError(origin: origin, reason: "the included file \(target) cannot be read")
                    }
                    try read(path: included, asConstraints: asConstraints || name == "-c" || name == "--constraint",
                             environment: environment, visiting: &visiting)
                case "-i", "--index-url": indexURL = try value()
                case "--extra-index-url": extraIndexURLs.append(try value())
                case "-f", "--find-links":
                    let location = try value()
                    let local = !location.contains("://") && !location.hasPrefix("/")
                    findLinks.append(local && FileManager.default.fileExists(atPath: directory + "/" + location)
                                     ? directory + "/" + location : location)
                case "--no-index": noIndex = true
                case "--pre": prereleases = true
                case "--require-hashes": requireHashes = true
                case "--hash":
                    let pin = try value()
                    guard pin.hasPrefix("sha256:"), isHexDigest(pin.dropFirst(7), algorithm: "sha256") == true else {
                        throw RequirementsFileError(origin: origin, reason: "the hash \"\(pin)\" is not sha256:<64 hex digits>")
                    }
                    hashes.append(String(pin.dropFirst(7)).lowercased())
                    requireHashes = true
                case "--only-binary": binaryPolicy.onlyBinary(try value())
                case "--no-binary": binaryPolicy.noBinary(try value())
                case "--prefer-binary": binaryPolicy.preferBinary = true
                case "--trusted-host", "--use-feature", "--config-settings", "--global-option",
                     "--only-final", "--all-releases":
                    _ = try value()  // meaningless for pexify
                case "--no-require-hashes":
                    break
                case "-e", "--editable":
                    throw RequirementsFileError(origin: origin, reason: "an archive cannot hold an editable install "
                        + "(\(token)); list the project directory without it (e.g. ./libs/shared) to build it into a wheel")
                default:
                    throw RequirementsFileError(origin: origin, reason: "the option \"\(token)\" is not supported")
                }
            }
            guard let requirementText else {
                if !hashes.isEmpty {
                    throw RequirementsFileError(origin: origin, reason: "--hash must follow a requirement on its line")
                }
                continue
            }
            if !asConstraints, let project = ProjectReference.parse(requirementText, relativeTo: directory) {
                projects.append(project)
                continue
            }
            let requirement = try Self.requirement(requirementText, directory: directory, origin: origin)
            let entry = Entry(requirement: requirement, hashes: hashes, origin: origin)
            if asConstraints { constraints.append(entry) } else { requirements.append(entry) }
        }
    }

    /// pip's preprocessing: join continuations, drop comments and blank lines, expand `${VAR}`.
    /// Returns each logical line with the number of its first physical line.
    static func logicalLines(_ text: String, environment: [String: String]) -> [(Int, String)] {
        func isCommentLine(_ line: Substring) -> Bool { line.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("#") }
        var joined: [(Int, String)] = []
        var pending: [Substring] = []
        var pendingStart = 0
        // Swift reads "\r\n" as one Character, so a split on "\n" alone would leave a CRLF file one line.
        let physical = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (index, line) in physical.enumerated() {
            if !line.hasSuffix("\\") || isCommentLine(line) {
                let line = isCommentLine(line) ? " " + line : line
                if pending.isEmpty {
                    joined.append((index + 1, String(line)))
                } else {
                    joined.append((pendingStart, pending.joined() + line))
                    pending = []
                }
            } else {
                if pending.isEmpty { pendingStart = index + 1 }
                pending.append(line.dropLast())
            }
        }
        if !pending.isEmpty { joined.append((pendingStart, pending.joined())) }
        return joined.compactMap { number, line in
            let stripped = stripComment(line).trimmingCharacters(in: .whitespaces)
            return stripped.isEmpty ? nil : (number, expandVariables(stripped, environment: environment))
        }
    }

    /// `(^|\s+)#.*$`: a `#` starts a comment at the line start or after whitespace only.
    static func stripComment(_ line: String) -> String {
        var previousIsSpace = true
        for index in line.indices {
            let character = line[index]
            if character == "#", previousIsSpace { return String(line[..<index]) }
            previousIsSpace = character == " " || character == "\t"
        }
        return line
    }

    /// `${NAME}` with NAME in `[A-Z0-9_]`, replaced when the variable is set, else kept verbatim.
    static func expandVariables(_ line: String, environment: [String: String]) -> String {
        var result = ""
        var rest = Substring(line)
        while let start = rest.range(of: "${") {
            result += rest[..<start.lowerBound]
            let after = rest[start.upperBound...]
            if let close = after.firstIndex(of: "}"),
               !after[..<close].isEmpty,
               after[..<close].allSatisfy({ ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }),
               let value = environment[String(after[..<close])] {
                result += value
                rest = after[after.index(after: close)...]
            } else {
                result += "${"
                rest = after
            }
        }
        return result + rest
    }

    /// pip's `break_args_options`: the requirement is every space-separated token before the first one
    /// that starts with `-`; the rest are options, split shell-style.
    static func split(_ line: String, origin: String) throws -> (String?, [String]) {
        let tokens = line.split(separator: " ", omittingEmptySubsequences: false)
        let firstOption = tokens.firstIndex { $0.hasPrefix("-") } ?? tokens.count
        let requirement = tokens[..<firstOption].joined(separator: " ").trimmingCharacters(in: .whitespaces)
        let options = try shellSplit(tokens[firstOption...].joined(separator: " "), origin: origin)
        return (requirement.isEmpty ? nil : requirement, options)
    }

    /// `--name=value`, `-rvalue` or a bare option name.
    static func option(_ token: String) -> (String, String?) {
        if token.hasPrefix("--") {
            guard let equals = token.firstIndex(of: "=") else { return (token, nil) }
            return (String(token[..<equals]), String(token[token.index(after: equals)...]))
        }
        if token.count > 2 { return (String(token.prefix(2)), String(token.dropFirst(2))) }
        return (token, nil)
    }

    private static func shellSplit(_ text: String, origin: String) throws -> [String] {
        var tokens: [String] = []
        var current = ""
        var quote: Character?
        var inToken = false
        for character in text {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "'" || character == "\"" {
                quote = character; inToken = true
            } else if character == " " || character == "\t" {
                if inToken { tokens.append(current); current = ""; inToken = false }
            } else {
                current.append(character); inToken = true
            }
        }
        guard quote == nil else { throw RequirementsFileError(origin: origin, reason: "a quote is not closed") }
        if inToken { tokens.append(current) }
        return tokens
    }

    /// PEP 508 text, or pip's other forms: a wheel path or URL (`./dist/x-1.0-py3-none-any.whl`), a
    /// bare URL with `#egg=name`. Source trees and sdists cannot be built for a foreign target.
    static func requirement(_ text: String, directory: String, origin: String) throws -> Requirement {
        let (location, marker) = splitMarker(text)
        let isPEP508 = location.contains(" @ ") || location.contains("@ ") || location.contains(" @")
        let isURL = location.contains("://")
        let isPath = location.hasPrefix(".") || location.hasPrefix("/") || location.hasSuffix(".whl")
        guard !isPEP508, isURL || isPath else {
            do { return try Requirement(text) } catch {
                throw RequirementsFileError(origin: origin, reason: error.description)
            }
        }
        var url = location
        if isPath && !isURL {
            let absolute = location.hasPrefix("/") ? location : directory + "/" + location
            url = URL(fileURLWithPath: absolute).standardizedFileURL.absoluteString
        }
        let lastSegment = (url.split(separator: "#")[0].split(separator: "/").last).map(String.init) ?? url
        var name: String?
        if lastSegment.hasSuffix(".whl"), let filename = try? WheelFilename(lastSegment) {
            name = filename.name.rawValue
        } else if let egg = url.range(of: "#egg=") {
            name = String(url[egg.upperBound...].prefix { $0 != "&" })
        }
        guard let name, lastSegment.hasSuffix(".whl") else {
            throw RequirementsFileError(origin: origin, reason: "\"\(Credentials.redact(location))\" is neither a wheel nor "
                + "a project directory (one with a pyproject.toml or setup.py)")
        }
        let pep508 = "\(name) @ \(url)" + (marker.map { " ; \($0)" } ?? "")
        do { return try Requirement(pep508) } catch {
            throw RequirementsFileError(origin: origin, reason: error.description)
        }
    }

    /// pip splits a URL or path from its marker at `; ` (a `;` needs whitespace after it there).
    private static func splitMarker(_ text: String) -> (String, String?) {
        guard let range = text.range(of: "; ") ?? text.range(of: " ;") else { return (text, nil) }
        return (text[..<range.lowerBound].trimmingCharacters(in: .whitespaces),
                text[range.upperBound...].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: ";")))
    }
}

/// A requirements file that cannot be used, with `file:line`.
public struct RequirementsFileError: Error, CustomStringConvertible, Sendable {
    public var origin: String
    public var reason: String
    public var description: String { "\(origin): \(reason)." }
}
