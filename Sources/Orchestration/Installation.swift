import Basics
import Foundation
import Resolver

/// What a build installs: the resolved (or locked) wheels, which of them were asked for directly, and
/// the requirement strings they came from.
struct InstallSet: Sendable {
    var distributions: [ResolvedDistribution]
    /// The distributions asked for directly (for a lock: those nothing else depends on).
    var roots: [PackageName]
    /// The requirement strings (recorded in a PEX's PEX-INFO).
    var requirements: [String]
    var warnings: [String]
    /// The resolver's result (nil when there was nothing to resolve), for writing a lock.
    var resolution: Resolution?
}

/// The resolver side of a build: requirements and requirement files (or a lock file) plus the index
/// flags, turned into fetched wheels with `Resolver` and `PyLock`.
enum Installation {
    /// Resolves (or reads the lock of) `inputs` for `target` and fetches the wheels.
    /// - Parameter meter: counts what is fetched, for a progress line.
    static func resolve(_ inputs: RequirementInputs, target: TargetPlatform, index: IndexOptions,
                        meter: TransferMeter = TransferMeter()) async throws -> InstallSet {
        guard !inputs.isEmpty else {
            return InstallSet(distributions: [], roots: [], requirements: [], warnings: [], resolution: nil)
        }
        var requirements = try inputs.requirements.map { try Requirement($0) }
        var constraints: [Requirement] = []
        var hashes: [PackageName: Set<String>] = [:]
        var requireHashes = false
        var options = index
        var prereleases = inputs.prereleases
        for path in inputs.requirementFiles {
            let file = try RequirementsFile.parse(path: path)
            requirements += file.requirements.map(\.requirement)
            constraints += file.constraints.map(\.requirement)
            for entry in file.requirements + file.constraints where !entry.hashes.isEmpty {
                hashes[entry.requirement.name, default: []].formUnion(entry.hashes)
            }
            requireHashes = requireHashes || file.requireHashes
            options.indexURL = options.indexURL ?? file.indexURL  // the command line wins, as in pip
            options.extraIndexURLs += file.extraIndexURLs
            options.findLinks += file.findLinks
            options.noIndex = options.noIndex || file.noIndex
            prereleases = prereleases || file.prereleases
        }
        let configuration = try IndexConfiguration.resolved(
            indexURL: options.indexURL, extraIndexURLs: options.extraIndexURLs, findLinks: options.findLinks,
            noIndex: options.noIndex)

        let policy = FetchPolicy(timeout: try FetchPolicy.timeout(option: index.timeout,
                                                                  environment: ProcessInfo.processInfo.environment))
        if let lockFile = inputs.lockFile {
            let cache = try Cache(directory: index.cacheDirectory)
            let client = IndexClient(configuration: configuration, cache: cache, offline: index.offline, policy: policy,
                                     meter: meter)
            let selection = LockSelection(extras: Set(try inputs.extras.map { try ExtraName($0) }),
                                          groups: Set(inputs.groups))
            // An index the lock names serves its files, unless the command line chose the index (as in pip).
            let chosen = index.indexURL != nil || index.noIndex
            let resolution = try await LockFile.resolution(path: lockFile, target: target, selection: selection) { url in
                guard let url, !chosen else { return client }
                return IndexClient(configuration: try IndexConfiguration.resolved(
                    indexURL: url, extraIndexURLs: [], findLinks: options.findLinks, noIndex: false),
                                   cache: cache, offline: index.offline, policy: policy, meter: meter)
            }
            let needed = Set(resolution.distributions.flatMap(\.dependencies))
            let roots = resolution.distributions.map(\.name).filter { !needed.contains($0) }
            return InstallSet(distributions: resolution.distributions, roots: roots,
                              requirements: resolution.distributions.map { "\($0.name)==\($0.version)" },
                              warnings: resolution.warnings, resolution: resolution)
        }
        let resolution = try await Resolver.resolve(ResolveRequest(
            requirements: requirements, constraints: constraints, target: target, index: configuration,
            cacheDirectory: index.cacheDirectory, offline: index.offline, prereleases: prereleases,
            hashes: requireHashes ? hashes : nil, fetchPolicy: policy, meter: meter))
        let roots = requirements.filter { $0.applies(to: target.markerEnvironment) }.map(\.name)
        return InstallSet(distributions: resolution.distributions, roots: roots,
                          requirements: requirements.map(\.description), warnings: resolution.warnings,
                          resolution: resolution)
    }

    /// Applies `--exclude`.
    static func exclude(_ names: [String], from set: InstallSet) throws -> Exclusion<PackageName> {
        Exclusion(
            all: set.distributions.map(\.name), roots: set.roots,
            dependencies: Dictionary(set.distributions.map { ($0.name, $0.dependencies) }) { first, _ in first },
            excluded: Set(try names.map { try PackageName($0) }))
    }
}
