/// `--exclude NAME`: leave a distribution out, and with it every distribution that only it needed.
///
/// A distribution stays when it is reachable from a top-level requirement without passing through an
/// excluded one. So excluding `boto3` also drops `botocore`, `s3transfer` and `jmespath` unless something
/// else that stays depends on them (pex's `--exclude` semantics, docs/formats/lambda-layout.md).
struct Exclusion<Name: Hashable & Comparable>: Sendable where Name: Sendable {
    /// The distributions that stay, in the order given by `all`.
    var kept: [Name]
    /// The distributions left out (the excluded ones present in the graph, then what only they needed),
    /// sorted.
    var dropped: [Name]
    /// Excluded names that no distribution in the graph has.
    var unmatched: [Name]

    /// - Parameters:
    ///   - all: every distribution of the resolution.
    ///   - roots: the distributions the user asked for directly.
    ///   - dependencies: each distribution's direct dependencies (as resolved for the target).
    ///   - excluded: the names to leave out.
    init(all: [Name], roots: [Name], dependencies: [Name: [Name]], excluded: Set<Name>) {
        let present = Set(all)
        var reachable: Set<Name> = []
        var stack = roots.filter { present.contains($0) && !excluded.contains($0) }
        while let next = stack.popLast() {
            guard reachable.insert(next).inserted else { continue }
            for dependency in dependencies[next] ?? [] where !excluded.contains(dependency) && present.contains(dependency) {
                stack.append(dependency)
            }
        }
        kept = all.filter { reachable.contains($0) }
        dropped = all.filter { !reachable.contains($0) }.sorted()
        unmatched = excluded.subtracting(present).sorted()
    }
}
