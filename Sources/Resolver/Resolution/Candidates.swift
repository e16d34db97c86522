/// Every listed version of one project, and for each either the wheel to use on the target (or the
/// source distribution to build when no wheel of that version fits and building is allowed) or the
/// reasons every file of that version was rejected. Versions ascend; positions index `VersionSet`s.
struct Candidates: Sendable {
    struct Choice: Sendable {
        var file: ProjectFile
        /// The wheel to install, or `nil` when the choice is ``sdist``.
        var wheel: WheelFilename?
        /// The source distribution to build, chosen only when no wheel of its version fits.
        var sdist: SdistFilename?
        var rank: Int
        var yanked: Bool { file.yanked != nil }
    }

    /// Why a file was set aside; the words are produced only if a failure report needs them.
    enum Rejection: Sendable {
        case sourceDistribution(String)
        /// An sdist that `--only-binary` refuses to build.
        case onlyBinary(String)
        /// A wheel that `--no-binary` refuses.
        case noBinary(String)
        case requiresPython(String, String)
        case unlistedHash(String)
        case tags(String)
    }

    let name: PackageName
    let versions: [Version]
    /// The chosen wheel of each usable version (by position).
    let choices: [Int: Choice]
    /// For unusable versions: every rejected file.
    let rejections: [Int: [Rejection]]
    private let target: TargetPlatform
    private let preferBinary: Bool

    var usable: VersionSet { VersionSet(count: versions.count, members: choices.keys) }

