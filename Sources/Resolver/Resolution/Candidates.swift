/// Every listed version of one project, and for each either the wheel to use on the target or the
/// reasons every file of that version was rejected. Versions ascend; positions index `VersionSet`s.
struct Candidates {
    struct Choice {
        var file: ProjectFile
        var wheel: WheelFilename
        var rank: Int
        var yanked: Bool { file.yanked != nil }
    }

    let name: PackageName
    let versions: [Version]
    /// The chosen wheel of each usable version (by position).
    let choices: [Int: Choice]
    /// For unusable versions: one line per rejected file.
    let rejections: [Int: [String]]

    var usable: VersionSet { VersionSet(count: versions.count, members: choices.keys) }

    func index(of version: Version) -> Int? { versions.firstIndex(of: version) }

    /// Sorts the files of a listing into versions and picks, per version, the best wheel: not yanked,
    /// then best tag rank, then highest build tag (pip's order; packaging-standards §1.6).
    init(name: PackageName, files: [ProjectFile], target: TargetPlatform, allowedHashes: Set<String>?) {
        self.name = name
        let python = target.pythonFullVersion
        var byVersion: [Version: (choices: [Choice], rejections: [String])] = [:]
        for file in files {
            let lower = file.filename.lowercased()
            if !lower.hasSuffix(".whl") {
                let stem = lower.hasSuffix(".tar.gz") ? String(file.filename.dropLast(7))
                    : lower.hasSuffix(".zip") ? String(file.filename.dropLast(4)) : nil
                if let stem, let dash = stem.lastIndex(of: "-"),
                   (try? PackageName(String(stem[..<dash]))) == name,
                   let version = Version(String(stem[stem.index(after: dash)...])) {
                    byVersion[version, default: ([], [])].rejections.append(
                        "\(file.filename) is a source distribution, which cannot be built for a foreign target")
                }
                continue
            }
            guard let wheel = try? WheelFilename(file.filename), wheel.name == name else { continue }
            func reject(_ reason: String) { byVersion[wheel.version, default: ([], [])].rejections.append(reason) }
            if let requiresPython = file.requiresPython, let specifiers = try? VersionSpecifiers(requiresPython),
               !specifiers.contains(python, prereleases: true) {
                reject("\(file.filename) requires Python \(requiresPython); the target has \(python)")
                continue
            }
            if let allowedHashes, !(file.sha256.map(allowedHashes.contains) ?? false) {
                reject("\(file.filename) has no sha256 among the --hash values given")
                continue
            }
            switch target.tags.compatibility(of: wheel) {
            case let .compatible(rank):
                byVersion[wheel.version, default: ([], [])].choices.append(Choice(file: file, wheel: wheel, rank: rank))
            case let .incompatible(reason):
                reject(WheelRejection.explain(wheel, reason: reason, target: target))
            }
        }
        versions = byVersion.keys.sorted()
        var choices: [Int: Choice] = [:]
        var rejections: [Int: [String]] = [:]
        for (position, version) in versions.enumerated() {
            let entry = byVersion[version]!
            let best = entry.choices.min { a, b in
                if a.yanked != b.yanked { return !a.yanked }
                if a.rank != b.rank { return a.rank < b.rank }
                return (a.wheel.buildTag.map { ($0.number, $0.suffix) } ?? (-1, ""))
                    > (b.wheel.buildTag.map { ($0.number, $0.suffix) } ?? (-1, ""))
            }
            if let best { choices[position] = best } else { rejections[position] = entry.rejections }
        }
        self.choices = choices
        self.rejections = rejections
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
        return VersionSet(count: versions.count, members: versions.indices.filter {
            admissible($0) && (allowPre || !versions[$0].isPrerelease)
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
