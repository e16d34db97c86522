/// Counts how often each package takes part in conflicts, so the solver stops walking one package's
/// versions one by one when another package keeps rejecting them (uv's conflict tracking on top of
/// PubGrub, `uv-resolver` `pubgrub/priority.rs`).
///
/// In a conflict the package whose version was refused is the *affected* one and every other package
/// of the refusing incompatibility is a *culprit*. Once a package has been affected `threshold` times
/// it is decided early; once a package has been the culprit `threshold` times it is decided late, and
/// the solver undoes its decision, so it is chosen again under the other packages' constraints
/// (`botocore` needs `python-dateutil<3`: after five refused `botocore` versions `python-dateutil 4.0.0`
/// is undone and `botocore` decided first, instead of trying hundreds of older `botocore` releases).
/// A package changes class at most once, which keeps the solver from seesawing. Unlike uv, a late
/// package comes after ordinary ones too: with `boto3` between them, `python-dateutil` decided before
/// `boto3` would refuse every `boto3` release's `botocore` again.
struct ConflictTracker {
    /// uv's threshold: low enough to save most of a long walk, high enough to leave ordinary
    /// backtracking alone.
    static let threshold = 5

    enum Priority: Int, Comparable {
        case early = 0, normal = 1, late = 2
        static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// One affected/culprit pairing.
    struct Clash: Hashable {
        var affected: SolverPackage
        var culprit: SolverPackage
    }

    /// The dependency that linked a pairing: `dependent` requires `requirement` (PEP 508 text).
    struct Link: Hashable {
        var dependent: SolverPackage
        var requirement: String
    }

    private(set) var affected: [SolverPackage: Int] = [:]
    private(set) var culprits: [SolverPackage: Int] = [:]
    private(set) var clashes: [Clash: (count: Int, link: Link?)] = [:]
    private var priorities: [SolverPackage: Priority] = [:]
    /// Conflicts recorded: versions refused, and steps of conflict resolution.
    private(set) var conflicts = 0

    func priority(_ package: SolverPackage) -> Priority { priorities[package] ?? .normal }

    /// Records that `incompatibility` refused (or forced back) `package`, and returns the culprits that
    /// have just crossed the threshold: the solver should undo their decisions.
    /// A refusal by the package's own incompatibility (no wheel, `Requires-Python`) is no conflict
    /// and is not counted.
    mutating func record(_ package: SolverPackage, refusedBy incompatibility: Incompatibility) -> [SolverPackage] {
        guard incompatibility.terms.contains(where: { $0.package != package && $0.package != .root }) else { return [] }
        conflicts += 1
        affected[package, default: 0] += 1
        if affected[package] == Self.threshold, priority(package) == .normal { priorities[package] = .early }
        var demoted: [SolverPackage] = []
        for term in incompatibility.terms where term.package != package && term.package != .root {
            let culprit = term.package
            culprits[culprit, default: 0] += 1
            var link: Link?
            // The user's own requirement is no bound to suggest adding.
            if case let .dependency(dependent, _, dependency, text) = incompatibility.cause, dependent != .root,
               [culprit, package].contains(dependency) {
                link = Link(dependent: dependent, requirement: text)
            }
            let clash = Clash(affected: package, culprit: culprit)
            clashes[clash] = ((clashes[clash]?.count ?? 0) + 1, link ?? clashes[clash]?.link)
            if culprits[culprit] == Self.threshold, priority(culprit) == .normal {
                priorities[culprit] = .late
                demoted.append(culprit)
            }
        }
        return demoted
    }

    /// The pairing that conflicted most (ties broken by name, for reproducible messages).
    var worst: (clash: Clash, count: Int, link: Link?)? {
        clashes.max { a, b in
            (a.value.count, b.key.affected.description, b.key.culprit.description)
                < (b.value.count, a.key.affected.description, a.key.culprit.description)
        }.map { ($0.key, $0.value.count, $0.value.link) }
    }

    /// Sentences naming the packages that conflicted most, the dependency between them and the
    /// requirement that would avoid the search; `nil` when nothing conflicted.
    var advice: String? {
        guard let (clash, count, link) = worst else { return nil }
        let subject = "\(clash.affected) was refused \(count) time\(count == 1 ? "" : "s") because of \(clash.culprit)"
        guard let link else { return subject + "." }
        let other = [clash.affected, clash.culprit].first { $0 != link.dependent } ?? clash.culprit
        return subject + ": \(link.dependent) requires \(link.requirement). Add '\(link.requirement)' to the requirements, "
            + "or bound \(link.dependent) to releases that accept the \(other) you need, to make this resolution direct."
    }
}
