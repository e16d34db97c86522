/// A [PEP 508 dependency specifier](https://packaging.python.org/specifications/dependency-specifiers/):
/// `name [extras] (specifiers | @ url) [; marker]`, e.g. `requests[socks]>=2.8,<3; python_version < "3.10"`.
///
/// Parsing follows `packaging` 26.3: the specifier list may be wrapped in parentheses (legacy
/// metadata), and a `;` after a URL must be preceded by whitespace — otherwise it belongs to the URL.
public struct Requirement: Sendable, Hashable, CustomStringConvertible {
    /// The normalised project name.
    public var name: PackageName
    /// The requested extras, normalised, sorted and de-duplicated.
    public var extras: [ExtraName]
    /// The version specifiers (empty for a URL requirement or a bare name).
    public var specifiers: VersionSpecifiers
    /// The direct reference after `@`, if any.
    public var url: String?
    /// The environment marker after `;`, if any.
    public var marker: MarkerExpression?

    public init(name: PackageName, extras: [ExtraName] = [], specifiers: VersionSpecifiers = .any,
                url: String? = nil, marker: MarkerExpression? = nil) {
        self.name = name
        self.extras = Array(Set(extras)).sorted()
        self.specifiers = specifiers
        self.url = url
        self.marker = marker
    }

    /// Parses a PEP 508 string.
    /// - Throws: ``RequirementError`` quoting `string` and saying what is wrong and where.
    public init(_ string: String) throws(RequirementError) {
        var scanner = PEP508Scanner(string)
        do throws(PEP508Scanner.Failure) {
            scanner.skipSpace()
            guard let rawName = scanner.identifier() else {
                throw scanner.fail("expected a project name")
            }
            let name: PackageName
            do { name = try PackageName(rawName) } catch { throw PEP508Scanner.Failure(reason: error.description) }
            scanner.skipSpace()

            var extras: [ExtraName] = []
            if scanner.consume(UInt8(ascii: "[")) {
                scanner.skipSpace()
                while let raw = scanner.identifier() {
                    do { extras.append(try ExtraName(raw)) } catch { throw PEP508Scanner.Failure(reason: error.description) }
                    scanner.skipSpace()
                    guard scanner.consume(UInt8(ascii: ",")) else { break }
                    scanner.skipSpace()
                    guard scanner.peek().map(PEP508Scanner.isAlphanumeric) == true else {
                        throw scanner.fail("expected an extra name after the comma")
                    }
                }
                scanner.skipSpace()
                guard scanner.consume(UInt8(ascii: "]")) else {
                    throw scanner.fail("expected \"]\" (or a comma between extra names)")
                }
                scanner.skipSpace()
            }

            var specifiers = VersionSpecifiers.any
            var url: String?
            var marker: MarkerExpression?
            if scanner.consume(UInt8(ascii: "@")) {
                scanner.skipSpace()
                let start = scanner.index
                while let b = scanner.peek(), b != 0x20, b != 0x09 { scanner.index += 1 }
                guard scanner.index > start else { throw scanner.fail("expected a URL after \"@\"") }
                url = scanner.text(start..<scanner.index)
                scanner.skipSpace()
                if scanner.consume(UInt8(ascii: ";")) {
                    marker = try scanner.parseMarker()
                }
            } else {
                let parenthesised = scanner.consume(UInt8(ascii: "("))
                let start = scanner.index
                while let b = scanner.peek(), b != UInt8(ascii: ";"), b != UInt8(ascii: ")") { scanner.index += 1 }
                let text = scanner.text(start..<scanner.index)
                if parenthesised {
                    guard scanner.consume(UInt8(ascii: ")")) else { throw scanner.fail("expected \")\"") }
                } else if scanner.peek() == UInt8(ascii: ")") {
                    throw scanner.fail("unexpected \")\"")
                }
                if text.contains(where: { $0 == "\n" || $0 == "\r" }) {
                    throw PEP508Scanner.Failure(reason: "a line break is not allowed inside a requirement")
                }
                do { specifiers = try VersionSpecifiers(text) } catch {
                    throw PEP508Scanner.Failure(reason: error.description)
                }
                scanner.skipSpace()
                if scanner.consume(UInt8(ascii: ";")) {
                    marker = try scanner.parseMarker()
                }
            }
            scanner.skipSpace()
            guard scanner.atEnd else { throw scanner.fail("expected the end of the requirement") }
            self.init(name: name, extras: extras, specifiers: specifiers, url: url, marker: marker)
        } catch {
            throw .invalidRequirement(string, reason: error.reason)
        }
    }

    /// The requirement printed the way `packaging` prints it (extras sorted, specifiers sorted).
    public var description: String {
        var out = name.rawValue
        if !extras.isEmpty { out += "[" + extras.map(\.rawValue).joined(separator: ",") + "]" }
        out += specifiers.description
        if let url {
            out += " @ \(url)"
            if marker != nil { out += " " }
        }
        if let marker { out += "; \(marker)" }
        return out
    }

    /// Whether the requirement applies to `environment` when `extras` of the *requiring* package are
    /// requested (see ``MarkerExpression/evaluate(_:extras:)``); true without a marker.
    public func applies(to environment: MarkerEnvironment, extras: Set<ExtraName> = []) -> Bool {
        marker?.evaluate(environment, extras: extras) ?? true
    }
}

/// Why a requirement or marker was rejected.
public enum RequirementError: Error, Equatable, CustomStringConvertible {
    case invalidRequirement(String, reason: String)
    case invalidMarker(String, reason: String)

    public var description: String {
        // A reason may be a full sentence of a lower error (a version's); one full stop is enough.
        func sentence(_ reason: String) -> String { reason.hasSuffix(".") ? String(reason.dropLast()) : reason }
        switch self {
        case .invalidRequirement(let text, let reason):
            return "\"\(text)\" is not a valid requirement: \(sentence(reason)). Write it as PEP 508 says, for example "
                + "\"requests[socks]>=2.8,<3; python_version < '3.10'\" or \"pkg @ https://host/pkg-1.0-py3-none-any.whl\"."
        case .invalidMarker(let text, let reason):
            return "\"\(text)\" is not a valid environment marker: \(sentence(reason)). Write it like "
                + "'python_version < \"3.10\" and sys_platform == \"linux\"'."
        }
    }
}
