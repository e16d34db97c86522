/// Version solving by PubGrub (Natalie Weizenbaum's algorithm, as in Dart pub and pubgrub-rs): unit
/// propagation over incompatibilities, one decision at a time (newest allowed version of the most
/// constrained package), and conflict-driven backtracking that learns a new incompatibility each time,
/// so a failure comes with a derivation that explains it. Packages that keep conflicting change the
/// decision order (`ConflictTracker`), and the metadata reads are bounded by a `ResolutionBudget`.
/// https://github.com/dart-lang/pub/blob/master/doc/solver.md
final class PubGrubSolver {
    private let provider: DependencyProvider
    private let budget: ResolutionBudget
    private var incompatibilities: [SolverPackage: [Incompatibility]] = [:]
    private var solution = PartialSolution()
    private(set) var tracker = ConflictTracker()
    /// Culprits demoted during conflict resolution, whose decisions are undone before the next decision.
    private var demoted: [SolverPackage] = []

    init(provider: DependencyProvider, budget: ResolutionBudget = ResolutionBudget()) {
        self.provider = provider
        self.budget = budget
    }

    /// The chosen version position of every selected package.
    /// - Throws: `SolverFailure` with the proof when nothing fits; `BudgetExhausted` past the budget.
    func solve() async throws -> [SolverPackage: Int] {
        add(Incompatibility([Term(package: .root, allowed: VersionSet(count: 1, full: true), allowsAbsent: false).negated],
                            cause: .root))
        var next: [SolverPackage] = [.root]
        while !next.isEmpty {
            try propagate(from: next)
            if undoDemoted() {
                next = incompatibilities.keys.sorted()
                continue
            }
            next = try await decide()
        }
        return solution.decisions
    }

    private func add(_ incompatibility: Incompatibility) {
        for term in incompatibility.terms { incompatibilities[term.package, default: []].append(incompatibility) }
    }

    // MARK: Unit propagation

    private func propagate(from start: [SolverPackage]) throws {
        var changed = start
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
            demoted += tracker.record(satisfier.term.package, refusedBy: incompatibility)
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

    /// Picks the next package to decide and decides its newest allowed version (adding its
    /// dependencies first); returns the packages to propagate from, none when every required package
    /// is decided. Order: packages with at most one option, then by conflict priority (often refused
    /// first, often refusing others last), then fewest allowed usable versions, then name.
    private func decide() async throws -> [SolverPackage] {
        var best: (key: (Int, ConflictTracker.Priority, Int), package: SolverPackage, options: VersionSet)?
        for (package, term) in solution.accumulated where term.isPositive && solution.decisions[package] == nil {
            let options = term.allowed.intersection(provider.usable(package))
            let key = (options.count <= 1 ? 0 : 1, tracker.priority(package), options.count)
            if let current = best, (current.key.0, current.key.1, current.key.2, current.package)
                <= (key.0, key.1, key.2, package) { continue }
            best = (key, package, options)
        }
        guard let (_, package, options) = best else { return [] }
        guard let version = options.members.last else {
            add(Incompatibility([solution.accumulated[package]!], cause: .noVersions))
            return [package]
        }
        if provider.needsRead(package, version), provider.spending.exceeds(budget) {
            throw BudgetExhausted(spending: provider.spending, advice: tracker.advice)
        }
        let dependencies = try await provider.incompatibilities(for: package, version: version)
        for incompatibility in dependencies { add(incompatibility) }
        let conflict = dependencies.first { incompatibility in
            incompatibility.terms.allSatisfy { term in
                if term.package == package { return term.allowed.contains(version) && !term.allowsAbsent }
                return solution.accumulated[term.package].map { $0.isSubset(of: term) } ?? term.isUniversal
            }
        }
        if let conflict {
            demoted += tracker.record(package, refusedBy: conflict)
        } else {
            solution.decide(package, version: version, universeCount: provider.universeCount(package))
        }
        return [package]
    }

    /// Undoes the decisions of newly demoted culprits (back to the level before the earliest one), so
    /// they are decided again after the packages they kept refusing. Learned incompatibilities stay:
    /// they hold whatever the partial solution. Returns whether anything was undone.
    private func undoDemoted() -> Bool {
        defer { demoted = [] }
        let levels = demoted.compactMap { package in
            solution.assignments.first { $0.isDecision && $0.term.package == package }?.level
        }
        guard let earliest = levels.min() else { return false }
        solution.backtrack(to: max(earliest - 1, 1))
        return true
    }
}

/// The solver proved the requirements unsatisfiable; `incompatibility` is the root of the proof.
struct SolverFailure: Error {
    let incompatibility: Incompatibility
}