    /// Sorts the files of a listing into versions and picks, per version, the best wheel: not yanked,
    /// then best tag rank, then highest build tag (pip's order; docs/formats/targets.md).
    ///
    /// Listings can hold tens of thousands of files (every platform of every release), so a file is
    /// first screened on its filename's python and platform tags against the target's, and only
    /// plausible wheels are parsed and ranked in full.
    ///
    /// - Parameters:
    ///   - buildsSources: whether a ``SourceBuilder`` is at hand; only then can an sdist be a choice.
    ///   - policy: `--only-binary` / `--no-binary` / `--prefer-binary`.
    ///   - vouched: URLs of wheels a ``SourceBuilder`` built and checked against the target; their tags
    ///     are not matched.
    init(name: PackageName, files: [ProjectFile], target: TargetPlatform, allowedHashes: Set<String>?,
         buildsSources: Bool = false, policy: BinaryPolicy = BinaryPolicy(), vouched: Set<String> = []) {
        self.name = name
        self.target = target
        self.preferBinary = policy.preferBinary
        let sourcesAllowed = buildsSources && policy.allowsSource(name)
        let wheelsAllowed = policy.allowsWheels(name)
        var sdists: [Version: [Choice]] = [:]
        let python = target.pythonFullVersion
        let interpreters = Set(target.tags.tags.map(\.interpreter))
        let platforms = Set(target.tags.tags.map(\.platform))
        var parsedVersions: [Substring: Version?] = [:]
        var pythonAllowed: [String: Bool] = [:]
        var byVersion: [Version: (choices: [Choice], rejections: [Rejection])] = [:]
        for file in files {
            let filename = file.filename
            let isWheel = filename.hasSuffix(".whl")
            let stem: Substring
            if isWheel {
                stem = filename.dropLast(4)
            } else if filename.hasSuffix(".tar.gz") {
                stem = filename.dropLast(7)
            } else if filename.hasSuffix(".zip") {
                stem = filename.dropLast(4)
            } else {
                continue
            }
            let parts = stem.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count >= 2 else { continue }
            let versionText = isWheel ? parts[1] : parts[parts.count - 1]
            if parsedVersions[versionText] == nil { parsedVersions[versionText] = Version(String(versionText)) }
            guard let version = parsedVersions[versionText]! else { continue }
            func reject(_ rejection: Rejection) { byVersion[version, default: ([], [])].rejections.append(rejection) }
            guard isWheel, parts.count == 5 || parts.count == 6 else {
                guard !isWheel else { continue }
                guard sourcesAllowed, let sdist = try? SdistFilename(filename), sdist.name == name,
                      file.requiresPython.map({ (try? VersionSpecifiers($0))?.contains(python, prereleases: true) ?? true }) ?? true,
                      allowedHashes.map({ hashes in file.sha256.map(hashes.contains) ?? false }) ?? true else {
                    reject(buildsSources && !policy.allowsSource(name) ? .onlyBinary(filename) : .sourceDistribution(filename))
                    continue
                }
                byVersion[version, default: ([], [])].rejections.append(.sourceDistribution(filename))  // lists the version
                sdists[version, default: []].append(Choice(file: file, wheel: nil, sdist: sdist, rank: Int.max))
                continue
            }
            guard wheelsAllowed else {
                reject(.noBinary(filename))
                continue
            }
            if let requiresPython = file.requiresPython {
                if pythonAllowed[requiresPython] == nil {
                    pythonAllowed[requiresPython] = (try? VersionSpecifiers(requiresPython))
                        .map { $0.contains(python, prereleases: true) } ?? true
                }
                if pythonAllowed[requiresPython] == false {
                    reject(.requiresPython(filename, requiresPython))
                    continue
                }
            }
            if let allowedHashes, !(file.sha256.map(allowedHashes.contains) ?? false) {
                reject(.unlistedHash(filename))
                continue
            }
            if vouched.contains(file.url), let wheel = try? WheelFilename(filename), wheel.name == name {
                byVersion[version, default: ([], [])].choices.append(Choice(file: file, wheel: wheel, sdist: nil, rank: 0))
                continue
            }
            let plausible = parts[parts.count - 3].split(separator: ".").contains { interpreters.contains(String($0)) }
                && parts[parts.count - 1].split(separator: ".").contains { platforms.contains(String($0)) }
            guard plausible, let wheel = try? WheelFilename(filename), wheel.name == name,
                  case let .compatible(rank) = target.tags.compatibility(of: wheel) else {
                reject(.tags(filename))
                continue
            }
            byVersion[version, default: ([], [])].choices.append(Choice(file: file, wheel: wheel, sdist: nil, rank: rank))
        }
        versions = byVersion.keys.sorted()
        var choices: [Int: Choice] = [:]
        var rejections: [Int: [Rejection]] = [:]
        for (position, version) in versions.enumerated() {
            let entry = byVersion[version]!
            let best = entry.choices.min { a, b in
                if a.yanked != b.yanked { return !a.yanked }
                if a.rank != b.rank { return a.rank < b.rank }
                return (a.wheel?.buildTag.map { ($0.number, $0.suffix) } ?? (-1, ""))
                    > (b.wheel?.buildTag.map { ($0.number, $0.suffix) } ?? (-1, ""))
            }
            // Wheels first, as pip and uv: an sdist is built only when no wheel of its version fits;
            // `.tar.gz` before the legacy `.zip`.
            let sdist = sdists[version]?.min { a, b in
                a.yanked != b.yanked ? !a.yanked : a.file.filename.hasSuffix(".tar.gz") && !b.file.filename.hasSuffix(".tar.gz")
            }
            if let best = best ?? sdist { choices[position] = best } else { rejections[position] = entry.rejections }
        }
        self.choices = choices
        self.rejections = rejections
    }

    /// Why each file of an unusable version was rejected, one sentence per file.
    func reasons(at position: Int) -> [String] {
        (rejections[position] ?? []).map { rejection in
            switch rejection {
            case let .sourceDistribution(file):
                return "\(file) is a source distribution, which pexify does not build here"
            case let .onlyBinary(file):
                return "\(file) is a source distribution, and --only-binary forbids building it"
            case let .noBinary(file):
                return "\(file) is a wheel, and --no-binary forbids using it"
            case let .requiresPython(file, specifiers):
                return "\(file) requires Python \(specifiers); the target has \(target.pythonFullVersion)"
            case let .unlistedHash(file):
                return "\(file) has no sha256 among the --hash values given"
            case let .tags(file):
                guard let wheel = try? WheelFilename(file) else { return "\(file) is not a valid wheel file name" }
                guard wheel.name == name else { return "\(file) names the project \(wheel.name), not \(name)" }
                guard case let .incompatible(reason) = target.tags.compatibility(of: wheel) else {
                    return "\(file) fits the target"
                }
                return WheelRejection.explain(wheel, reason: reason, target: target)
            }
        }
    }

