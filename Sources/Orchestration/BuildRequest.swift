import Pex
import Resolver

/// Which interpreter and platform the archive is for, as the user named it.
public enum TargetSpecification: Sendable, Equatable {
    /// An abbreviated platform such as `linux_x86_64-cp311` or `linux_x86_64-cp-3.11.9-cp311`, optionally with
    /// the newest manylinux standard the target's glibc satisfies (docs/formats/targets.md).
    case platform(String, manylinux: String?)
    /// A complete-platform JSON file: marker environment plus ordered compatible tags (docs/formats/targets.md).
    case completePlatform(path: String)
    /// An AWS Lambda runtime (`python3.8` … `python3.14`) on `x86_64` or `arm64`.
    case lambda(runtime: String, architecture: String)
}

/// What to install: requirements and requirement files, or a lock file.
public struct RequirementInputs: Sendable, Equatable {
    /// PEP 508 requirement strings.
    public var requirements: [String]
    /// `-r` requirements files (pip's format, including `-c` constraints inside them).
    public var requirementFiles: [String]
    /// A lock to install instead of resolving: `pylock.toml` (PEP 751), `uv.lock`, `poetry.lock` or
    /// `Pipfile.lock`.
    public var lockFile: String?
    /// With `lockFile`: the extras and dependency groups to install (as `uv export --extra/--group`).
    public var extras: [String]
    /// With `lockFile`, the lock's groups; otherwise the PEP 735 dependency groups of the first local
    /// project's `pyproject.toml` (else `./pyproject.toml`).
    public var groups: [String]
    /// Allow pre-releases everywhere.
    public var prereleases: Bool
    /// `--project DIR`: local projects built into wheels and installed with their dependencies (path
    /// requirements such as `./libs/shared` among `requirements` do the same).
    public var projects: [String] = []
    /// `--only-binary`, `--no-binary`, `--prefer-binary` (a requirements file's come first).
    public var binaryPolicy = BinaryPolicy()

    public init(requirements: [String] = [], requirementFiles: [String] = [], lockFile: String? = nil,
                extras: [String] = [], groups: [String] = [], prereleases: Bool = false) {
        self.requirements = requirements
        self.requirementFiles = requirementFiles
        self.lockFile = lockFile
        self.extras = extras
        self.groups = groups
        self.prereleases = prereleases
    }

    public var isEmpty: Bool {
        requirements.isEmpty && requirementFiles.isEmpty && lockFile == nil && projects.isEmpty && groups.isEmpty
    }
}

/// Everything one `pexify` build needs; the command line maps its flags onto this value one to one.
public struct BuildRequest: Sendable {
    public var layout: Layout
    public var inputs: RequirementInputs
    public var target: TargetSpecification
    public var index: IndexOptions
    /// `-D` directories whose contents go to the archive root (their import roots).
    public var sourcesDirectories: [String]
    /// `--handler` as `FILE.py:FUNC` or `MODULE:FUNC` (zip and layer layouts).
    public var handler: String?
    /// `-e` `MODULE[:FUNC]` (pex layout).
    public var entryPoint: String?
    /// `-c` console script name (pex layout).
    public var consoleScript: String?
    /// Distributions to leave out, with whatever only they needed.
    public var excluded: [String]
    /// Deflate level 0–9 for new content; `nil` for the default.
    public var compressionLevel: Int?
    /// Compression workers; `nil` for one per core.
    public var jobs: Int?
    /// The PEX shebang interpreter (pex layout).
    public var pythonShebang: String?
    public var sizeCheck: Bool
    public var nativeCheck: Bool
    /// The archive to write.
    public var output: String
    /// `--compile`: add bytecode for the target next to every `.py` (see ``CompiledBytecode``).
    public var compile = false
    /// `--compile-with`: the interpreter that compiles; `nil` finds `pythonX.Y` on `PATH`.
    public var compileWith: String?
    /// `--exclude-source` and `--include-source` globs for the `-D` directories (see ``SourceRules``).
    public var sourceRules = SourceRules()
    /// `--with-layer`: the layer zips the function will use, in order.
    public var layers: [String] = []
    /// `--slim`: leave out what a function never runs and strip debug information (see
    /// ``WheelInstallPlan/slim(pythonVersion:)``).
    public var slim = false

    public init(layout: Layout, inputs: RequirementInputs, target: TargetSpecification, index: IndexOptions = .init(),
                sourcesDirectories: [String] = [], handler: String? = nil, entryPoint: String? = nil,
                consoleScript: String? = nil, excluded: [String] = [], compressionLevel: Int? = nil,
                jobs: Int? = nil, pythonShebang: String? = nil, sizeCheck: Bool = true, nativeCheck: Bool = true,
                output: String) {
        self.layout = layout
        self.inputs = inputs
        self.target = target
        self.index = index
        self.sourcesDirectories = sourcesDirectories
        self.handler = handler
        self.entryPoint = entryPoint
        self.consoleScript = consoleScript
        self.excluded = excluded
        self.compressionLevel = compressionLevel
        self.jobs = jobs
        self.pythonShebang = pythonShebang
        self.sizeCheck = sizeCheck
        self.nativeCheck = nativeCheck
        self.output = output
    }
}
