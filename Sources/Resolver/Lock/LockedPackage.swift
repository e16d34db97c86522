import Foundation

/// What a build asks of a lock beyond the target: the extras and dependency groups to install (as
/// `uv export --extra/--group` does; no group is installed unless named).
public struct LockSelection: Sendable, Hashable {
    public var extras: Set<ExtraName>
    public var groups: Set<String>

    public init(extras: Set<ExtraName> = [], groups: Set<String> = []) {
        self.extras = extras
        self.groups = groups
    }
}

/// One file a lock allows for a package. Locks differ in what they record: a location and a hash
/// (pylock.toml, uv.lock), a file name and a hash (poetry.lock), or only the hash (Pipfile.lock), in
/// which case the index is asked which of its files carries it.
public struct LockedFile: Sendable, Hashable {
    public var filename: String?
    public var url: String?
    /// Absolute local path.
    public var path: String?
    public var size: Int?
    public var sha256: String

    public init(filename: String?, url: String? = nil, path: String? = nil, size: Int? = nil, sha256: String) {
        self.filename = filename
        self.url = url
        self.path = path
        self.size = size
        self.sha256 = sha256
    }

    var location: String? { url ?? path.map { URL(fileURLWithPath: $0).absoluteString } }
}

/// One distribution a lock installs on the target, before its wheel is chosen and fetched.
public struct LockedPackage: Sendable, Hashable {
    public var name: PackageName
    public var version: Version
    /// Every file the lock lists for this version (sdists included, which are never installed).
    public var files: [LockedFile]
    /// The selected packages this one depends on, on the target.
    public var dependencies: [PackageName]
    /// The index the lock names for the package, asked for files listed without a location.
    public var index: String?

    public init(name: PackageName, version: Version, files: [LockedFile], dependencies: [PackageName],
                index: String?) {
        self.name = name
        self.version = version
        self.files = files
        self.dependencies = dependencies
        self.index = index
    }
}

/// What a lock installs on a target, in any format, plus things to tell the user.
public struct LockedSet: Sendable {
    public var packages: [LockedPackage]
    public var warnings: [String]

    public init(packages: [LockedPackage], warnings: [String] = []) {
        self.packages = packages
        self.warnings = warnings
    }
}

extension LockedSet {
    /// Chooses each package's best wheel for the target among the files the lock allows (never another)
    /// and fetches it, checking the pinned sha256: the `Resolution` the resolver would have produced.
    /// - Parameters:
    ///   - purpose: for another lock, remote wheels stay on the index (their pinned sha256 is known).
    ///   - client: for an index the lock names, a client of that index (the default one for `nil`).
    public func resolution(lockPath: String, target: TargetPlatform, purpose: ResolutionPurpose = .install,
                           client: (String?) throws -> IndexClient) async throws -> Resolution {
        var clients: [String?: IndexClient] = [:]
        for index in Set(packages.map(\.index)) { clients[index] = try client(index) }
        let chosen = try await withThrowingTaskGroup(of: (Int, ResolvedDistribution).self) { [clients] group in
            for (position, package) in packages.enumerated() {
                group.addTask {
                    (position, try await Self.fetch(package, lockPath: lockPath, target: target, purpose: purpose,
                                                    client: clients[package.index]!))
                }
            }
            var result: [Int: ResolvedDistribution] = [:]
            for try await (position, distribution) in group { result[position] = distribution }
            return result
        }
        let distributions = packages.indices.map { chosen[$0]! }.sorted { $0.name < $1.name }
        return Resolution(distributions: distributions, target: target, warnings: warnings)
    }

    private static func fetch(_ package: LockedPackage, lockPath: String, target: TargetPlatform,
                              purpose: ResolutionPurpose, client indexClient: IndexClient) async throws
        -> ResolvedDistribution {
        let label = "\(package.name) \(package.version)"
        do {
            let source = package.index ?? lockPath
            var files: [(ProjectFile, expected: String)] = []
            for locked in package.files {
                if let location = locked.location, let filename = locked.filename ?? location.split(separator: "/").last
                    .map({ String($0).removingPercentEncoding ?? String($0) }) {
                    files.append((ProjectFile(filename: filename, url: location, hashes: ["sha256": locked.sha256],
                                              size: locked.size, source: source), locked.sha256))
                    continue
                }
                // Only a name or a hash: the index says where the file is.
                let listing = try await indexClient.files(for: package.name.rawValue)
                let match = listing.first { file in
                    if let filename = locked.filename { return file.filename == filename }
                    return file.sha256 == locked.sha256
                }
                // A lock may list wheels for platforms this index does not serve; only the chosen one must exist.
                if let match { files.append((match, locked.sha256)) }
            }
            var best: (file: ProjectFile, expected: String, wheel: WheelFilename, rank: Int)?
            for (file, expected) in files {
                guard let wheel = try? WheelFilename(file.filename),
                      case let .compatible(rank) = target.tags.compatibility(of: wheel) else { continue }
                if let current = best, current.rank <= rank { continue }
                best = (file, expected, wheel, rank)
            }
            guard let best else {
                let names = files.map { $0.0.filename }
                if names.isEmpty {
                    throw LockError.notOnIndex(path: lockPath, package: label, index: package.index ?? "configured",
                                               wanted: package.files.compactMap(\.filename).first ?? "a file with one of its pinned hashes")
                }
                if !names.contains(where: { $0.hasSuffix(".whl") }) {
                    throw LockError.needsBuild(path: lockPath, entry: label, kind: "a source distribution")
                }
                throw LockError.noWheelForTarget(path: lockPath, package: label, files: names)
            }
            let sha256: String, path: String?
            if purpose == .lock, let known = try indexClient.knownSHA256(of: best.file, expectedSHA256: best.expected) {
                (sha256, path) = (known, nil)
            } else {
                let local = try await indexClient.wheel(for: best.file, expectedSHA256: best.expected)
                (sha256, path) = (local.sha256, local.path)
            }
            return ResolvedDistribution(
                name: package.name, version: package.version, wheel: best.wheel, url: Credentials.strip(best.file.url),
                sha256: sha256, size: best.file.size, path: path, dependencies: package.dependencies.sorted(),
                yanked: nil, source: best.file.source)
        } catch let error as IndexError {
            throw LockError.fileRejected(path: lockPath, package: label, reason: error.description)
        }
    }
}
