/// A version as [PEP 440](https://packaging.python.org/specifications/version-specifiers/) defines it:
/// `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`.
///
/// Parsing accepts every spelling the spec allows (leading `v`, `alpha`/`beta`/`c`/`pre`/`preview`,
/// `-N` implicit post-releases, `rev`/`r`, `_`/`-`/`.` separators, upper case, surrounding whitespace) and
/// ``description`` prints the normalised form (`1.0-RC1` → `1.0rc1`). The release keeps its trailing zeros
/// when printed (`1.0.0` stays `1.0.0`) but they are ignored by `==`, hashing and ordering.
///
/// Ordering is the spec's total order: epoch, release (zero-padded), then
/// `.devN < aN < bN < rcN < final < .postN`, then the local label (a version without one sorts first;
/// segments compare as integers when numeric, a string segment sorts before a numeric one).
///
/// Numbers must fit in a 64-bit signed integer; Python's `packaging` accepts larger ones, which no real
/// project uses.
public struct Version: Hashable, Comparable, Sendable, LosslessStringConvertible, Codable {
    /// A pre-release kind, in its order.
    public enum PreReleaseKind: Int, Comparable, Sendable, CustomStringConvertible {
        case alpha, beta, releaseCandidate
        public var description: String { ["a", "b", "rc"][rawValue] }
        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// One segment of a local version label: numeric segments compare as integers.
    public enum LocalSegment: Hashable, Comparable, Sendable, CustomStringConvertible {
        case string(String)
        case number(Int)

        public var description: String {
            switch self {
            case .string(let s): return s
            case .number(let n): return String(n)
            }
        }

        public static func < (lhs: Self, rhs: Self) -> Bool {
            switch (lhs, rhs) {
            case (.string(let a), .string(let b)): return a < b
            case (.number(let a), .number(let b)): return a < b
            case (.string, .number): return true
            case (.number, .string): return false
            }
        }
    }

    /// The epoch (`1!` in `1!2.0`), 0 when absent.
    public let epoch: Int
    /// The release numbers, as written (trailing zeros kept).
    public let release: [Int]
    /// The pre-release part (`a1`, `b2`, `rc3`), if any.
    public let pre: (kind: PreReleaseKind, number: Int)?
    /// The post-release number, if any.
    public let post: Int?
    /// The development release number, if any.
    public let dev: Int?
    /// The local label segments (`ubuntu.1` → `[.string("ubuntu"), .number(1)]`), nil when absent.
    public let local: [LocalSegment]?

    /// Creates a version from its parts.
    public init(epoch: Int = 0, release: [Int], pre: (kind: PreReleaseKind, number: Int)? = nil,
                post: Int? = nil, dev: Int? = nil, local: [LocalSegment]? = nil) {
        precondition(!release.isEmpty, "a version needs at least one release number")
        self.epoch = epoch
        self.release = release
        self.pre = pre
        self.post = post
        self.dev = dev
        self.local = local
    }

    /// Parses `string`, returning nil when it is not a PEP 440 version (e.g. `latest`, `1.0.x`).
    public init?(_ string: String) {
        guard let parsed = try? Version(parsing: string) else { return nil }
        self = parsed
    }

    /// Parses `string`.
    /// - Throws: ``VersionError/invalidVersion(_:)`` when `string` is not a PEP 440 version.
    public init(parsing string: String) throws(VersionError) {
        var parser = VersionParser(string)
        guard let version = parser.parseVersion(allowLocal: true), parser.atEnd else {
            throw .invalidVersion(string)
        }
        self = version
    }

    /// True for a pre-release or development release (`1.0a1`, `1.0.dev0`, `1.0rc1.post1`).
    public var isPrerelease: Bool { pre != nil || dev != nil }
    /// True when the version has a post-release part.
    public var isPostrelease: Bool { post != nil }
    /// True when the version has a development part.
    public var isDevrelease: Bool { dev != nil }

