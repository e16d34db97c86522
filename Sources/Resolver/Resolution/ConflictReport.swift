/// Turns the solver's proof of failure into plain sentences, PubGrub style: each derived
/// incompatibility becomes "Because X and Y, Z.", followed by notes naming the nearest files of the
/// packages that had no usable wheel and why each was rejected.
struct ConflictReport {
    let provider: DependencyProvider

    func text(for failure: Incompatibility) -> String {
        var lines: [String] = []
        var unlisted: Set<PackageName> = []
        var noWheel: [PackageName: VersionSet] = [:]
        var requested: [PackageName: VersionSet] = [:]
        var unmatched: [String: PackageName] = [:]
        collect(failure, &noWheel, &requested, &unmatched)
        for name in requested.keys where provider.candidates[name]?.versions.isEmpty ?? true { unlisted.insert(name) }
        if case .derived = failure.cause {
            explain(failure, into: &lines)
        } else {
            lines.append(capitalized(external(failure)) + ", so " + statement(failure) + ".")
        }
        let sources = provider.client.configuration.findLinks + provider.client.configuration.indexURLs
        for name in unlisted.sorted() {
            lines.append("No source lists any file of \(name) (searched: "
                + sources.map(Credentials.redact).joined(separator: ", ") + ").")
        }
        for (requirement, name) in unmatched.sorted(by: { $0.key < $1.key }) where !unlisted.contains(name) {
            let listed = provider.candidates[name]!.versions
            lines.append("No version of \(name) matches \(requirement); the sources list "
                + listed.suffix(8).map(\.description).joined(separator: ", ")
                + (listed.count > 8 ? " and \(listed.count - 8) older" : "") + ".")
        }
        for name in noWheel.keys.sorted() {
            let loaded = provider.candidates[name]!
            var set = noWheel[name]!
            if let wanted = requested[name], !set.intersection(wanted).isEmpty { set = set.intersection(wanted) }
            let nearest = set.members.filter { loaded.choices[$0] == nil }.suffix(3).reversed()
            guard !nearest.isEmpty else {
                lines.append("Note: the sources list no file of \(name) at all.")
                continue
            }
            lines.append("Nearest files of \(name) that exist, and why they cannot be used:")
            for position in nearest {
                let reasons = loaded.reasons(at: position)
                if reasons.isEmpty { lines.append("  \(name) \(loaded.versions[position]): no files") }
                for reason in reasons.prefix(4) { lines.append("  \(name) \(loaded.versions[position]): \(reason)") }
                if reasons.count > 4 { lines.append("  … and \(reasons.count - 4) more files of \(name) \(loaded.versions[position])") }
            }
        }
        return lines.joined(separator: "\n")
    }

    private func collect(_ incompatibility: Incompatibility, _ noWheel: inout [PackageName: VersionSet],
                         _ requested: inout [PackageName: VersionSet], _ unmatched: inout [String: PackageName]) {
        switch incompatibility.cause {
        case let .derived(left, right):
            collect(left, &noWheel, &requested, &unmatched)
            collect(right, &noWheel, &requested, &unmatched)
        case let .noWheel(name):
            let set = incompatibility.terms[0].allowed
            noWheel[name] = noWheel[name].map { $0.union(set) } ?? set
        case .noVersions:
            let term = incompatibility.terms[0]
            if let name = term.package.name { noWheel[name] = noWheel[name].map { $0.union(term.allowed) } ?? term.allowed }
        case let .dependency(_, _, dependency, requirement):
            if let name = dependency.name {
                // A dropped (universal) dependency term means no listed version matches at all.
                if incompatibility.term(for: dependency) == nil { unmatched[requirement] = name }
                let wanted = incompatibility.term(for: dependency)?.allowed.complement
                    ?? VersionSet(count: provider.universeCount(dependency))
                requested[name] = requested[name].map { $0.union(wanted) } ?? wanted
            }
        default:
            break
        }
    }

