/// One clause of a version specifier (`>=1.2`, `==1.4.*`, `~=3.1`, `===foobar`), as
/// [PEP 440](https://packaging.python.org/specifications/version-specifiers/#version-specifiers) defines it.
///
/// ``contains(_:)`` applies only the operator's rules; the pre-release policy lives in
/// ``VersionSpecifiers``.
public struct VersionSpecifier: Sendable, Hashable, CustomStringConvertible {
    /// The comparison operators, longest spelling first so that scanning can stop at the first match.
    public enum Operator: String, Sendable, CaseIterable {
        case arbitrary = "===", compatible = "~=", equal = "==", notEqual = "!="
        case lessThanOrEqual = "<=", greaterThanOrEqual = ">=", lessThan = "<", greaterThan = ">"
    }

    /// The operator.
    public let op: Operator
    /// The version text as written, whitespace removed (`1.4.*`, `foobar` for `===`).
    public let text: String
    /// The parsed version; for `==V.*`/`!=V.*` the prefix `V`; nil only for `===` with a non-PEP 440 text.
    public let version: Version?
    /// True for the prefix forms `==V.*` and `!=V.*`.
    public let isWildcard: Bool

    /// Parses one clause, e.g. `>= 1.0` or `==2.*`.
    /// - Throws: ``VersionError/invalidSpecifier(_:reason:)`` naming what is wrong.
    public init(_ string: String) throws(VersionError) {
        let trimmed = string.trimmingWhitespace()
        guard let op = Operator.allCases.first(where: { trimmed.hasPrefix($0.rawValue) }) else {
            throw .invalidSpecifier(string, reason: "it does not start with one of ~= == != <= >= < > ===")
        }
        let rest = trimmed.dropFirst(op.rawValue.count).trimmingWhitespace()
        self.op = op
        text = String(rest)
        if op == .arbitrary {
            guard !rest.contains(where: { $0.isWhitespace || $0 == ";" || $0 == ")" }) else {
                throw .invalidSpecifier(string, reason: "=== takes one word without spaces")
            }
            version = Version(text)
            isWildcard = false
            return
        }
        if rest.hasSuffix(".*") {
            guard op == .equal || op == .notEqual else {
                throw .invalidSpecifier(string, reason: "only == and != accept a trailing .*")
            }
            var parser = VersionParser(rest.dropLast(2))
            guard let (epoch, release) = parser.parseEpochAndRelease(), parser.atEnd else {
                throw .invalidSpecifier(string, reason: "a wildcard may only follow release numbers, as in ==1.4.*")
            }
            version = Version(epoch: epoch, release: release)
            isWildcard = true
            return
        }
        var parser = VersionParser(rest)
        guard let parsed = parser.parseVersion(allowLocal: true), parser.atEnd else {
            throw .invalidSpecifier(string, reason: "\"\(rest)\" is not a PEP 440 version")
        }
        if parsed.local != nil && op != .equal && op != .notEqual {
            throw .invalidSpecifier(string, reason: "a local version label is only allowed with == and !=")
        }
        if op == .compatible && parsed.release.count < 2 {
            throw .invalidSpecifier(string, reason: "~= needs at least two release numbers, as in ~=1.4")
        }
        version = parsed
        isWildcard = false
    }

    public var description: String { op.rawValue + text }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.op == rhs.op && lhs.canonicalText == rhs.canonicalText
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(op)
        hasher.combine(canonicalText)
    }

    private var canonicalText: String {
        if op == .arbitrary { return text.lowercased() }
        guard let version else { return text }
        return isWildcard ? "\(version).*" : version.description
    }

    /// True when the clause names a pre-release, which admits pre-releases under the default policy
    /// (`!=` and wildcard clauses never do, as in `packaging`).
    public var mentionsPrerelease: Bool {
        guard op != .notEqual, !isWildcard, let version else { return false }
        return version.isPrerelease
    }

    /// Whether `candidate` satisfies the operator, ignoring any pre-release policy.
    public func contains(_ candidate: Version) -> Bool {
        guard let spec = version else { return false }
        switch op {
        case .arbitrary:
            return candidate.description.lowercased() == text.lowercased()
        case .equal:
            return equals(candidate, spec)
        case .notEqual:
            return !equals(candidate, spec)
        case .lessThanOrEqual:
            return candidate.publicVersion <= spec
        case .greaterThanOrEqual:
            return candidate.publicVersion >= spec
        case .lessThan:
            // `<V` excludes V's own pre-releases (from V.dev0 up), unless V is itself a pre-release.
            guard candidate < spec else { return false }
            if !spec.isPrerelease && candidate.isPrerelease {
                return candidate < Version(epoch: spec.epoch, release: spec.release, post: spec.post, dev: 0)
            }
            return true
        case .greaterThan:
            // `>V` excludes V's local versions, and V's post-releases unless V is a post- or dev release.
            guard candidate > spec else { return false }
            if candidate.publicVersion == spec { return false }
            if spec.post == nil && spec.dev == nil, candidate.post != nil,
               Version(epoch: candidate.epoch, release: candidate.release, pre: candidate.pre) == spec {
                return false
            }
            return true
        case .compatible:
            return candidate.publicVersion >= spec
                && Self.prefixMatches(candidate, epoch: spec.epoch, prefix: spec.release.dropLast())
        }
    }

    private func equals(_ candidate: Version, _ spec: Version) -> Bool {
        if isWildcard { return Self.prefixMatches(candidate, epoch: spec.epoch, prefix: spec.release[...]) }
        return spec.local == nil ? candidate.publicVersion == spec : candidate == spec
    }

    /// `==E!P.*`: same epoch, and the candidate's release (zero-padded) starts with `prefix`.
    private static func prefixMatches(_ candidate: Version, epoch: Int, prefix: ArraySlice<Int>) -> Bool {
        guard candidate.epoch == epoch else { return false }
        for (i, n) in prefix.enumerated() where (i < candidate.release.count ? candidate.release[i] : 0) != n {
            return false
        }
        return true
    }
}