    /// The version without its local label (`1.0+ubuntu.1` → `1.0`).
    public var publicVersion: Version {
        local == nil ? self : Version(epoch: epoch, release: release, pre: pre, post: post, dev: dev)
    }

    /// Epoch and release only (`1!2.0rc1.post3+x` → `1!2.0`).
    public var baseVersion: Version { Version(epoch: epoch, release: release) }

    /// `major.minor.micro` read from the release, missing numbers as 0.
    public var major: Int { release[0] }
    public var minor: Int { release.count > 1 ? release[1] : 0 }
    public var micro: Int { release.count > 2 ? release[2] : 0 }

    public var description: String {
        var out = epoch != 0 ? "\(epoch)!" : ""
        out += release.map(String.init).joined(separator: ".")
        if let pre { out += "\(pre.kind)\(pre.number)" }
        if let post { out += ".post\(post)" }
        if let dev { out += ".dev\(dev)" }
        if let local { out += "+" + local.map(\.description).joined(separator: ".") }
        return out
    }

    // MARK: Order

    /// Length of the release without trailing zeros.
    private var significantReleaseCount: Int {
        var count = release.count
        while count > 1 && release[count - 1] == 0 { count -= 1 }
        return count
    }

    /// Pre/post/dev folded into integers that order as PEP 440 wants (packaging's `_cmpkey`).
    private var suffixKey: (Int, Int, Int, Int, Int, Int) {
        let preRank: Int, preNumber: Int
        if let pre { (preRank, preNumber) = (pre.kind.rawValue, pre.number) }
        else if post == nil && dev != nil { (preRank, preNumber) = (-1, 0) }
        else { (preRank, preNumber) = (3, 0) }
        return (preRank, preNumber, post == nil ? 0 : 1, post ?? 0, dev == nil ? 1 : 0, dev ?? 0)
    }

    private static func compareRelease(_ a: [Int], _ b: [Int]) -> Int {
        let n = max(a.count, b.count)
        for i in 0..<n {
            let x = i < a.count ? a[i] : 0, y = i < b.count ? b[i] : 0
            if x != y { return x < y ? -1 : 1 }
        }
        return 0
    }

    /// Three-way comparison: negative, zero or positive.
    public func compare(_ other: Version) -> Int {
        if epoch != other.epoch { return epoch < other.epoch ? -1 : 1 }
        let r = Version.compareRelease(release, other.release)
        if r != 0 { return r }
        let a = suffixKey, b = other.suffixKey
        if a != b { return a < b ? -1 : 1 }
        switch (local, other.local) {
        case (nil, nil): return 0
        case (nil, _): return -1
        case (_, nil): return 1
        case (let x?, let y?):
            for (p, q) in zip(x, y) where p != q { return p < q ? -1 : 1 }
            return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
        }
    }

    public static func < (lhs: Version, rhs: Version) -> Bool { lhs.compare(rhs) < 0 }
    public static func == (lhs: Version, rhs: Version) -> Bool { lhs.compare(rhs) == 0 }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(epoch)
        for i in 0..<significantReleaseCount { hasher.combine(release[i]) }
        let s = suffixKey
        hasher.combine(s.0); hasher.combine(s.1); hasher.combine(s.2)
        hasher.combine(s.3); hasher.combine(s.4); hasher.combine(s.5)
        hasher.combine(local)
    }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: raw)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Why a version or version specifier was rejected.
public enum VersionError: Error, Equatable, CustomStringConvertible {
    case invalidVersion(String)
    case invalidSpecifier(String, reason: String)

    public var description: String {
        switch self {
        case .invalidVersion(let text):
            return "\"\(text)\" is not a valid PEP 440 version; write it like \"1.2.3\", \"2.0rc1\", "
                + "\"1.0.post2\" or \"1!3.0+local.1\"."
        case .invalidSpecifier(let text, let reason):
            return "\"\(text)\" is not a valid version specifier (\(reason)); write clauses like "
                + "\">=1.2,<2\", \"==1.4.*\" or \"~=3.1\", separated by commas."
        }
    }
}
