import ArgumentParser
import Orchestration
import Pex
import Resolver

/// Requirements, requirement files, a lock and the pre-release switch (shared by `build` and `lock`).
struct RequirementArguments: ParsableArguments {
    @Argument(help: "PEP 508 requirements, e.g. 'requests>=2.31' 'pydantic[email]'.")
    var requirements: [String] = []

    @Option(name: [.customShort("r"), .customLong("requirement")], help: ArgumentHelp("Install from this requirements file (repeatable).", valueName: "file"))
    var requirementFiles: [String] = []

    @Flag(name: .customLong("pre"), help: "Allow pre-release versions.")
    var prereleases = false

    @Option(help: ArgumentHelp("A lock to install exactly, instead of resolving: pylock.toml, uv.lock, poetry.lock or Pipfile.lock.",
                               valueName: "file"))
    var lock: String?

    @Option(help: ArgumentHelp("With --lock: also install this extra of the project (repeatable).", valueName: "name"))
    var extra: [String] = []

    @Option(help: ArgumentHelp("Install this dependency group: of the lock with --lock (Pipfile.lock: develop), else the "
                               + "PEP 735 group of the project's pyproject.toml (repeatable).", valueName: "name"))
    var group: [String] = []

    @Option(name: .customLong("project"),
            help: ArgumentHelp("A local project (pyproject.toml or setup.py) to build into a wheel and install with its dependencies (repeatable).",
                               valueName: "dir"))
    var projects: [String] = []

    @Option(name: .customLong("only-binary"),
            help: ArgumentHelp("Never build these projects from source: :all:, :none: or names (repeatable).", valueName: "names"))
    var onlyBinary: [String] = []

    @Option(name: .customLong("no-binary"),
            help: ArgumentHelp("Build these projects from source instead of using wheels: :all:, :none: or names (repeatable).",
                               valueName: "names"))
    var noBinary: [String] = []

    @Flag(name: .customLong("prefer-binary"), help: "Prefer an older version with a wheel over building a newer one.")
    var preferBinary = false

    func validate() throws {
        if lock != nil && !(requirements.isEmpty && requirementFiles.isEmpty) {
            throw ValidationError("--lock installs exactly the lock file; do not also give requirements or -r.")
        }
        if lock == nil && !extra.isEmpty {
            throw ValidationError("--extra selects from a lock; use it with --lock FILE (a local project takes DIR[extra]).")
        }
        if lock != nil && !projects.isEmpty {
            throw ValidationError("--lock installs exactly the lock file; do not also give --project.")
        }
    }

    var inputs: RequirementInputs {
        var inputs = RequirementInputs(requirements: requirements, requirementFiles: requirementFiles, lockFile: lock,
                                       extras: extra, groups: group, prereleases: prereleases)
        inputs.projects = projects
        for value in onlyBinary { inputs.binaryPolicy.onlyBinary(value) }
        for value in noBinary { inputs.binaryPolicy.noBinary(value) }
        inputs.binaryPolicy.preferBinary = preferBinary
        return inputs
    }
}

/// The target interpreter and platform (shared by `build` and `lock`; only `lock` takes several).
struct TargetArguments: ParsableArguments {
    enum Architecture: String, ExpressibleByArgument, CaseIterable {
        case x86_64, arm64
    }

    @Option(help: "Abbreviated target platform, e.g. linux_x86_64-cp311 or linux_aarch64-cp-3.12.3-cp312.")
    var platform: [String] = []

    @Option(help: "With --platform: the newest manylinux standard the target's glibc supports, e.g. manylinux_2_28.")
    var manylinux: String?

    @Option(name: .customLong("complete-platform"), help: ArgumentHelp("Target described by a complete-platform JSON file.", valueName: "file"))
    var completePlatform: [String] = []

    @Option(help: "AWS Lambda runtime, e.g. python3.12.")
    var runtime: [String] = []

    @Option(help: "With --runtime: the Lambda architecture (x86_64 or arm64).")
    var architecture: [Architecture] = []

    mutating func validate() throws {
        if platform.isEmpty && completePlatform.isEmpty && runtime.isEmpty {
            throw ValidationError("Choose the target with one of --runtime, --platform or --complete-platform.")
        }
        if !architecture.isEmpty && runtime.isEmpty {
            throw ValidationError("--architecture applies only to --runtime.")
        }
        if manylinux != nil && platform.isEmpty {
            throw ValidationError("--manylinux applies only to --platform.")
        }
    }

    /// Every target named: each platform, each complete platform, and each runtime on each architecture.
    var specifications: [TargetSpecification] {
        platform.map { .platform($0, manylinux: manylinux) } + completePlatform.map { .completePlatform(path: $0) }
            + runtime.flatMap { runtime in
                (architecture.isEmpty ? [.x86_64] : architecture).map { .lambda(runtime: runtime, architecture: $0.rawValue) }
            }
    }
}

/// pip's `--timeout` for the commands where `--timeout` means nothing else (`build`, `lock`); `invoke`
/// and `deploy` use `--timeout` for the function and take `--index-timeout`.
struct IndexTimeoutArgument: ParsableArguments {
    @Option(name: .customLong("timeout"),
            help: ArgumentHelp("Seconds without data before a download attempt fails (pip's --timeout; the same as --index-timeout).",
                               valueName: "seconds"))
    var timeout: Double?

    func validate() throws {
        if let timeout, !(timeout > 0 && timeout.isFinite) {
            throw ValidationError("--timeout must be a positive number of seconds, not \(timeout).")
        }
    }

    /// `index`'s options, with this timeout when `--index-timeout` was not given.
    func applied(to index: IndexArguments) -> IndexOptions {
        var options = index.options
        options.timeout = options.timeout ?? timeout
        return options
    }
}

/// Index and cache flags, spelled as pip spells them (shared by `build`, `lock` and `invoke`).
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

    // Also `--timeout` (pip's spelling) where a command has no function timeout: see IndexTimeoutArgument.
    @Option(name: .customLong("index-timeout"),
            help: ArgumentHelp("Seconds without data before a download attempt fails (default: PIP_DEFAULT_TIMEOUT, else 15).",
                               valueName: "seconds"))
    var timeout: Double?

    @Option(help: ArgumentHelp(
        "PEM bundle (or directory) of the CA certificates index servers must verify against, instead of the default "
            + "ones (pip's --cert). Default: PIP_CERT, pip's `cert`, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, "
            + "SSL_CERT_FILE/SSL_CERT_DIR, else libcurl's CA bundle.", valueName: "path"))
    var cert: String?

    @Option(name: .customLong("client-cert"), help: ArgumentHelp(
        "One PEM file with the private key and certificate to present to index servers that ask for one "
            + "(pip's --client-cert). Default: PIP_CLIENT_CERT, pip's `client-cert`.", valueName: "path"))
    var clientCert: String?

    func validate() throws {
        if let timeout, !(timeout > 0 && timeout.isFinite) {
            throw ValidationError("--index-timeout must be a positive number of seconds, not \(timeout).")
        }
    }

    var options: IndexOptions {
        IndexOptions(indexURL: indexURL, extraIndexURLs: extraIndexURLs, findLinks: findLinks, noIndex: noIndex,
                     offline: offline, cacheDirectory: cacheDirectory, timeout: timeout, cert: cert, clientCert: clientCert)
    }
}
