import Foundation

/// Feeds the solver: loads listings (in parallel) into `Candidates`, reads metadata of the versions
/// the solver tries, and turns requirements into incompatibilities. Holds no solver state.
final class DependencyProvider {
    let client: IndexClient
    let target: TargetPlatform
    let prereleases: Bool
    private let requirements: [Requirement]
    private let constraints: [PackageName: [Requirement]]
    private let source: CandidateSource
    private(set) var candidates: [PackageName: Candidates] = [:]
    /// Real projects each (package, version) depends on, for the resolution's dependency lists.
    private(set) var dependencyNames: [PackageVersion: [PackageName]] = [:]
    /// Metadata reads so far, against the resolution's budget.
    private(set) var spending = ResolutionSpending()
    /// Candidates skipped because their metadata is unusable, one sentence each, for the warnings.
    private(set) var notes: [String] = []
    private var read: Set<ProjectVersion> = []
    private var projectsRead: Set<PackageName> = []

    private struct ProjectVersion: Hashable {
        var name: PackageName
        var version: Int
    }

    struct PackageVersion: Hashable {
        var package: SolverPackage
        var version: Int
    }

    /// Builds source distributions that resolution chooses; `nil` resolves wheels only.
    let builder: (any SourceBuilder)?

    init(client: IndexClient, target: TargetPlatform, requirements: [Requirement], constraints: [Requirement],
         prereleases: Bool, allowedHashes: [PackageName: Set<String>]?, builder: (any SourceBuilder)? = nil,
         binaryPolicy: BinaryPolicy = BinaryPolicy()) {
        self.builder = builder
        self.client = client
        self.target = target
        self.prereleases = prereleases
        let environment = target.markerEnvironment
        self.requirements = requirements.filter { $0.marker?.evaluate(environment) ?? true }
        self.constraints = Dictionary(grouping: constraints.filter { $0.marker?.evaluate(environment) ?? true }, by: \.name)
        var direct: [PackageName: ProjectFile] = [:]
        for requirement in self.requirements {
            guard let url = requirement.url else { continue }
            let plain = url.split(separator: "#", maxSplits: 1)
            var hashes: [String: String] = [:]
            if plain.count == 2, plain[1].hasPrefix("sha256=") { hashes["sha256"] = String(plain[1].dropFirst(7)) }
            let filename = plain[0].split(separator: "/").last.map { String($0).removingPercentEncoding ?? String($0) } ?? ""
            direct[requirement.name] = ProjectFile(filename: filename, url: String(plain[0]), hashes: hashes,
                                                   source: "a direct URL")
        }
        source = CandidateSource(client: client, target: target, prereleases: prereleases, directFiles: direct,
                                 allowedHashes: allowedHashes, builder: builder, binaryPolicy: binaryPolicy)
    }

    func universeCount(_ package: SolverPackage) -> Int {
        package.name.map { candidates[$0]?.versions.count ?? 0 } ?? 1
    }

    func usable(_ package: SolverPackage) -> VersionSet {
        guard let name = package.name else { return VersionSet(count: 1, full: true) }
        return candidates[name]!.usable
    }

    func version(_ package: SolverPackage, _ position: Int) -> Version? {
        package.name.map { candidates[$0]!.versions[position] }
    }

    /// Whether deciding `package` at `position` needs a metadata read not made yet (what the budget counts).
    func needsRead(_ package: SolverPackage, _ position: Int) -> Bool {
        package.name.map { !read.contains(ProjectVersion(name: $0, version: position)) } ?? false
    }

    // MARK: Loading

    /// Fetches the listings of `names` not yet known, concurrently, and returns the incompatibilities
    /// each new package brings: its unusable versions and its constraints.
    private func load(_ names: [PackageName]) async throws -> [Incompatibility] {
        let missing = Array(Set(names.filter { candidates[$0] == nil })).sorted()
        let loaded = try await withThrowingTaskGroup(of: Candidates.self) { group in
            for name in missing { group.addTask { [source] in try await source.candidates(name) } }
            return try await group.reduce(into: [PackageName: Candidates]()) { $0[$1.name] = $1 }
        }
        var added: [Incompatibility] = []
        for name in missing {
            let loaded = loaded[name]!
            candidates[name] = loaded
            // One incompatibility per run of adjacent unusable versions keeps explanations short
            // ("numpy >=2.1.0 has no wheel for the target") yet specific.
            var run: [Int] = []
            for position in 0...loaded.versions.count {
                if position < loaded.versions.count, loaded.choices[position] == nil {
                    run.append(position)
                } else if !run.isEmpty {
                    added.append(Incompatibility(
                        [Term(package: .project(name), allowed: VersionSet(count: loaded.versions.count, members: run),
                              allowsAbsent: false)], cause: .noWheel(name)))
                    run = []
                }
            }
            for constraint in constraints[name] ?? [] {
                let allowed = constraint.url == nil
                    ? loaded.versions(matching: constraint.specifiers, prereleases: true) : loaded.usable
                added.append(Incompatibility([Term(package: .project(name), allowed: allowed.complement, allowsAbsent: false)],
                                             cause: .constraint(name, constraint.description)))
            }
        }
        return added
    }

