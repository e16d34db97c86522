/// PubGrub's partial solution: an ordered list of decisions and derivations, with each package's
/// running intersection kept for fast relation checks.
struct PartialSolution {
    struct Assignment {
        var term: Term
        var level: Int
        /// `nil` for a decision.
        var cause: Incompatibility?
        var isDecision: Bool { cause == nil }
    }

    enum Relation { case satisfied, contradicted, almostSatisfied(Term), inconclusive }

    private(set) var assignments: [Assignment] = []
    private(set) var accumulated: [SolverPackage: Term] = [:]
    private(set) var decisions: [SolverPackage: Int] = [:]
    private(set) var level = 0

    mutating func decide(_ package: SolverPackage, version: Int, universeCount: Int) {
        level += 1
        decisions[package] = version
        append(Assignment(term: Term(package: package, allowed: VersionSet(count: universeCount, members: [version]),
                                     allowsAbsent: false), level: level, cause: nil))
    }

    mutating func derive(_ term: Term, cause: Incompatibility) {
        append(Assignment(term: term, level: level, cause: cause))
    }

    private mutating func append(_ assignment: Assignment) {
        let package = assignment.term.package
        accumulated[package] = accumulated[package]?.intersection(assignment.term) ?? assignment.term
        assignments.append(assignment)
    }

    /// Drops every assignment above `target` and recomputes the running intersections.
    mutating func backtrack(to target: Int) {
        assignments.removeAll { $0.level > target }
        level = target
        accumulated = [:]
        decisions = [:]
        for assignment in assignments {
            let package = assignment.term.package
            accumulated[package] = accumulated[package]?.intersection(assignment.term) ?? assignment.term
            if assignment.isDecision { decisions[package] = assignment.term.allowed.members.first }
        }
    }

    /// How the partial solution relates to the incompatibility's terms (a package without
    /// assignments satisfies only universal terms).
    func relation(_ incompatibility: Incompatibility) -> Relation {
        var unsatisfied: Term?
        for term in incompatibility.terms {
            guard let current = accumulated[term.package] else {
                if term.isUniversal { continue }
                if term.isEmpty { return .contradicted }
                if unsatisfied != nil { return .inconclusive }
                unsatisfied = term
                continue
            }
            if current.isSubset(of: term) { continue }
            if current.isDisjoint(with: term) { return .contradicted }
            if unsatisfied != nil { return .inconclusive }
            unsatisfied = term
        }
        return unsatisfied.map { .almostSatisfied($0) } ?? .satisfied
    }

    /// The earliest assignment after which the incompatibility is satisfied, and the decision level
    /// of the earliest assignment that, together with that satisfier, already satisfies it.
    func satisfier(of incompatibility: Incompatibility) -> (index: Int, previousLevel: Int) {
        func firstSatisfying(seed: (SolverPackage, Term)?, limit: Int) -> Int? {
            var running: [SolverPackage: Term] = [:]
            if let (package, term) = seed { running[package] = term }
            func satisfied() -> Bool {
                incompatibility.terms.allSatisfy { term in running[term.package].map { $0.isSubset(of: term) } ?? term.isUniversal }
            }
            if seed != nil, satisfied() { return nil }
            for index in 0..<limit {
                let assignment = assignments[index]
                guard incompatibility.term(for: assignment.term.package) != nil else { continue }
                let package = assignment.term.package
                running[package] = running[package]?.intersection(assignment.term) ?? assignment.term
                if satisfied() { return index }
            }
            return nil
        }
        let index = firstSatisfying(seed: nil, limit: assignments.count) ?? assignments.count - 1
        let satisfier = assignments[index]
        let previous = firstSatisfying(seed: (satisfier.term.package, satisfier.term), limit: index)
        return (index, max(previous.map { assignments[$0].level } ?? 1, 1))
    }
}