    private func explain(_ incompatibility: Incompatibility, into lines: inout [String]) {
        guard case let .derived(left, right) = incompatibility.cause else { return }
        switch (left.isDerived, right.isDerived) {
        case (false, false):
            lines.append("Because \(external(left)) and \(external(right)), \(statement(incompatibility)).")
        case (true, false), (false, true):
            let (derived, outside) = left.isDerived ? (left, right) : (right, left)
            if case let .derived(a, b) = derived.cause, a.isDerived != b.isDerived {
                let (prior, priorOutside) = a.isDerived ? (a, b) : (b, a)
                explain(prior, into: &lines)
                lines.append("And because \(external(priorOutside)) and \(external(outside)), \(statement(incompatibility)).")
            } else {
                explain(derived, into: &lines)
                lines.append("And because \(external(outside)), \(statement(incompatibility)).")
            }
        case (true, true):
            explain(left, into: &lines)
            explain(right, into: &lines)
            lines.append("So, because \(statement(left)) and \(statement(right)), \(statement(incompatibility)).")
        }
    }

    /// An external fact, as a clause.
    private func external(_ incompatibility: Incompatibility) -> String {
        switch incompatibility.cause {
        case .root: return "the requirements must be met"
        case let .dependency(package, version, _, requirement):
            if package == .root { return "you require \(requirement)" }
            return "\(package) \(version.map { $0.description } ?? "") depends on \(requirement)"
        case .noWheel:
            return "\(positive(incompatibility.terms[0])) has no wheel for the target"
        case let .requiresPython(name, version, specifiers):
            return "\(name) \(version) requires Python \(specifiers) but the target has Python \(provider.target.pythonFullVersion)"
        case let .unusableMetadata(name, version, reason):
            return "\(name) \(version) has unusable metadata (\(reason))"
        case let .constraint(_, text):
            return "the constraint \(text) applies"
        case .noVersions:
            return "no usable version of \(positive(incompatibility.terms[0])) exists"
        case .derived:
            return statement(incompatibility)
        }
    }

    /// What an incompatibility says, as a clause.
    private func statement(_ incompatibility: Incompatibility) -> String {
        if incompatibility.isFailure { return "your requirements cannot be satisfied" }
        let terms = incompatibility.terms.filter { $0.package != .root }
        let positives = terms.filter(\.isPositive), negatives = terms.filter { !$0.isPositive }
        let viaRoot = incompatibility.terms.contains { $0.package == .root }
        switch (positives.count, negatives.count) {
        case (1, 0):
            return viaRoot ? "you cannot use \(positive(positives[0]))" : "\(positive(positives[0])) cannot be used"
        case (0, 1):
            return "\(required(negatives[0])) is required"
        case (1, 1):
            return "\(positive(positives[0])) depends on \(required(negatives[0]))"
        case (_, 0):
            return positives.map(positive).joined(separator: " and ") + " cannot be used together"
        default:
            return "if " + positives.map(positive).joined(separator: " and ") + (positives.count == 1 ? " is" : " are")
                + " used then "
                + negatives.map(required).joined(separator: " or ") + " is required"
        }
    }

    /// A positive term "P ∈ S" in words.
    private func positive(_ term: Term) -> String { "\(term.package)\(versions(term.package, term.allowed))" }
    /// A negative term "P ∉ S" as what it requires: P in S.
    private func required(_ term: Term) -> String { "\(term.package)\(versions(term.package, term.allowed.complement))" }

    private func versions(_ package: SolverPackage, _ set: VersionSet) -> String {
        guard let name = package.name, let loaded = provider.candidates[name] else { return "" }
        if set.count == 1 { return " \(loaded.versions[set.members[0]])" }
        if set.isFull { return "" }
        return " " + loaded.describe(set)
    }

    private func capitalized(_ text: String) -> String { text.prefix(1).uppercased() + text.dropFirst() }
}
