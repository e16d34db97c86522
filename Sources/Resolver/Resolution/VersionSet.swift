/// A subset of one package's known versions (its *universe*: every version any source lists),
/// stored as a bitset over the universe's positions. Resolution only ever chooses among listed
/// versions, so finite sets make PubGrub's term algebra exact: complement is "the other listed
/// versions", and specifiers become sets by evaluating them on each version.
struct VersionSet: Hashable, Sendable {
    private(set) var words: [UInt64]
    /// The size of the universe.
    let size: Int

    init(count: Int, full: Bool = false) {
        size = count
        words = Array(repeating: full ? ~0 : 0, count: (count + 63) / 64)
        if full, count % 64 != 0 { words[words.count - 1] = (1 << UInt64(count % 64)) - 1 }
    }

    init(count: Int, members: some Sequence<Int>) {
        self.init(count: count)
        for member in members { insert(member) }
    }

    mutating func insert(_ index: Int) { words[index / 64] |= 1 << UInt64(index % 64) }
    func contains(_ index: Int) -> Bool { words[index / 64] & (1 << UInt64(index % 64)) != 0 }
    var isEmpty: Bool { words.allSatisfy { $0 == 0 } }
    var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }
    var isFull: Bool { count == size }
    var complement: VersionSet { VersionSet(count: size, full: true).subtracting(self) }

    var members: [Int] {
        var result: [Int] = []
        for (wordIndex, word) in words.enumerated() where word != 0 {
            for bit in 0..<64 where word & (1 << UInt64(bit)) != 0 { result.append(wordIndex * 64 + bit) }
        }
        return result
    }

    func intersection(_ other: VersionSet) -> VersionSet { combine(other, &) }
    func union(_ other: VersionSet) -> VersionSet { combine(other, |) }
    func subtracting(_ other: VersionSet) -> VersionSet { combine(other) { $0 & ~$1 } }
    func isSubset(of other: VersionSet) -> Bool { subtracting(other).isEmpty }

    private func combine(_ other: VersionSet, _ operation: (UInt64, UInt64) -> UInt64) -> VersionSet {
        var result = self
        for index in words.indices { result.words[index] = operation(words[index], other.words[index]) }
        return result
    }
}

/// A PubGrub term about one package: the versions it may take and whether it may stay unselected.
/// A positive term "P ∈ S" is `(S, absent: false)`; a negative term "P ∉ S" is `(U∖S, absent: true)`.
/// With absence as an explicit member, every operation is plain set algebra.
struct Term: Hashable, Sendable {
    var package: SolverPackage
    var allowed: VersionSet
    var allowsAbsent: Bool

    var isPositive: Bool { !allowsAbsent }

    func intersection(_ other: Term) -> Term {
        Term(package: package, allowed: allowed.intersection(other.allowed),
             allowsAbsent: allowsAbsent && other.allowsAbsent)
    }

    func union(_ other: Term) -> Term {
        Term(package: package, allowed: allowed.union(other.allowed), allowsAbsent: allowsAbsent || other.allowsAbsent)
    }

    var negated: Term { Term(package: package, allowed: allowed.complement, allowsAbsent: !allowsAbsent) }

    /// Holds whatever happens to the package.
    var isUniversal: Bool { allowsAbsent && allowed.isFull }
    /// Can never hold.
    var isEmpty: Bool { !allowsAbsent && allowed.isEmpty }

    func isSubset(of other: Term) -> Bool {
        allowed.isSubset(of: other.allowed) && (!allowsAbsent || other.allowsAbsent)
    }

    func isDisjoint(with other: Term) -> Bool {
        allowed.intersection(other.allowed).isEmpty && !(allowsAbsent && other.allowsAbsent)
    }
}

/// What the solver chooses versions for: the user's requirements (root), projects, and one
/// virtual package per (project, extra) whose dependencies are the extra's, pinned to the project.
enum SolverPackage: Hashable, Comparable, Sendable, CustomStringConvertible {
    case root
    case project(PackageName)
    case extra(PackageName, ExtraName)

    var name: PackageName? {
        switch self {
        case .root: nil
        case let .project(name), let .extra(name, _): name
        }
    }

    var description: String {
        switch self {
        case .root: "your requirements"
        case let .project(name): name.rawValue
        case let .extra(name, extra): "\(name.rawValue)[\(extra.rawValue)]"
        }
    }

    static func < (lhs: Self, rhs: Self) -> Bool { lhs.description < rhs.description }
}
