/// A set of terms that must not all hold at once (PubGrub), with the reason it is known.
final class Incompatibility: Sendable {
    enum Cause: Sendable {
        /// The requirements must be satisfied: `{ not root }`.
        case root
        /// `package version` requires `dependency` with these specifiers (its PEP 508 text).
        case dependency(package: SolverPackage, version: Version?, dependency: SolverPackage, requirement: String)
        /// These versions of the package have no wheel usable on the target.
        case noWheel(PackageName)
        /// The version's metadata declares a `Requires-Python` the target does not meet.
        case requiresPython(PackageName, Version, String)
        /// The version's metadata cannot be read as core metadata (the reason says why); like pip and
        /// uv, the version is skipped rather than failing the resolution.
        case unusableMetadata(PackageName, Version, String)
        /// A constraint (`-c`) limits the package.
        case constraint(PackageName, String)
        /// Nothing the index lists matches the term.
        case noVersions
        /// Derived during conflict resolution from two others.
        case derived(Incompatibility, Incompatibility)
    }

    let terms: [Term]
    let cause: Cause

    init(_ terms: [Term], cause: Cause) {
        // One term per package: intersect duplicates (PubGrub requires it for correct relations).
        var merged: [SolverPackage: Term] = [:]
        var order: [SolverPackage] = []
        for term in terms {
            if let existing = merged[term.package] {
                merged[term.package] = existing.intersection(term)
            } else {
                merged[term.package] = term
                order.append(term.package)
            }
        }
        // A term that holds whatever happens adds nothing (an unknown project's "any version").
        self.terms = order.map { merged[$0]! }.filter { !$0.isUniversal }
        self.cause = cause
    }

    var isDerived: Bool { if case .derived = cause { true } else { false } }

    /// The solver failed when the incompatibility says "the root must not be selected" (or nothing).
    var isFailure: Bool {
        terms.isEmpty || (terms.count == 1 && terms[0].package == .root && terms[0].isPositive)
    }

    func term(for package: SolverPackage) -> Term? { terms.first { $0.package == package } }
}
