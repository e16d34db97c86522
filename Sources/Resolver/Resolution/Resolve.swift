import Basics
import Foundation

/// What to resolve, for which target, from where.
public struct ResolveRequest: Sendable {
    public var requirements: [Requirement]
    /// Restrict versions of packages that are required anyway; never add packages (pip's `-c`).
    public var constraints: [Requirement]
    public var target: TargetPlatform
    public var index: IndexConfiguration
    /// `nil` for the default cache directory.
    public var cacheDirectory: String?
    /// Use only the cache (and local find-links directories).
    public var offline: Bool
    /// Admit pre-releases everywhere (`--pre`); otherwise only when named or when nothing else matches.
    public var prereleases: Bool
    /// Hash-checking mode (`--hash`, `--require-hashes`): the allowed sha256 digests per project.
    /// Every requirement must then be an exact pin and every resolved file must be listed.
    public var hashes: [PackageName: Set<String>]?
    public var fetchPolicy: FetchPolicy
    /// How many candidates (and metadata bytes) the solver may read before it gives up.
    public var budget: ResolutionBudget
    /// Counts what the resolution fetches, for a progress line.
    public var meter: TransferMeter
    /// Builds the source distributions chosen when no wheel of a version fits; `nil` resolves wheels only.
    public var builder: (any SourceBuilder)?
    /// `--only-binary`, `--no-binary`, `--prefer-binary`.
    public var binaryPolicy = BinaryPolicy()
    /// Installing fetches every chosen wheel; a lock leaves on the index those whose sha256 it knows.
    public var purpose = ResolutionPurpose.install

    public init(requirements: [Requirement], constraints: [Requirement] = [], target: TargetPlatform,
                index: IndexConfiguration, cacheDirectory: String? = nil, offline: Bool = false,
                prereleases: Bool = false, hashes: [PackageName: Set<String>]? = nil,
                fetchPolicy: FetchPolicy = FetchPolicy(), budget: ResolutionBudget = ResolutionBudget(),
                meter: TransferMeter = TransferMeter()) {
        self.requirements = requirements
        self.constraints = constraints
        self.target = target
        self.index = index
        self.cacheDirectory = cacheDirectory
        self.offline = offline
        self.prereleases = prereleases
        self.hashes = hashes
        self.fetchPolicy = fetchPolicy
        self.budget = budget
        self.meter = meter
    }
}

/// What a resolution is for, which decides what it fetches.
public enum ResolutionPurpose: Sendable {
    /// Every chosen wheel is fetched into the cache (or found in a find-links directory) and verified.
    case install
    /// Only what a lock (PEP 751) records is needed: a remote wheel whose sha256 is already known (the
    /// index's `#sha256=` fragment or PEP 691 `hashes`, a `--hash` pin, the lock being read) is not
    /// downloaded, and its size is recorded only where the index (PEP 700) or the range requests for its
    /// metadata told it. Wheels without a known hash are still fetched and hashed.
    case lock
}

/// One chosen wheel, verified by its sha256: fetched, or for a lock perhaps left on the index.
public struct ResolvedDistribution: Sendable, Hashable {
    public var name: PackageName
    public var version: Version
    public var wheel: WheelFilename
    /// Where the wheel came from (credentials removed; `file:` for find-links files).
    public var url: String
    public var sha256: String
    public var size: Int?
    /// The wheel on disk: in the cache, or in the find-links directory. `nil` only for a wheel that a
    /// resolution for a lock (``ResolutionPurpose/lock``) took the hash of and left on the index.
    public var path: String?
    /// The projects this one depends on (for its requested extras, on the target), sorted.
    public var dependencies: [PackageName]
    /// The yank reason when the index marks the file yanked (it was pinned exactly).
    public var yanked: String?
    /// The index base URL or find-links location that listed it.
    public var source: String
    /// The source distribution the wheel was built from (then `url` is the sdist's and `path` and
    /// `sha256` the built wheel's); `nil` for a wheel from an index or find-links.
    public var sourceDistribution: String? = nil
}

/// A complete set of wheels for one target, fetched unless resolved for a lock.
public struct Resolution: Sendable {
    /// Sorted by name.
    public var distributions: [ResolvedDistribution]
    public var target: TargetPlatform
    /// Things to tell the user (yanked files in use, skipped candidates, a long backtrack).
    public var warnings: [String]
}

/// Resolution failures that are not index or cache errors.
public enum ResolutionError: Error, CustomStringConvertible, Sendable {
    /// No set of versions satisfies the requirements; the explanation is plain sentences.
    case noSolution(String)
    /// Hash-checking mode needs `==` pins.
    case unpinnedInHashMode(String)
    /// The solver read `candidates` candidates' metadata (`bytes` of it on versions beyond each
    /// project's first) without finding a solution;
    /// `advice` names the packages that kept conflicting and the requirement to add.
    case budgetExhausted(candidates: Int, bytes: Int64, budget: ResolutionBudget, advice: String?)

    public var description: String {
        switch self {
        case let .noSolution(explanation): "No set of wheels satisfies the requirements for this target.\n" + explanation
        case let .unpinnedInHashMode(requirement):
            "Hash-checking mode needs every requirement pinned with ==, but \"\(requirement)\" is not; pin it "
                + "or drop the --hash options."
        case let .budgetExhausted(candidates, bytes, budget, advice):
            "The resolution stopped after reading the metadata of \(candidates) candidate versions "
                + "(\(ByteCount.format(bytes)) spent backtracking) without finding a solution; the limit is "
                + "\(budget.candidates) candidates or \(ByteCount.format(budget.bytes)) of backtracking. "
                + (advice ?? "Bound the versions of the packages with the most releases to make the search short.")
        }
    }

}

