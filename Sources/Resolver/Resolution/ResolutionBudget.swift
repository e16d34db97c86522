/// How much work one resolution may do before it gives up: candidate versions whose metadata is read,
/// and the bytes the reads beyond each project's first version cost. A resolution that walks back through hundreds of releases of a
/// package (each costing a metadata read, or a whole wheel where the index serves no PEP 658 metadata)
/// stops with an error naming the conflict instead of downloading gigabytes.
public struct ResolutionBudget: Sendable, Hashable {
    /// Distinct (project, version) candidates whose metadata the solver may read.
    public var candidates: Int
    /// Bytes the metadata reads of versions other than the first one tried of each project may cost
    /// (the whole wheel where no metadata file is served): what backtracking spends.
    public var bytes: Int64
    /// Conflicts (refused candidates and conflict-resolution steps) after which a successful
    /// resolution still warns which requirement would have made it direct.
    public var backtrackWarning: Int

    public init(candidates: Int = 500, bytes: Int64 = 512 << 20, backtrackWarning: Int = 10) {
        self.candidates = candidates
        self.bytes = bytes
        self.backtrackWarning = backtrackWarning
    }
}

/// What the provider has spent so far against the budget.
struct ResolutionSpending: Sendable, Hashable {
    var candidates = 0
    var bytes: Int64 = 0

    func exceeds(_ budget: ResolutionBudget) -> Bool { candidates >= budget.candidates || bytes >= budget.bytes }
}

/// The solver ran out of budget; thrown to `Resolver`, which words it as `ResolutionError.budgetExhausted`.
struct BudgetExhausted: Error {
    var spending: ResolutionSpending
    var advice: String?
}
