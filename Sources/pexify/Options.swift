import ArgumentParser
import Orchestration
import Pex

/// Requirements, requirement files and the pre-release switch (shared by `build` and `lock`).
struct RequirementArguments: ParsableArguments {
    @Argument(help: "PEP 508 requirements, e.g. 'requests>=2.31' 'pydantic[email]'.")
    var requirements: [String] = []

    @Option(name: [.customShort("r"), .customLong("requirement")], help: ArgumentHelp("Install from this requirements file (repeatable).", valueName: "file"))
    var requirementFiles: [String] = []

    @Flag(name: .customLong("pre"), help: "Allow pre-release versions.")
    var prereleases = false
}

/// The target interpreter and platform (shared by `build` and `lock`).
struct TargetArguments: ParsableArguments {
    enum Architecture: String, ExpressibleByArgument, CaseIterable {
        case x86_64, arm64
    }

    @Option(help: "Abbreviated target platform, e.g. linux_x86_64-cp311 or linux_aarch64-cp-3.12.3-cp312.")
    var platform: String?

    @Option(help: "With --platform: the newest manylinux standard the target's glibc supports, e.g. manylinux_2_28.")
    var manylinux: String?

    @Option(name: .customLong("complete-platform"), help: ArgumentHelp("Target described by a complete-platform JSON file.", valueName: "file"))
    var completePlatform: String?

    @Option(help: "AWS Lambda runtime, e.g. python3.12.")
    var runtime: String?

    @Option(help: "With --runtime: the Lambda architecture (x86_64 or arm64).")
    var architecture: Architecture?

    mutating func validate() throws {
        let chosen = [platform != nil, completePlatform != nil, runtime != nil].filter { $0 }.count
        guard chosen == 1 else {
            throw ValidationError(chosen == 0
                ? "Choose the target with one of --runtime, --platform or --complete-platform."
                : "Give only one of --runtime, --platform and --complete-platform.")
        }
        if architecture != nil && runtime == nil {
            throw ValidationError("--architecture applies only to --runtime.")
        }
        if manylinux != nil && platform == nil {
            throw ValidationError("--manylinux applies only to --platform.")
        }
    }

    var specification: TargetSpecification {
        if let platform { return .platform(platform, manylinux: manylinux) }
        if let completePlatform { return .completePlatform(path: completePlatform) }
        return .lambda(runtime: runtime ?? "", architecture: (architecture ?? .x86_64).rawValue)
    }
}

/// Index and cache flags, spelled as pip spells them (shared by `build` and `lock`).
struct IndexArguments: ParsableArguments {
    @Option(name: .customLong("index-url"), help: ArgumentHelp("Base URL of the simple index (default: pip's configured index).", valueName: "url"))
    var indexURL: String?

    @Option(name: .customLong("extra-index-url"), help: ArgumentHelp("Another index to consult (repeatable).", valueName: "url"))
    var extraIndexURLs: [String] = []

    @Option(name: [.customShort("f"), .customLong("find-links")], help: ArgumentHelp("A directory or page of wheels (repeatable).", valueName: "url-or-dir"))
    var findLinks: [String] = []

    @Flag(name: .customLong("no-index"), help: "Use no index, only --find-links.")
    var noIndex = false

    @Flag(help: "Use only the cache and --find-links; never the network.")
    var offline = false

    @Option(name: .customLong("cache-dir"), help: ArgumentHelp("The wheel and metadata cache directory.", valueName: "dir"))
    var cacheDirectory: String?

    @Option(help: ArgumentHelp("Seconds without data before a download attempt fails (default: PIP_DEFAULT_TIMEOUT, else 15).",
                               valueName: "seconds"))
    var timeout: Double?

    func validate() throws {
        if let timeout, !(timeout > 0 && timeout.isFinite) {
            throw ValidationError("--timeout must be a positive number of seconds, not \(timeout).")
        }
    }

    var options: IndexOptions {
        IndexOptions(indexURL: indexURL, extraIndexURLs: extraIndexURLs, findLinks: findLinks, noIndex: noIndex,
                     offline: offline, cacheDirectory: cacheDirectory, timeout: timeout)
    }
}
