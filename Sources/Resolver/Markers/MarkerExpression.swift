/// A parsed [PEP 508 environment marker](https://packaging.python.org/specifications/dependency-specifiers/#environment-markers),
/// such as `python_version < "3.10" and sys_platform == "linux"`.
///
/// Evaluation follows the spec as amended in January 2026 (and `packaging` 26.3):
/// - version fields (`python_version`, `python_full_version`, `implementation_version`,
///   `platform_release`) compare as PEP 440 versions when the operator and literal form a valid
///   specifier (`python_version < "3.10"`, `python_version == "3.9.*"`); a value that is not a version
///   then compares false;
/// - otherwise values compare as case-sensitive strings: `==`, `!=`, `in`/`not in` (substring tests),
///   `<=`/`>=` mean `==`, `<`/`>` are false, and `~=`/`===` are false;
/// - `extra` is compared after PEP 685 normalisation on both sides.
public indirect enum MarkerExpression: Sendable, Hashable, CustomStringConvertible {
    case comparison(MarkerOperand, MarkerOperator, MarkerOperand)
    case and(MarkerExpression, MarkerExpression)
    case or(MarkerExpression, MarkerExpression)

    /// Parses a marker expression.
    /// - Throws: ``RequirementError/invalidMarker(_:reason:)`` quoting the marker.
    public init(_ text: String) throws(RequirementError) {
        var scanner = PEP508Scanner(text)
        do throws(PEP508Scanner.Failure) {
            let expression = try scanner.parseMarker()
            scanner.skipSpace()
            guard scanner.atEnd else { throw scanner.fail("expected \"and\", \"or\" or the end") }
            self = expression
        } catch {
            throw .invalidMarker(text, reason: error.reason)
        }
    }

    /// Evaluates the marker for `environment` with the given extras requested.
    ///
    /// `extra` follows metadata semantics: the marker holds when it is true with `extra` set to `""`
    /// or to any one requested extra (so `extra == "socks"` holds exactly when `socks` is requested).
    /// The lock-file variables `extras` and `dependency_groups` (PEP 751) are the whole sets.
    public func evaluate(_ environment: MarkerEnvironment, extras: Set<ExtraName> = [],
                         dependencyGroups: Set<String> = []) -> Bool {
        let names = Set(extras.map(\.rawValue))
        let groups = Set(dependencyGroups.map(canonicalizeLeniently))
        if evaluate(environment, extra: "", extras: names, groups: groups) { return true }
        guard referencesExtra else { return false }
        return names.contains { evaluate(environment, extra: $0, extras: names, groups: groups) }
    }

    /// True when the marker mentions the `extra` variable.
    public var referencesExtra: Bool {
        switch self {
        case .comparison(let lhs, _, let rhs): return lhs == .variable(.extra) || rhs == .variable(.extra)
        case .and(let a, let b), .or(let a, let b): return a.referencesExtra || b.referencesExtra
        }
    }

    func evaluate(_ environment: MarkerEnvironment, extra: String, extras: Set<String>, groups: Set<String> = [])
        -> Bool {
        switch self {
        case .and(let a, let b):
            return a.evaluate(environment, extra: extra, extras: extras, groups: groups)
                && b.evaluate(environment, extra: extra, extras: extras, groups: groups)
        case .or(let a, let b):
            return a.evaluate(environment, extra: extra, extras: extras, groups: groups)
                || b.evaluate(environment, extra: extra, extras: extras, groups: groups)
        case .comparison(let lhs, let op, let rhs):
            return Self.compare(lhs, op, rhs, environment, extra: extra, extras: extras, groups: groups)
        }
    }

    private static func compare(_ lhs: MarkerOperand, _ op: MarkerOperator, _ rhs: MarkerOperand,
                                _ environment: MarkerEnvironment, extra: String, extras: Set<String>,
                                groups: Set<String>) -> Bool {
        let key: MarkerVariable?
        if case .variable(let v) = lhs { key = v } else if case .variable(let v) = rhs { key = v } else { key = nil }

        if key == .extras || key == .dependencyGroups {
            // Set membership: `"name" in extras`.
            guard case .literal(let name) = lhs, rhs == .variable(key!) else { return false }
            let set = key == .extras ? extras : groups
            switch op {
            case .in: return set.contains(canonicalizeLeniently(name))
            case .notIn: return !set.contains(canonicalizeLeniently(name))
            default: return false
            }
        }

        func value(_ operand: MarkerOperand) -> String {
            switch operand {
            case .literal(let s): return key == .extra ? canonicalizeLeniently(s) : s
            case .variable(.extra): return extra
            case .variable(let v): return environment[v]
            }
        }
        let left = value(lhs), right = value(rhs)

        if let key, key.isVersionField, op != .in, op != .notIn {
            if op == .arbitrary { return left.lowercased() == right.lowercased() }
            if let specifier = try? VersionSpecifier(op.rawValue + right) {
                guard let version = Version(left) else { return false }
                return specifier.contains(version)
            }
        }
        switch op {
        case .in: return isSubstring(left, of: right)
        case .notIn: return !isSubstring(left, of: right)
        case .equal, .lessThanOrEqual, .greaterThanOrEqual: return left == right
        case .notEqual: return left != right
        case .lessThan, .greaterThan, .compatible, .arbitrary: return false
        }
    }

    /// Python's `needle in haystack` for strings (the empty string is in every string).
    private static func isSubstring(_ needle: String, of haystack: String) -> Bool {
        needle.isEmpty || haystack.contains(needle)
    }

    public var description: String {
        switch self {
        case .comparison(let lhs, let op, let rhs): return "\(lhs) \(op.rawValue) \(rhs)"
        case .or(let a, let b): return "\(a) or \(b)"
        case .and(let a, let b):
            func operand(_ e: MarkerExpression) -> String {
                if case .or = e { return "(\(e))" }
                return e.description
            }
            return "\(operand(a)) and \(operand(b))"
        }
    }
}

/// One side of a marker comparison.
public enum MarkerOperand: Sendable, Hashable, CustomStringConvertible {
    case variable(MarkerVariable)
    case literal(String)

    public var description: String {
        switch self {
        case .variable(let v): return v.rawValue
        case .literal(let s): return s.contains("\"") ? "'\(s)'" : "\"\(s)\""
        }
    }
}

/// A marker comparison operator.
public enum MarkerOperator: String, Sendable, Hashable, CaseIterable {
    case arbitrary = "===", equal = "==", compatible = "~=", notEqual = "!="
    case lessThanOrEqual = "<=", greaterThanOrEqual = ">=", lessThan = "<", greaterThan = ">"
    case `in` = "in", notIn = "not in"
}

/// PEP 503 normalisation that never fails, for comparing `extra` literals the way `packaging` does.
func canonicalizeLeniently(_ name: String) -> String {
    var out = ""
    var pendingSeparator = false
    for character in name.lowercased() {
        if character == "-" || character == "_" || character == "." {
            pendingSeparator = true
        } else {
            if pendingSeparator { out.append("-"); pendingSeparator = false }
            out.append(character)
        }
    }
    if pendingSeparator { out.append("-") }
    return out
}
