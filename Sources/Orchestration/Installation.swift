import Basics
import BuildFrontend
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
    /// - Parameters:
    ///   - progress: receives a line per source build.
    ///   - excluding: paths that are never part of a local project (the archive being written).
    ///   - forLock: a lock cannot record local projects, so they are refused before they are built; and it
    ///     needs only hashes, so wheels whose sha256 is known are not fetched (their `path` is nil).
    static func resolve(_ inputs: RequirementInputs, target: TargetPlatform, index: IndexOptions,
                        meter: TransferMeter = TransferMeter(), progress: @escaping @Sendable (String) -> Void = { _ in },
                        excluding: [String] = [], forLock: Bool = false) async throws -> InstallSet {
        guard !inputs.isEmpty else {
            return InstallSet(distributions: [], roots: [], requirements: [], warnings: [], resolution: nil)
        }
        let workingDirectory = FileManager.default.currentDirectoryPath
        var projects: [ProjectReference] = try inputs.projects.map { directory in
            guard let project = ProjectReference.parse(directory.hasPrefix("/") ? directory : "./" + directory,
                                                       relativeTo: workingDirectory) else {
                throw BuildFrontendError.invalidProject(path: directory, reason: "it is not a directory with a "
                                                            + "pyproject.toml or setup.py")
            }
            return project
        }
        var requirements: [Requirement] = []
        for text in inputs.requirements {
            if let project = ProjectReference.parse(text, relativeTo: workingDirectory) {
                projects.append(project)
            } else {
                requirements.append(try Requirement(text))
            }
        }
        var binaryPolicy = BinaryPolicy()
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
            projects += file.projects
            binaryPolicy.merge(file.binaryPolicy)
            options.indexURL = options.indexURL ?? file.indexURL  // the command line wins, as in pip
            options.extraIndexURLs += file.extraIndexURLs
            options.findLinks += file.findLinks
            options.noIndex = options.noIndex || file.noIndex
            prereleases = prereleases || file.prereleases
        }
        binaryPolicy.merge(inputs.binaryPolicy)
        // Code compiled here cannot run on a foreign target (another architecture, an older glibc), and a
        // native sdist can only be told from a pure one by building it: so there an older version with a
        // wheel wins over a newer one that only has an sdist, as --prefer-binary (pyarrow for Lambda's
        // glibc 2.26 would otherwise start a C++ build only to refuse its wheel). pip refuses sdists
        // outright for a foreign --platform; sdist-only projects still build here.
        if !target.mayRunCodeBuiltHere { binaryPolicy.preferBinary = true }
        let configuration = try IndexConfiguration.resolved(
            indexURL: options.indexURL, extraIndexURLs: options.extraIndexURLs, findLinks: options.findLinks,
            noIndex: options.noIndex, cert: options.cert, clientCert: options.clientCert)
        for group in inputs.groups where inputs.lockFile == nil {  // with a lock, the lock's groups
            let pyproject = (projects.first?.directory ?? workingDirectory) + "/pyproject.toml"
            requirements += try PyProject.dependencyGroup(path: pyproject, group: group)
        }

        let policy = try index.fetchPolicy()
        let purpose: ResolutionPurpose = forLock ? .lock : .install
        if let lockFile = inputs.lockFile {
            let cache = try Cache(directory: index.cacheDirectory)
            let client = IndexClient(configuration: configuration, cache: cache, offline: index.offline, policy: policy,
                                     meter: meter)
            let selection = LockSelection(extras: Set(try inputs.extras.map { try ExtraName($0) }),
                                          groups: Set(inputs.groups))
            // An index the lock names serves its files, unless the command line chose the index (as in pip).
            let chosen = index.indexURL != nil || index.noIndex
            let resolution = try await LockFile.resolution(path: lockFile, target: target, selection: selection,
                                                           purpose: purpose) { url in
                guard let url, !chosen else { return client }
                return IndexClient(configuration: try IndexConfiguration.resolved(
                    indexURL: url, extraIndexURLs: [], findLinks: options.findLinks, noIndex: false,
                    cert: options.cert, clientCert: options.clientCert),
                                   cache: cache, offline: index.offline, policy: policy, meter: meter)
            }
            let needed = Set(resolution.distributions.flatMap(\.dependencies))
            let roots = resolution.distributions.map(\.name).filter { !needed.contains($0) }
            return InstallSet(distributions: resolution.distributions, roots: roots,
                              requirements: resolution.distributions.map { "\($0.name)==\($0.version)" },
                              warnings: resolution.warnings, resolution: resolution)
        }
        if forLock && !projects.isEmpty { throw BuildError.cannotLockBuilt(projects.map(\.directory).sorted()) }
        let frontend = try SourceBuildFrontend(settings: ResolverSettings(index: configuration, offline: index.offline),
                                               cacheDirectory: index.cacheDirectory, target: target, progress: progress)
        // The user's own projects become direct references to their built wheels, so their
        // dependencies and extras resolve like any other wheel's. A PEX records them as name==version, not
        // by their path in this machine's cache, so the archive does not depend on where the cache is.
        var recorded = requirements.map(\.description)
        for project in projects {
            let wheel = try await frontend.buildProject(at: project.directory, excluding: excluding)
            let extras = project.extras.isEmpty ? "" : "[" + project.extras.map(\.rawValue).joined(separator: ",") + "]"
            requirements.append(try Requirement(
                "\(wheel.filename.name)\(extras) @ \(URL(fileURLWithPath: wheel.path).absoluteString)"))
            recorded.append("\(wheel.filename.name)\(extras)==\(wheel.filename.version)")
        }
        var request = ResolveRequest(
            requirements: requirements, constraints: constraints, target: target, index: configuration,
            cacheDirectory: index.cacheDirectory, offline: index.offline, prereleases: prereleases,
            hashes: requireHashes ? hashes : nil, fetchPolicy: policy, meter: meter)
        request.builder = frontend
        request.binaryPolicy = binaryPolicy
        request.purpose = purpose
        var resolution = try await Resolver.resolve(request)
        resolution.warnings += await frontend.warnings()
        let roots = requirements.filter { $0.applies(to: target.markerEnvironment) }.map(\.name)
        return InstallSet(distributions: resolution.distributions, roots: roots,
                          requirements: recorded, warnings: resolution.warnings,
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
