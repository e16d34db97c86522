import Resolver

// INTERIM until the resolver branch is merged: only builds without requirements work; the real
// implementation (Resolver.resolve, PyLock) replaces this file.

/// One distribution to install: its wheel on disk and what it depends on.
struct ResolvedWheel: Sendable {
    var name: PackageName
    var version: Version
    var wheel: WheelFilename
    var path: String
    var sha256: String
    var dependencies: [PackageName]
}

/// What to install for a build.
struct InstallSet: Sendable {
    var distributions: [ResolvedWheel]
    /// The distributions asked for directly.
    var roots: [PackageName]
    /// The requirement strings the set came from (recorded in a PEX's PEX-INFO).
    var requirements: [String]
}

enum InstallationError: Error, CustomStringConvertible {
    case resolverNotMerged

    var description: String {
        "Dependency resolution is not available in this build of pexify yet; build from sources only (-D)."
    }
}

enum Installation {
    static func resolve(_ inputs: RequirementInputs, target: TargetPlatform, index: IndexOptions) async throws
        -> InstallSet {
        guard inputs.isEmpty else { throw InstallationError.resolverNotMerged }
        return InstallSet(distributions: [], roots: [], requirements: [])
    }

    /// Applies `--exclude`.
    static func exclude(_ names: [String], from set: InstallSet) throws -> Exclusion<PackageName> {
        Exclusion(
            all: set.distributions.map(\.name), roots: set.roots,
            dependencies: Dictionary(set.distributions.map { ($0.name, $0.dependencies) }) { first, _ in first },
            excluded: Set(try names.map { try PackageName($0) }))
    }
}

extension Build {
    /// `pexify lock`.
    public static func lock(_ inputs: RequirementInputs, target: TargetSpecification, index: IndexOptions,
                            output: String, progress: @Sendable (String) -> Void) async throws -> BuildSummary {
        throw InstallationError.resolverNotMerged
    }
}