/// Chooses and fetches the wheels for a target.
public enum Resolver {
    /// Resolves `request.requirements` for `request.target` (binary only, markers and
    /// `Requires-Python` against the target, newest versions, best-ranked wheels) and downloads the
    /// chosen wheels into the cache, verifying their hashes (for a lock, only those whose hash is unknown).
    /// - Throws: `ResolutionError.noSolution` with a plain-words explanation, `IndexError` for
    ///   index, network and cache problems.
    public static func resolve(_ request: ResolveRequest) async throws -> Resolution {
        let cache = try Cache(directory: request.cacheDirectory)
        let client = IndexClient(configuration: request.index, cache: cache, offline: request.offline,
                                 policy: request.fetchPolicy, meter: request.meter)
        return try await resolve(request, client: client)
    }

    /// `resolve(_:)` through a given client (its configuration, cache and transport win over the
    /// request's).
    public static func resolve(_ request: ResolveRequest, client: IndexClient) async throws -> Resolution {
        if request.hashes != nil {
            for requirement in request.requirements where requirement.url == nil {
                let clauses = requirement.specifiers.clauses
                guard clauses.count == 1, ["==", "==="].contains(clauses[0].op.rawValue), !clauses[0].isWildcard else {
                    throw ResolutionError.unpinnedInHashMode(requirement.description)
                }
            }
        }
        let provider = DependencyProvider(
            client: client, target: request.target, requirements: request.requirements,
            constraints: request.constraints, prereleases: request.prereleases, allowedHashes: request.hashes,
            builder: request.builder, binaryPolicy: request.binaryPolicy)
        let decisions: [SolverPackage: Int]
        let solver = PubGrubSolver(provider: provider, budget: request.budget)
        do {
            decisions = try await solver.solve()
        } catch let failure as SolverFailure {
            throw ResolutionError.noSolution(ConflictReport(provider: provider).text(for: failure.incompatibility))
        } catch let exhausted as BudgetExhausted {
            throw ResolutionError.budgetExhausted(candidates: exhausted.spending.candidates,
                                                  bytes: exhausted.spending.bytes, budget: request.budget,
                                                  advice: exhausted.advice)
        }
        var chosen: [(PackageName, Int, Candidates.Choice)] = []
        var dependencies: [PackageName: Set<PackageName>] = [:]
        for (package, position) in decisions {
            guard let name = package.name else { continue }
            let names = provider.dependencyNames[.init(package: package, version: position)] ?? []
            dependencies[name, default: []].formUnion(names.filter { $0 != name })
            if case .project = package { chosen.append((name, position, provider.candidates[name]!.choices[position]!)) }
        }
        let builder = request.builder, target = request.target, purpose = request.purpose
        let fetched = try await withThrowingTaskGroup(of: (PackageName, ChosenWheel).self) { group in
            for (name, _, choice) in chosen {
                group.addTask {
                    if purpose == .lock, let wheel = choice.wheel, let sha256 = try client.knownSHA256(of: choice.file) {
                        return (name, ChosenWheel(filename: wheel, sha256: sha256, path: nil,
                                                  size: client.knownSize(of: choice.file, sha256: sha256)))
                    }
                    let local = try await client.wheel(for: choice.file)
                    let built = if let sdist = choice.sdist, let builder {
                        try await builder.wheel(
                            fromSdist: LocalSdist(filename: sdist, path: local.path, sha256: local.sha256), target: target)
                    } else {
                        BuiltWheel(filename: choice.wheel!, path: local.path, sha256: local.sha256)
                    }
                    let size = choice.file.size
                        ?? FileStatus(path: built.path)?.size
                    return (name, ChosenWheel(filename: built.filename, sha256: built.sha256, path: built.path, size: size))
                }
            }
            var result: [PackageName: ChosenWheel] = [:]
            for try await (name, wheel) in group { result[name] = wheel }
            return result
        }
        let selected = Set(chosen.map(\.0))
        var warnings = provider.notes
        if solver.tracker.conflicts >= request.budget.backtrackWarning, let advice = solver.tracker.advice {
            warnings.append("The resolution backtracked through \(solver.tracker.conflicts) conflicts: " + advice)
        }
        let distributions = chosen.sorted { $0.0 < $1.0 }.map { name, _, choice in
            let local = fetched[name]!
            if let reason = choice.file.yanked {
                warnings.append("\(choice.file.filename) is yanked" + (reason.isEmpty ? "" : " (\(reason))")
                    + "; it is used because it was pinned exactly.")
            }
            return ResolvedDistribution(
                name: name, version: local.filename.version, wheel: local.filename, url: choice.file.url,
                sha256: local.sha256, size: local.size, path: local.path,
                dependencies: (dependencies[name] ?? []).filter(selected.contains).sorted(),
                yanked: choice.file.yanked, source: choice.file.source, sourceDistribution: choice.sdist?.filename)
        }
        return Resolution(distributions: distributions, target: request.target, warnings: warnings)
    }
}

/// A chosen wheel's file: on disk (downloaded, found or built), or left on the index by a lock.
private struct ChosenWheel: Sendable {
    var filename: WheelFilename
    var sha256: String
    var path: String?
    var size: Int?
}