    // MARK: Dependencies

    /// The incompatibilities that deciding `package` at `position` brings: its dependencies, the
    /// `Requires-Python` refusal when its metadata excludes the target, and what newly seen packages bring.
    func incompatibilities(for package: SolverPackage, version position: Int) async throws -> [Incompatibility] {
        let environment = target.markerEnvironment
        var requirements: [Requirement]
        let version = self.version(package, position)
        let single = { (name: SolverPackage) in
            Term(package: name, allowed: VersionSet(count: self.universeCount(name), members: [position]), allowsAbsent: false)
        }
        switch package {
        case .root:
            requirements = self.requirements
        case let .project(name), let .extra(name, _):
            let metadata: CoreMetadata
            switch try await self.metadata(name, position) {
            case let .success(parsed): metadata = parsed
            case let .failure(error):
                return Set([package, .project(name)]).sorted().map {
                    Incompatibility([single($0)], cause: .unusableMetadata(name, version!, error.reason))
                }
            }
            if let requiresPython = metadata.requiresPython,
               !requiresPython.contains(target.pythonFullVersion, prereleases: true) {
                return [Incompatibility([single(package)],
                                        cause: .requiresPython(name, version!, requiresPython.description))]
            }
            if case let .extra(_, extra) = package {
                requirements = metadata.requiresDist.filter { $0.marker?.evaluate(environment, extras: [extra]) ?? true }
            } else {
                requirements = metadata.requiresDist.filter { $0.marker?.evaluate(environment) ?? true }
            }
            requirements.removeAll { $0.name == name && $0.extras.isEmpty }
        }
        var result = try await load(requirements.map(\.name) + (package.name.map { [$0] } ?? []))
        if case let .extra(name, _) = package {
            result.append(Incompatibility([single(package), single(.project(name)).negated],
                                          cause: .dependency(package: package, version: version,
                                                             dependency: .project(name), requirement: "\(name)==\(version!)")))
        }
        for requirement in requirements {
            let loaded = candidates[requirement.name]!
            let allowed = requirement.url != nil ? loaded.usable
                : loaded.versions(matching: requirement.specifiers, prereleases: prereleases)
            let targets = [SolverPackage.project(requirement.name)] + requirement.extras.map { .extra(requirement.name, $0) }
            for dependency in targets where dependency != package {
                result.append(Incompatibility(
                    [single(package), Term(package: dependency, allowed: allowed, allowsAbsent: false).negated],
                    cause: .dependency(package: package, version: version, dependency: dependency,
                                       requirement: Self.describe(requirement))))
            }
        }
        dependencyNames[PackageVersion(package: package, version: position)] = Array(Set(requirements.map(\.name))).sorted()
        prefetch(requirements)
        return result
    }

    /// The requirement as the user would write it, without the marker (already evaluated).
    static func describe(_ requirement: Requirement) -> String {
        var text = requirement.name.rawValue
        if !requirement.extras.isEmpty { text += "[" + requirement.extras.map(\.rawValue).joined(separator: ",") + "]" }
        if let url = requirement.url { return text + " @ " + Credentials.redact(url) }
        return text + requirement.specifiers.description
    }

