/// A [PEP 425](https://packaging.python.org/specifications/platform-compatibility-tags/) compatibility
/// tag `{python}-{abi}-{platform}`, e.g. `cp312-abi3-manylinux_2_17_x86_64`; stored lower-case.
public struct Tag: Hashable, Sendable, CustomStringConvertible, Comparable {
    public let interpreter: String
    public let abi: String
    public let platform: String

    public init(interpreter: String, abi: String, platform: String) {
        self.interpreter = interpreter.lowercased()
        self.abi = abi.lowercased()
        self.platform = platform.lowercased()
    }

    /// For parts already known to be lower-case (wheel file names, generated tags).
    init(lowercased interpreter: String, abi: String, platform: String) {
        self.interpreter = interpreter
        self.abi = abi
        self.platform = platform
    }

    /// Parses one `python-abi-platform` triple (not a compressed set).
    /// - Throws: ``PlatformError/invalidTag(_:)`` when it does not have exactly three non-empty parts.
    public init(parsing text: String) throws(PlatformError) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts.contains(where: \.isEmpty) else { throw .invalidTag(text) }
        self.init(interpreter: String(parts[0]), abi: String(parts[1]), platform: String(parts[2]))
    }

    public var description: String { "\(interpreter)-\(abi)-\(platform)" }

    public static func < (lhs: Tag, rhs: Tag) -> Bool { lhs.description < rhs.description }
}

/// Why a wheel tag cannot be used on a target, from the least to the most specific reason: when no
/// tag of a wheel matches, the maximum over its tags names the closest miss.
public enum IncompatibleTag: Int, Comparable, Sendable, CustomStringConvertible {
    /// The target does not run this Python implementation or version (`cp313` on CPython 3.12).
    case python
    /// The Python tag fits but the ABI does not (`cp312t` free-threaded, `cp37m`).
    case abi
    /// Python and ABI fit; the platform does not (too new a glibc, another architecture, musl).
    case platform

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .python: return "built for another Python version or implementation"
        case .abi: return "built for another Python ABI"
        case .platform: return "built for another platform (operating system, architecture or C library version)"
        }
    }
}

/// How well a tag (or a wheel, the best of its tags) fits a target.
///
/// Ordered so that `max()` picks the best: every compatible value is above every incompatible one, a
/// smaller rank (earlier in the target's tag list) is better, and among incompatible values the more
/// specific reason (platform > abi > python) is greater.
public enum TagCompatibility: Comparable, Sendable, CustomStringConvertible {
    case incompatible(IncompatibleTag)
    /// `rank` is the index of the best matching tag in the target's ordered list; smaller is better.
    case compatible(rank: Int)

    public var isCompatible: Bool {
        if case .compatible = self { return true }
        return false
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.incompatible(let a), .incompatible(let b)): return a < b
        case (.incompatible, .compatible): return true
        case (.compatible, .incompatible): return false
        case (.compatible(let a), .compatible(let b)): return a > b
        }
    }

    public var description: String {
        switch self {
        case .compatible(let rank): return "compatible (rank \(rank))"
        case .incompatible(let reason): return "incompatible: \(reason)"
        }
    }
}

/// A target's compatible tags, most preferred first, with constant-time lookup of a tag's rank.
public struct CompatibleTags: Sendable, Hashable {
    /// The ordered tags.
    public let tags: [Tag]
    private let ranks: [Tag: Int]
    private let interpreters: Set<String>
    private let interpreterABIs: Set<String>

    /// Wraps an ordered list; a repeated tag keeps its first (best) rank.
    public init(_ tags: [Tag]) {
        var ranks: [Tag: Int] = [:]
        ranks.reserveCapacity(tags.count)
        var interpreters = Set<String>(), pairs = Set<String>()
        for (index, tag) in tags.enumerated() {
            if ranks[tag] == nil { ranks[tag] = index }
            interpreters.insert(tag.interpreter)
            pairs.insert(tag.interpreter + "-" + tag.abi)
        }
        self.tags = tags
        self.ranks = ranks
        self.interpreters = interpreters
        self.interpreterABIs = pairs
    }

    public var count: Int { tags.count }

    /// The compatibility of one tag.
    public func compatibility(of tag: Tag) -> TagCompatibility {
        if let rank = ranks[tag] { return .compatible(rank: rank) }
        if !interpreters.contains(tag.interpreter) { return .incompatible(.python) }
        if !interpreterABIs.contains(tag.interpreter + "-" + tag.abi) { return .incompatible(.abi) }
        return .incompatible(.platform)
    }

    /// The compatibility of a wheel: its best tag's rank, or the most specific reason none fits.
    public func compatibility(of wheel: WheelFilename) -> TagCompatibility {
        var best = TagCompatibility.incompatible(.python)
        for python in wheel.pythonTags {
            for abi in wheel.abiTags {
                for platform in wheel.platformTags {
                    let c = compatibility(of: Tag(lowercased: python, abi: abi, platform: platform))
                    if c > best { best = c }
                }
            }
        }
        return best
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.tags == rhs.tags }
    public func hash(into hasher: inout Hasher) { hasher.combine(tags) }
}