    /// The versions a requirement admits, under the pre-release rule (only when asked for, named by
    /// a clause, or when no usable final release matches) and the yank rule (PEP 592: a yanked version
    /// only for an exact `==`/`===` pin). Unusable versions stay in so conflicts can name them.
    func versions(matching specifiers: VersionSpecifiers, prereleases: Bool) -> VersionSet {
        let isPin = specifiers.clauses.count == 1
            && (specifiers.clauses[0].op.rawValue == "===" || (specifiers.clauses[0].op.rawValue == "==" && !specifiers.clauses[0].isWildcard))
        func admissible(_ position: Int) -> Bool {
            (isPin || choices[position]?.yanked != true) && specifiers.contains(versions[position], prereleases: true)
        }
        let usableMatches = choices.keys.filter(admissible)
        let allowPre = prereleases || specifiers.mentionsPrerelease
            || (!usableMatches.isEmpty && usableMatches.allSatisfy { versions[$0].isPrerelease })
        // `--prefer-binary`: versions that would have to be built are admitted only when no version with
        // a wheel matches (a restriction where pip merely reorders; it never picks a build over a wheel).
        let hasWheel = preferBinary && usableMatches.contains {
            choices[$0]?.wheel != nil && (allowPre || !versions[$0].isPrerelease)
        }
        return VersionSet(count: versions.count, members: versions.indices.filter {
            admissible($0) && (allowPre || !versions[$0].isPrerelease) && !(hasWheel && choices[$0]?.wheel == nil)
        })
    }

    /// `version`, or the set in words relative to this universe: `==1.0`, `>=2.0`, `>=1.0,<1.4`, `<2.0`,
    /// joined by "or"; "any version" when nothing is excluded.
    func describe(_ set: VersionSet) -> String {
        if set.isFull { return "(any version)" }
        let members = set.members
        if members.isEmpty { return "(no version)" }
        var runs: [(Int, Int)] = []
        for member in members {
            if let last = runs.last, last.1 == member - 1 { runs[runs.count - 1].1 = member } else { runs.append((member, member)) }
        }
        if runs.count > 3 { return members.suffix(4).reversed().map { versions[$0].description }.joined(separator: ", ")
            + (members.count > 4 ? " (and \(members.count - 4) older)" : "") }
        return runs.map { low, high in
            if low == high { return "==\(versions[low])" }
            let lower = low == 0 ? nil : ">=\(versions[low])"
            let upper = high == versions.count - 1 ? nil : "<\(versions[high + 1])"
            return [lower, upper].compactMap { $0 }.joined(separator: ",")
        }.joined(separator: " or ")
    }
}

/// Plain-words reasons for a wheel that does not fit the target, sharper than the tag class: a
/// too-new glibc, another architecture, musl, another Python.
enum WheelRejection {
    static func explain(_ wheel: WheelFilename, reason: IncompatibleTag, target: TargetPlatform) -> String {
        let file = wheel.filename
        switch reason {
        case .python:
            return "\(file) is for \(wheel.pythonTags.joined(separator: ".")); the target runs Python "
                + "\(target.pythonVersion.major).\(target.pythonVersion.minor) (\(target.markerEnvironment.implementationName))"
        case .abi:
            return "\(file) is for the ABI \(wheel.abiTags.joined(separator: ".")), which the target's interpreter lacks"
        case .platform:
            let sameArchitecture = wheel.platformTags.compactMap(ManylinuxPlatform.init).filter { $0.arch == target.machine }
            if let oldest = sameArchitecture.map(\.glibc).min(by: { $0 < $1 }), let glibc = target.glibc {
                return "\(file) needs glibc \(oldest.major).\(oldest.minor); the target allows glibc ≤ \(glibc.major).\(glibc.minor)"
            }
            return "\(file) is for \(wheel.platformTags.joined(separator: ".")); the target is "
                + "\(target.markerEnvironment.sysPlatform) \(target.machine)"
                + (target.glibc.map { " with glibc \($0.major).\($0.minor)" } ?? "")
        }
    }
}