    /// The candidate's parsed metadata, or why it is unusable: a release with a broken `Requires-Dist`
    /// (boto3 1.2.0) or a wheel whose METADATA cannot be read out of it is skipped with a note, as pip
    /// and uv do, not fatal. Network and cache failures still throw.
    private func metadata(_ name: PackageName, _ position: Int) async throws -> Result<CoreMetadata, UnusableMetadata> {
        let choice = candidates[name]!.choices[position]!
        let outcome: Result<CoreMetadata, UnusableMetadata>
        var cost = 0
        do {
            let data: Data
            if let sdist = choice.sdist, let builder {
                // PEP 658 where the index has it, else the frontend (PEP 643 PKG-INFO, else the backend).
                if let published = await client.publishedMetadata(for: choice.file) {
                    data = published
                } else {
                    let local = try await client.wheel(for: choice.file)
                    data = try await builder.metadata(ofSdist: LocalSdist(filename: sdist, path: local.path,
                                                                          sha256: local.sha256))
                }
            } else {
                data = try await client.metadata(for: choice.file)
            }
            cost = client.metadataTransfer(for: choice.file)
            outcome = Result { () throws(MetadataError) in try CoreMetadata(parsing: data) }
                .mapError { UnusableMetadata(reason: $0.description) }
        } catch let IndexError.metadataUnavailable(_, reason) {
            cost = client.metadataTransfer(for: choice.file)
            outcome = .failure(UnusableMetadata(reason: "Its METADATA cannot be read from the wheel: \(reason)."))
        }
        if read.insert(ProjectVersion(name: name, version: position)).inserted {
            spending.candidates += 1
            // The first version read of a project is normally the one installed (a 800 MB torch wheel
            // is no waste); every further one is the price of backtracking, which the budget bounds.
            if projectsRead.insert(name).inserted {
                client.meter.projectRead()
            } else {
                spending.bytes += Int64(cost)
            }
        }
        if case let .failure(failure) = outcome {
            let note = "\(choice.file.filename) was skipped because its metadata is unusable. \(failure.reason)"
            if !notes.contains(note) { notes.append(note) }
        }
        return outcome
    }

    struct UnusableMetadata: Error {
        var reason: String
    }

    /// Starts warming, in the background, the listings and metadata the solver will most likely ask
    /// for next, so it rarely waits on the network.
    private func prefetch(_ requirements: [Requirement]) {
        for requirement in requirements {
            Task { [source] in await source.warm(requirement) }
        }
    }
}

/// The concurrent half of the provider: builds `Candidates` once per project (listing fetch and
/// file screening run off the solver's path, in parallel) and walks ahead through the likely
/// dependency graph, fetching listings and metadata before the solver gets there.
struct CandidateSource: Sendable {
    let client: IndexClient
    let target: TargetPlatform
    let prereleases: Bool
    let directFiles: [PackageName: ProjectFile]
    let allowedHashes: [PackageName: Set<String>]?
    let builder: (any SourceBuilder)?
    let binaryPolicy: BinaryPolicy
    private let memo = Memo<PackageName, Candidates>()
    private let warmed = OnceSet<PackageName>()

    init(client: IndexClient, target: TargetPlatform, prereleases: Bool, directFiles: [PackageName: ProjectFile],
         allowedHashes: [PackageName: Set<String>]?, builder: (any SourceBuilder)?, binaryPolicy: BinaryPolicy) {
        self.builder = builder
        self.binaryPolicy = binaryPolicy
        self.client = client
        self.target = target
        self.prereleases = prereleases
        self.directFiles = directFiles
        self.allowedHashes = allowedHashes
    }

    func candidates(_ name: PackageName) async throws -> Candidates {
        try await memo.value(for: name) { [self] in
            var files: [ProjectFile]
            if let file = directFiles[name] { files = [file] } else { files = try await client.files(for: name.rawValue) }
            // Hash-checking mode compares every candidate's sha256, so local files get hashed.
            if allowedHashes != nil {
                for index in files.indices where files[index].sha256 == nil {
                    guard let path = files[index].localPath else { continue }
                    files[index].hashes["sha256"] = try client.cache.localSHA256(path: path)
                }
            }
            let vouched = Set(files.filter { file in
                file.localPath.map { builder?.vouches(forWheelAt: $0) ?? false } ?? false
            }.map(\.url))
            return Candidates(name: name, files: files, target: target, allowedHashes: allowedHashes.map { $0[name] ?? [] },
                              buildsSources: builder != nil, policy: binaryPolicy, vouched: vouched)
        }
    }

    /// Fetches the listing of `requirement`'s project, the metadata of its newest usable match, and
    /// recursively the same for that version's dependencies. Errors are left for the solver to meet.
    func warm(_ requirement: Requirement) async {
        guard await warmed.insert(requirement.name), let loaded = try? await candidates(requirement.name) else { return }
        let allowed = loaded.versions(matching: requirement.specifiers, prereleases: prereleases).intersection(loaded.usable)
        guard let newest = allowed.members.last, let choice = loaded.choices[newest], choice.wheel != nil,
              let data = try? await client.metadata(for: choice.file),
              let metadata = try? CoreMetadata(parsing: data) else { return }
        let environment = target.markerEnvironment
        await withTaskGroup(of: Void.self) { group in
            for dependency in metadata.requiresDist where dependency.marker?.evaluate(environment) ?? true {
                group.addTask { await warm(dependency) }
            }
        }
    }
}
