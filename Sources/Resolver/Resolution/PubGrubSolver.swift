/// Version solving by PubGrub (Natalie Weizenbaum's algorithm, as in Dart pub and pubgrub-rs): unit
/// propagation over incompatibilities, one decision at a time (newest allowed version of the most
/// constrained package), and conflict-driven backtracking that learns a new incompatibility each time,
/// so a failure comes with a derivation that explains it.
/// https://github.com/dart-lang/pub/blob/master/doc/solver.md
final class PubGrubSolver {
    private let provider: DependencyProvider
    private var incompatibilities: [SolverPackage: [Incompatibility]] = [:]
    private var solution = PartialSolution()

    init(provider: DependencyProvider) { self.provider = provider }

    /// The chosen version position of every selected package.
    func solve() async throws -> [SolverPackage: Int] {
        add(Incompatibility([Term(package: .root, allowed: VersionSet(count: 1, full: true), allowsAbsent: false).negated],
                            cause: .root))
        var next: SolverPackage? = .root
        while let package = next {
            try propagate(from: package)
            next = try await decide()
        }
        return solution.decisions
    }

    private func add(_ incompatibility: Incompatibility) {
        for term in incompatibility.terms { incompatibilities[term.package, default: []].append(incompatibility) }
    }

    // MARK: Unit propagation

    private func propagate(from start: SolverPackage) throws {
        var changed: [SolverPackage] = [start]
        outer: while let package = changed.popLast() {
            for incompatibility in (incompatibilities[package] ?? []).reversed() {
                switch solution.relation(incompatibility) {
                case .satisfied:
                    let learned = try resolveConflict(incompatibility)
                    guard case let .almostSatisfied(term) = solution.relation(learned) else {
                        preconditionFailure("a learned incompatibility must be almost satisfied after backtracking")
                    }
                    solution.derive(term.negated, cause: learned)
                    changed = [term.package]
                    continue outer
                case let .almostSatisfied(term):
                    solution.derive(term.negated, cause: incompatibility)
                    if !changed.contains(term.package) { changed.append(term.package) }
                case .contradicted, .inconclusive:
                    continue
                }
            }
        }
    }

    // MARK: Conflict resolution

    private func resolveConflict(_ conflict: Incompatibility) throws -> Incompatibility {
        var incompatibility = conflict
        var learnedNew = false
        while true {
            if incompatibility.isFailure { throw SolverFailure(incompatibility: incompatibility) }
            let (index, previousLevel) = solution.satisfier(of: incompatibility)
            let satisfier = solution.assignments[index]
            if satisfier.isDecision || previousLevel < satisfier.level {
                if learnedNew { add(incompatibility) }
                solution.backtrack(to: previousLevel)
                return incompatibility
            }
            let package = satisfier.term.package
            let cause = satisfier.cause!
            var terms = incompatibility.terms.filter { $0.package != package }
                + cause.terms.filter { $0.package != package }
            let merged = incompatibility.term(for: package)!.union(cause.term(for: package)!)
            if !merged.isUniversal { terms.append(merged) }
            incompatibility = Incompatibility(terms, cause: .derived(incompatibility, cause))
            learnedNew = true
        }
    }

    // MARK: Decisions

    /// Picks the undecided package with the fewest allowed usable versions and decides its newest one
    /// (adding its dependencies first); `nil` when every required package is decided.
    private func decide() async throws -> SolverPackage? {
        var best: (package: SolverPackage, options: VersionSet)?
        for (package, term) in solution.accumulated where term.isPositive && solution.decisions[package] == nil {
            let options = term.allowed.intersection(provider.usable(package))
            if let current = best, (current.options.count, current.package) <= (options.count, package) { continue }
            best = (package, options)
        }
        guard let (package, options) = best else { return nil }
        guard let version = options.members.last else {
            add(Incompatibility([solution.accumulated[package]!], cause: .noVersions))
            return package
        }
        let dependencies = try await provider.incompatibilities(for: package, version: version)
        for incompatibility in dependencies { add(incompatibility) }
        let conflicts = dependencies.contains { incompatibility in
            incompatibility.terms.allSatisfy { term in
                if term.package == package { return term.allowed.contains(version) && !term.allowsAbsent }
                return solution.accumulated[term.package].map { $0.isSubset(of: term) } ?? term.isUniversal
            }
        }
        if !conflicts {
            solution.decide(package, version: version, universeCount: provider.universeCount(package))
        }
        return package
    }
}

/// The solver proved the requirements unsatisfiable; `incompatibility` is the root of the proof.
struct SolverFailure: Error {
    let incompatibility: Incompatibility
}