/// A comma-separated list of ``VersionSpecifier`` clauses, all of which must hold (`>=1.0,<2,!=1.5.*`).
///
/// **Pre-release policy** (PEP 440, as pip applies it; `packaging` 26.x differs for ``contains(_:prereleases:)``):
/// - `prereleases: true` admits pre-releases and dev releases; `false` never does.
/// - `prereleases: nil` (the default) admits them only when a clause names one (`>=2.0b1`, `==1.0rc1`;
///   not `!=` or wildcard clauses). ``filter(_:prereleases:)`` additionally falls back to the matching
///   pre-releases when no final release matches ("unless nothing else matches").
/// - `packaging` 26.x's `contains(v)` with `prereleases=None` accepts a matching pre-release, reasoning
///   that one version has no alternatives; a resolver must not decide by one version, so ours returns
///   false there and callers that really hold a single candidate ask ``filter(_:prereleases:)``.
public struct VersionSpecifiers: Sendable, Hashable, CustomStringConvertible {
    /// The clauses, de-duplicated and sorted by their text (as `packaging` prints them).
    public let clauses: [VersionSpecifier]

    /// The empty set, which every version satisfies.
    public static let any = VersionSpecifiers(clauses: [])

    /// Builds a set from clauses.
    public init(clauses: [VersionSpecifier]) {
        var seen = Set<VersionSpecifier>()
        self.clauses = clauses.filter { seen.insert($0).inserted }.sorted { $0.description < $1.description }
    }

    /// Parses `>=1.0, <2` (empty items and a trailing comma are allowed; `""` is the empty set).
    /// - Throws: ``VersionError/invalidSpecifier(_:reason:)`` for the first bad clause.
    public init(_ string: String) throws(VersionError) {
        var parsed: [VersionSpecifier] = []
        for item in string.split(separator: ",", omittingEmptySubsequences: false) {
            let clause = item.trimmingWhitespace()
            if clause.isEmpty { continue }
            parsed.append(try VersionSpecifier(String(clause)))
        }
        self.init(clauses: parsed)
    }

    public var isEmpty: Bool { clauses.isEmpty }
    public var description: String { clauses.map(\.description).joined(separator: ",") }

    /// True when a clause names a pre-release, which admits pre-releases under the default policy.
    public var mentionsPrerelease: Bool { clauses.contains { $0.mentionsPrerelease } }

    /// Whether `version` satisfies every clause under the pre-release policy described on the type.
    public func contains(_ version: Version, prereleases: Bool? = nil) -> Bool {
        if version.isPrerelease && !(prereleases ?? mentionsPrerelease) { return false }
        return clauses.allSatisfy { $0.contains(version) }
    }

    /// The versions that satisfy every clause, in their given order, with the pre-release fallback:
    /// under `prereleases: nil` pre-releases are dropped unless a clause names one or no final release
    /// matches.
    public func filter<S: Sequence>(_ versions: S, prereleases: Bool? = nil) -> [Version] where S.Element == Version {
        filter(versions, prereleases: prereleases, by: { $0 })
    }

    /// ``filter(_:prereleases:)`` over any elements carrying a version (candidate files, for instance).
    public func filter<S: Sequence>(_ items: S, prereleases: Bool? = nil,
                                    by version: (S.Element) -> Version) -> [S.Element] {
        let matching = items.filter { item in clauses.allSatisfy { $0.contains(version(item)) } }
        switch prereleases ?? (mentionsPrerelease ? true : nil) {
        case true?: return matching
        case false?: return matching.filter { !version($0).isPrerelease }
        case nil:
            let finals = matching.filter { !version($0).isPrerelease }
            return finals.isEmpty ? matching : finals
        }
    }
}
