import Foundation
import Platforms

/// The machine and interpreter a build targets: the marker environment that requirements are
/// evaluated in and the ordered tags that wheels are ranked by. Both describe the *target*, never the
/// host running pexify.
///
/// Three ways to name one:
/// - ``parse(platform:manylinux:)``: abbreviated (`linux_x86_64-cp39`) and pex four-field
///   (`linux_x86_64-cp-3.9.16-cp39`) spellings;
/// - ``completePlatform(_:)``: a pex complete platform (`marker_environment` + `compatible_tags`);
/// - ``lambda(runtime:architecture:)``: an AWS Lambda runtime, from the data embedded in the binary.
public struct TargetPlatform: Sendable {
    /// A short name for messages (`linux_x86_64-cp39`, `AWS Lambda python3.12 arm64`).
    public var name: String
    /// The PEP 508 environment of the target.
    public var markerEnvironment: MarkerEnvironment
    /// The target's compatible tags, best first.
    public var tags: CompatibleTags
    /// The Python version, used for `Requires-Python`.
    public var pythonVersion: (major: Int, minor: Int)
    /// The glibc version for manylinux targets (the newest manylinux tag accepted), nil otherwise.
    public var glibc: (major: Int, minor: Int)?
    /// The machine (`platform_machine`): `x86_64`, `aarch64`, `arm64` (macOS), …
    public var machine: String

    public init(name: String, markerEnvironment: MarkerEnvironment, tags: CompatibleTags,
                pythonVersion: (major: Int, minor: Int), glibc: (major: Int, minor: Int)?, machine: String) {
        self.name = name
        self.markerEnvironment = markerEnvironment
        self.tags = tags
        self.pythonVersion = pythonVersion
        self.glibc = glibc
        self.machine = machine
    }

    /// The Python version as a PEP 440 version, for checking `Requires-Python`: the full version of
    /// the marker environment when it has one (`3.12.11` on Lambda), else `X.Y.0` (as pip pads it).
    public var pythonFullVersion: Version {
        Version(markerEnvironment.pythonFullVersion)
            ?? Version(release: [pythonVersion.major, pythonVersion.minor, 0])
    }

    /// Whether a file whose `Requires-Python` is `specifiers` may be installed on this target.
    /// Pre-releases of Python are accepted (the interpreter is what it is).
    public func satisfies(requiresPython specifiers: VersionSpecifiers) -> Bool {
        specifiers.contains(pythonFullVersion, prereleases: true)
    }

    /// The best manylinux glibc version in a tag list (`manylinux_2_34_…` → 2.34, `manylinux2014_…` → 2.17).
    static func glibcVersion(in tags: [Tag]) -> (major: Int, minor: Int)? {
        var best: (Int, Int)?
        for tag in tags {
            guard let version = ManylinuxPlatform(tag.platform)?.glibc else { continue }
            if best.map({ version > $0 }) ?? true { best = version }
        }
        return best
    }
}

/// A manylinux platform tag, PEP 600 form or legacy alias, split into glibc version and architecture.
struct ManylinuxPlatform {
    var glibc: (major: Int, minor: Int)
    var arch: String

    init?(_ platform: String) {
        let aliases = [("manylinux1_", 5), ("manylinux2010_", 12), ("manylinux2014_", 17)]
        if let (prefix, minor) = aliases.first(where: { platform.hasPrefix($0.0) }) {
            glibc = (2, minor)
            arch = String(platform.dropFirst(prefix.count))
            return
        }
        guard platform.hasPrefix("manylinux_") else { return nil }
        let parts = platform.dropFirst("manylinux_".count).split(separator: "_", maxSplits: 2)
        guard parts.count == 3, let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
        glibc = (major, minor)
        arch = String(parts[2])
    }
}

/// Why a target platform could not be built.
public enum PlatformError: Error, Equatable, CustomStringConvertible {
    case unknownPlatform(String, reason: String)
    case invalidManylinux(String)
    case invalidCompletePlatform(String, reason: String)
    case unknownLambdaRuntime(runtime: String, architecture: String, known: [String])
    case invalidTag(String)

    public var description: String {
        switch self {
        case .unknownPlatform(let text, let reason):
            return "\"\(text)\" is not a platform pexify understands (\(reason)). Write it like "
                + "\"linux_x86_64-cp39\", \"manylinux2014_aarch64-cp-312-cp312\", \"linux_x86_64-cp-3.9.16-cp39\", "
                + "\"musllinux_1_2_x86_64-cp312\" or \"macosx_11_0_arm64-cp311\"."
        case .invalidManylinux(let text):
            return "\"\(text)\" is not a manylinux standard; use \"manylinux2014\", \"manylinux2010\", "
                + "\"manylinux1\" or \"manylinux_2_X\" such as \"manylinux_2_28\"."
        case .invalidCompletePlatform(let source, let reason):
            return "The complete platform \(source) is invalid: \(reason). It must be a JSON object like "
                + "{\"marker_environment\": {\"python_version\": \"3.12\", ...}, \"compatible_tags\": [\"cp312-cp312-manylinux_2_34_x86_64\", ...]}."
        case .unknownLambdaRuntime(let runtime, let architecture, let known):
            return "There is no AWS Lambda runtime \"\(runtime)\" for architecture \"\(architecture)\"; "
                + "use --runtime python3.8 … python3.14 with --architecture x86_64 or arm64 (known: \(known.joined(separator: ", ")))."
        case .invalidTag(let text):
            return "\"\(text)\" is not a compatibility tag; a tag has three parts, like \"cp312-abi3-manylinux_2_17_x86_64\"."
        }
    }
}
