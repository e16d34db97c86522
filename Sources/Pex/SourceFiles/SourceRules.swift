import Foundation

/// What a `-D` sources directory leaves out, and why.
///
/// A user packaging a project directory (`-D .`) must not ship its git history, its virtualenv, its
/// caches or its secrets. From weakest to strongest, a path is decided by:
/// 1. `.gitignore` and `.pexifyignore` files (the same syntax; nested files override outer ones, and a
///    `.pexifyignore` overrides the `.gitignore` beside it), including those of the git work tree above the
///    directory and its `.git/info/exclude`, as git applies them (a user's global excludes file is not read:
///    the build must not depend on who runs it);
/// 2. the built-in rules: version control, virtual environments, caches, `node_modules`, build outputs,
///    and files that look like secrets (``Reason``) — a `!` line in an ignore file does not bring these back;
/// 3. `--exclude-source GLOB`;
/// 4. `--include-source GLOB`, which brings back anything above, secrets included.
///
/// Globs use the `.gitignore` syntax relative to the sources directory (`tests/`, `/docs/**`, `*.md`). As
/// in git, nothing inside a directory that stays left out can be brought back: include the directory.
public struct SourceRules: Sendable {
    /// `--exclude-source` globs.
    public var excluded: [String]
    /// `--include-source` globs.
    public var included: [String]
    /// Whether the built-in rules apply (tests compare the ignore-file logic alone with git).
    var builtIn = true

    public init(excluded: [String] = [], included: [String] = []) {
        self.excluded = excluded
        self.included = included
    }

    /// Why a path was left out.
    public enum Reason: String, Sendable, Codable, Equatable, CaseIterable {
        /// `.git`, `.hg`, `.svn`.
        case versionControl = "version-control"
        /// A directory holding `pyvenv.cfg` ([PEP 405](https://peps.python.org/pep-0405/)).
        case virtualEnvironment = "virtual-environment"
        /// `__pycache__`, `.pytest_cache`, `.mypy_cache`, `.ruff_cache`, `.tox`, `.nox`.
        case cache
        case nodeModules = "node-modules"
        /// `build/` and `dist/` at the top of the sources directory, `*.egg-info` anywhere.
        case buildOutput = "build-output"
        /// `.env*`, `*.pem`, `*.key`, `id_rsa*`, `credentials`, `.npmrc`, `.pypirc`, `.netrc`.
        case secret
        /// The `.gitignore` and `.pexifyignore` files themselves: rules for the build, not code.
        case ignoreRules = "ignore-rules"
        /// Matched by a `.gitignore` or `.pexifyignore` line.
        case ignoreFile = "ignore-file"
        /// Matched by `--exclude-source`.
        case excludeOption = "exclude-source"
        /// The archive being written.
        case output
        /// A symbolic link to a directory that contains it.
        case symlinkCycle = "symlink-cycle"
    }

    static let ignoreFileNames = [".gitignore", ".pexifyignore"]
    static let versionControl: Set<String> = [".git", ".hg", ".svn"]
    static let caches: Set<String> = ["__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".tox", ".nox"]
    static let topLevelBuildOutputs: Set<String> = ["build", "dist"]
    static let secrets = [".env*", "*.pem", "*.key", "id_rsa*", "credentials", ".npmrc", ".pypirc", ".netrc"]
        .map { Array($0.utf8) }

    /// The built-in reason to leave a path out, if any.
    /// - Parameters:
    ///   - path: relative to the sources directory.
    ///   - absolute: the path on disk (a directory is a virtual environment when it holds `pyvenv.cfg`).
    func builtInReason(_ path: String, absolute: String, isDirectory: Bool) -> Reason? {
        guard builtIn else { return nil }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if Self.ignoreFileNames.contains(name) && !isDirectory { return .ignoreRules }
        guard isDirectory else {
            return Self.secrets.contains { Wildmatch.matches($0, Array(name.utf8)) } ? .secret : nil
        }
        if Self.versionControl.contains(name) { return .versionControl }
        if Self.caches.contains(name) { return .cache }
        if name == "node_modules" { return .nodeModules }
        if name.hasSuffix(".egg-info") || (Self.topLevelBuildOutputs.contains(name) && !path.contains("/")) {
            return .buildOutput
        }
        if FileManager.default.fileExists(atPath: absolute + "/pyvenv.cfg") { return .virtualEnvironment }
        return nil
    }
}

/// A path the sources directory did not put into the archive, with the reason.
public struct LeftOutSource: Sendable, Codable, Equatable {
    /// Relative to the sources directory; a directory ends in `/` (nothing below it was looked at).
    public var path: String
    public var reason: SourceRules.Reason
    /// The rule that matched, for `ignore-file` (`.gitignore:3: *.log`) and `exclude-source` (the glob).
    public var rule: String?

    public init(path: String, reason: SourceRules.Reason, rule: String? = nil) {
        self.path = path
        self.reason = reason
        self.rule = rule
    }
}
