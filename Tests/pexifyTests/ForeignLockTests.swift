import Foundation
import TestSupport
import Testing

/// Locks made by the real tools (uv, Poetry, Pipenv) against a loopback pypiserver over the test
/// wheelhouse, for a project whose dependencies differ by machine and Python version; `pexify --lock`
/// builds each Lambda target from them, and the archive must hold exactly the distributions uv
/// installs for that target (`uv pip install --target --python-platform`, from `uv export` or from
/// the project's requirements).
@Suite(.serialized, .enabled(if: LockTools.available("uv", "poetry", "pipenv"),
                             "scripts/setup-test-env.sh installs uv, poetry and pipenv into the test venv"))
struct ForeignLockTests {
    /// A Lambda target and the same platform spelled for uv.
    struct Target: Sendable, CustomTestStringConvertible {
        var runtime: String
        var architecture: String
        var uvPlatform: String
        var testDescription: String { "\(runtime)-\(architecture)" }

        /// The runtime's Python version (from the platform data pexify embeds).
        func pythonVersion() throws -> String {
            let json = TestEnvironment.packageRoot + "/platforms/lambda/\(runtime)-\(architecture).json"
            let object = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: json)))
            return try #require(((object as? [String: Any])?["marker_environment"] as? [String: Any])?["python_full_version"]
                as? String)
        }

        var arguments: [String] { ["--runtime", runtime, "--architecture", architecture] }
    }

    /// Lambda's glibc is 2.26 on Amazon Linux 2 (3.11), which uv cannot name: its nearest platform below,
    /// manylinux_2_17, admits the same wheels of the wheelhouse. Amazon Linux 2023 (3.12) has 2.34.
    static let targets = [
        Target(runtime: "python3.11", architecture: "x86_64", uvPlatform: "x86_64-manylinux_2_17"),
        Target(runtime: "python3.11", architecture: "arm64", uvPlatform: "aarch64-manylinux_2_17"),
        Target(runtime: "python3.12", architecture: "x86_64", uvPlatform: "x86_64-manylinux_2_34"),
        Target(runtime: "python3.12", architecture: "arm64", uvPlatform: "aarch64-manylinux_2_34"),
    ]

    /// Binary wheels in the wheelhouse are CPython 3.11 x86_64 only, so what needs them is marked so;
    /// the foreign wheelhouse's older charset-normalizer for aarch64 makes the locks fork (two versions
    /// of one package, each for some environments).
    static let dependencies = [
        "idna",
        "charset-normalizer==3.5.2 ; platform_machine == 'aarch64' and python_version < '3.12'",
        "charset-normalizer>=3.5.3 ; platform_machine == 'x86_64' and python_version < '3.12'",
        "requests ; platform_machine == 'x86_64' and python_version < '3.12'",
        "pydantic ; platform_machine == 'x86_64' and python_version < '3.12'",
        "python-dateutil ; python_version >= '3.12'",
        "urllib3 ; platform_machine == 'aarch64'",
    ]
    static let extra = ("models", ["annotated-types"])
    static let group = ("dev", ["typing-extensions"])

    /// The loopback index, a scratch directory, and the project written for uv and Poetry.
    struct Setup {
        let directory: TemporaryDirectory
        let server: LoopbackServer
        var index: String { server.baseURL + "/simple/" }

        init() throws {
            directory = try TemporaryDirectory("pexify-foreign-lock")
            // The index serves the wheelhouse and the foreign-architecture wheels (linked, not copied).
            let root = directory.child("index")
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let foreign = (TestEnvironment.wheelhouse as NSString).deletingLastPathComponent + "/wheelhouse-foreign"
            for source in [TestEnvironment.wheelhouse, foreign] {
                for name in try FileManager.default.contentsOfDirectory(atPath: source) where name.hasSuffix(".whl") {
                    try FileManager.default.createSymbolicLink(atPath: root + "/" + name, withDestinationPath: source + "/" + name)
                }
            }
            server = try LoopbackServer("pypiserver", ["--root", root])
        }

        func close() { server.stop(); directory.remove() }

        func pyproject(poetrySource: Bool) -> String {
            func list(_ items: [String]) -> String { "[" + items.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
            var text = """
                [project]
                name = "app"
                version = "0.1.0"
                requires-python = ">=3.11,<4"
                dependencies = \(list(ForeignLockTests.dependencies))

                [project.optional-dependencies]
                \(ForeignLockTests.extra.0) = \(list(ForeignLockTests.extra.1))

                [dependency-groups]
                \(ForeignLockTests.group.0) = \(list(ForeignLockTests.group.1))

                """
            if poetrySource {
                text += """

                    [tool.poetry]
                    package-mode = false

                    [[tool.poetry.source]]
                    name = "loopback"
                    url = "\(index)"
                    priority = "primary"

                    """
            }
            return text
        }

        /// `uv lock` of the project whose `pyproject.toml` is at `pyproject`, against the loopback index;
        /// returns the project's directory (where `uv.lock` is).
        @discardableResult
        func uvLock(_ pyproject: String) throws -> String {
            let root = (pyproject as NSString).deletingLastPathComponent
            try LockTools.run("uv", ["lock", "--no-config", "--project", root, "--default-index", index,
                                     "--python", TestEnvironment.python], in: directory)
            return root
        }

        /// `pexify --lock` for the target; the archive's distributions.
        func build(_ lock: String, _ target: Target, extras: [String] = [], groups: [String] = [],
                   index: Bool = true) throws -> [String] {
            let output = directory.child("\(target.testDescription)-\(UUID().uuidString.prefix(6)).zip")
            try PexifyCLI.succeed(["--lock", lock, "--layout", "zip", "-o", output, "--cache-dir", PexifyCLI.cache]
                + target.arguments + extras.flatMap { ["--extra", $0] } + groups.flatMap { ["--group", $0] }
                + (index ? ["--index-url", self.index] : []))
            return try LockTools.distributions(in: output)
        }

        /// What uv installs for the target: `uv pip install --target` of a requirements file (with
        /// `--no-deps` when it is an export that already lists everything).
        func uvInstalls(_ requirements: String, _ target: Target, noDeps: Bool) throws -> [String] {
            let installed = directory.child("uv-\(target.testDescription)-\(UUID().uuidString.prefix(6))")
            try LockTools.run("uv", ["pip", "install", "--no-config", "--target", installed, "--python", TestEnvironment.python,
                                     "--python-platform", target.uvPlatform, "--python-version", try target.pythonVersion(),
                                     "--index-url", index, "-r", requirements] + (noDeps ? ["--no-deps"] : []),
                               in: directory)
            return try LockTools.distributions(in: installed)
        }

        /// The project's requirements for a plain resolution by uv, with the extra and group when asked.
        func requirements(withSelection: Bool) throws -> String {
            try directory.write("requirements-\(withSelection).txt", (ForeignLockTests.dependencies
                + (withSelection ? ForeignLockTests.extra.1 + ForeignLockTests.group.1 : [])).joined(separator: "\n") + "\n")
        }
    }

    @Test func uvLockBuildsWhatUvExportInstallsOnEachTarget() throws {
        let setup = try Setup()
        defer { setup.close() }
        let project = try setup.directory.write("uv/pyproject.toml", setup.pyproject(poetrySource: false))
        let root = try setup.uvLock(project)
        let lock = root + "/uv.lock"
        let text = try String(contentsOfFile: lock, encoding: .utf8)
        #expect(text.contains("resolution-markers") && text.components(separatedBy: "[[package]]\nname = \"charset-normalizer\"").count == 3)
        var plain: [String: [String]] = [:]  // target → what it installs without extras or groups
        for withSelection in [false, true] {
            var sets: Set<[String]> = []
            let selection = withSelection ? ["--extra", Self.extra.0, "--group", Self.group.0] : []
            let exported = setup.directory.child("export-\(withSelection).txt")
            try LockTools.run("uv", ["export", "--no-config", "--project", root, "--frozen", "--format", "requirements-txt",
                                     "--no-hashes", "--no-emit-project", "--no-default-groups", "-o", exported] + selection,
                              in: setup.directory)
            for target in Self.targets {
                let built = try setup.build(lock, target, extras: withSelection ? [Self.extra.0] : [],
                                            groups: withSelection ? [Self.group.0] : [])
                let expected = try setup.uvInstalls(exported, target, noDeps: true)
                #expect(built == expected, "\(target.testDescription) selection \(withSelection)")
                sets.insert(built)
                if !withSelection { plain[target.testDescription] = built }
                // The extra adds annotated-types, which otherwise only pydantic (3.11 on x86_64) brings.
                let bringsIt = withSelection || (target.runtime == "python3.11" && target.architecture == "x86_64")
                #expect(built.contains { $0.hasPrefix("annotated-types ") } == bringsIt, "\(target.testDescription)")
            }
            #expect(sets.count == Self.targets.count, "every target installs a different set")
        }
        // `pexify lock --lock uv.lock` writes the same pins as one pylock.toml for all four targets.
        let converted = setup.directory.child("pylock.lambda.toml")
        try PexifyCLI.succeed(["lock", "--lock", lock, "--runtime", "python3.11", "--runtime", "python3.12",
                               "--architecture", "x86_64", "--architecture", "arm64", "-o", converted,
                               "--index-url", setup.index, "--cache-dir", PexifyCLI.cache])
        for target in Self.targets {
            #expect(try setup.build(converted, target) == plain[target.testDescription], "\(target.testDescription)")
        }
        // One wheel's hash changed in the lock: the build names the package and writes nothing.
        let idnaHash = try #require(try python(
            "import sys, tomllib\nprint(next(p for p in tomllib.load(open(sys.argv[1], 'rb'))['package'] if p['name'] == 'idna')"
                + "['wheels'][0]['hash'])", arguments: [lock]).split(separator: "\n").first)
        let tampered = try setup.directory.write("tampered/uv.lock", try String(contentsOfFile: lock, encoding: .utf8)
            .replacingOccurrences(of: String(idnaHash), with: "sha256:" + String(repeating: "0", count: 64)))
        let output = setup.directory.child("tampered.zip")
        let result = try PexifyCLI.run(["--lock", tampered, "--layout", "zip", "-o", output, "--index-url", setup.index,
                                        "--cache-dir", setup.directory.child("fresh-cache")] + Self.targets[0].arguments)
        #expect(result.status != 0 && result.stderr.contains("idna 3.21") && result.stderr.contains("sha256"), "\(result.summary)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func uvWorkspaceMembersAreTheUsersOwnCodeAndTheirDependenciesAreInstalled() throws {
        let setup = try Setup()
        defer { setup.close() }
        let project = try setup.directory.write("ws/pyproject.toml", """
            [project]
            name = "app"
            version = "0.1.0"
            requires-python = ">=3.11"
            dependencies = ["lib", "certifi"]

            [tool.uv.sources]
            lib = { workspace = true }

            [tool.uv.workspace]
            members = ["packages/lib"]

            """)
        try setup.directory.write("ws/packages/lib/pyproject.toml", """
            [project]
            name = "lib"
            version = "0.2.0"
            requires-python = ">=3.11"
            dependencies = ["idna ; platform_machine == 'x86_64'"]

            [build-system]
            requires = ["hatchling"]
            build-backend = "hatchling.build"

            """)
        let root = try setup.uvLock(project)
        let exported = setup.directory.child("export.txt")
        try LockTools.run("uv", ["export", "--no-config", "--project", root, "--frozen", "--format", "requirements-txt",
                                 "--no-hashes", "--no-emit-workspace", "--no-default-groups", "-o", exported],
                          in: setup.directory)
        for target in Self.targets.prefix(2) {
            #expect(try setup.build(root + "/uv.lock", target) == (try setup.uvInstalls(exported, target, noDeps: true)),
                    "\(target.testDescription)")
        }
        let result = try PexifyCLI.succeed(["--lock", root + "/uv.lock", "--layout", "zip", "-o", setup.directory.child("w.zip"),
                                            "--index-url", setup.index, "--cache-dir", PexifyCLI.cache] + Self.targets[0].arguments)
        #expect(result.stderr.contains("lib is a project of this workspace"), "\(result.summary)")
    }

    @Test func uvExportedPylockBuildsWhatUvInstalls() throws {
        let setup = try Setup()
        defer { setup.close() }
        let project = try setup.directory.write("uv/pyproject.toml", setup.pyproject(poetrySource: false))
        let root = try setup.uvLock(project)
        let pylock = setup.directory.child("pylock.toml")
        try LockTools.run("uv", ["export", "--no-config", "--project", root, "--frozen", "--format", "pylock.toml",
                                 "--no-default-groups", "--no-emit-project", "-o", pylock], in: setup.directory)
        let exported = setup.directory.child("export.txt")
        try LockTools.run("uv", ["export", "--no-config", "--project", root, "--frozen", "--format", "requirements-txt",
                                 "--no-hashes", "--no-emit-project", "--no-default-groups", "-o", exported],
                          in: setup.directory)
        for target in Self.targets {
            #expect(try setup.build(pylock, target) == (try setup.uvInstalls(exported, target, noDeps: true)),
                    "\(target.testDescription)")
        }
    }

    /// The same project in Poetry's own `[tool.poetry]` tables (constraint arrays, `python` conditions,
    /// an optional dependency behind `[tool.poetry.extras]`, a `[tool.poetry.group]`).
    func classicPoetryProject(index: String) -> String {
        """
        [tool.poetry]
        name = "app"
        version = "0.1.0"
        description = ""
        authors = []
        package-mode = false

        [tool.poetry.dependencies]
        python = ">=3.11,<4"
        idna = "*"
        charset-normalizer = [
            { version = "==3.5.2", markers = "platform_machine == 'aarch64' and python_version < '3.12'" },
            { version = ">=3.5.3", markers = "platform_machine == 'x86_64'", python = "<3.12" },
        ]
        requests = { version = "*", markers = "platform_machine == 'x86_64'", python = "<3.12" }
        pydantic = { version = "*", markers = "platform_machine == 'x86_64'", python = "~3.11" }
        python-dateutil = { version = "*", python = ">=3.12" }
        urllib3 = { version = "*", markers = "platform_machine == 'aarch64'" }
        annotated-types = { version = "*", optional = true }

        [tool.poetry.extras]
        \(Self.extra.0) = ["annotated-types"]

        [tool.poetry.group.\(Self.group.0).dependencies]
        typing-extensions = "*"

        [[tool.poetry.source]]
        name = "loopback"
        url = "\(index)"
        priority = "primary"

        """
    }

    @Test(arguments: [false, true])
    func poetryLockBuildsWhatUvResolvesOnEachTarget(classic: Bool) throws {
        let setup = try Setup()
        defer { setup.close() }
        let project = try setup.directory.write(
            "poetry/pyproject.toml", classic ? classicPoetryProject(index: setup.index) : setup.pyproject(poetrySource: true))
        let root = (project as NSString).deletingLastPathComponent
        try LockTools.run("poetry", ["lock", "--no-interaction"], in: setup.directory, currentDirectory: root)
        let lock = root + "/poetry.lock"
        #expect(try String(contentsOfFile: lock, encoding: .utf8)
            .components(separatedBy: "[[package]]\nname = \"charset-normalizer\"").count == 3, "Poetry forks too")
        for withSelection in [false, true] {
            let requirements = try setup.requirements(withSelection: withSelection)
            for target in Self.targets {
                // No --index-url: the files come from the source the lock names.
                let built = try setup.build(lock, target, extras: withSelection ? [Self.extra.0] : [],
                                            groups: withSelection ? [Self.group.0] : [], index: false)
                #expect(built == (try setup.uvInstalls(requirements, target, noDeps: false)),
                        "\(target.testDescription) selection \(withSelection)")
            }
        }
        guard !classic else { return }  // the tampered lock is checked once, on the PEP 621 project
        let text = try String(contentsOfFile: lock, encoding: .utf8)
        let hash = try #require(text.firstMatch(of: #/requests-[^"]+\.whl", hash = "(sha256:[0-9a-f]{64})"/#)?.output.1)
        let tampered = try setup.directory.write("tampered/poetry.lock", text.replacingOccurrences(
            of: String(hash), with: "sha256:" + String(repeating: "1", count: 64)))
        try setup.directory.write("tampered/pyproject.toml", setup.pyproject(poetrySource: true))
        let output = setup.directory.child("tampered.zip")
        let result = try PexifyCLI.run(["--lock", tampered, "--layout", "zip", "-o", output,
                                        "--cache-dir", setup.directory.child("fresh-cache")] + Self.targets[0].arguments)
        #expect(result.status != 0 && result.stderr.contains("requests 2.34.2"), "\(result.summary)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func pipenvLockBuildsItsOwnEnvironmentAndNamesWhatItDoesNotPin() throws {
        let setup = try Setup()
        defer { setup.close() }
        // Pipenv resolves one environment, so it cannot hold the fork's second version.
        let entries = Self.dependencies.filter { !$0.contains("==") }.map { line -> String in
            let parts = line.split(separator: ";", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            return parts.count == 1 ? "\(parts[0]) = \"*\""
                : "\(parts[0]) = {version = \"*\", markers = \"\(parts[1])\"}"
        }
        let pipfile = try setup.directory.write("pipenv/Pipfile", """
            [[source]]
            url = "\(setup.index)"
            verify_ssl = false
            name = "loopback"

            [packages]
            \(entries.joined(separator: "\n"))

            [dev-packages]
            \(Self.group.1.map { "\($0) = \"*\"" }.joined(separator: "\n"))

            [requires]
            python_version = "3.11"

            """)
        let root = (pipfile as NSString).deletingLastPathComponent
        try LockTools.run("pipenv", ["lock"], in: setup.directory, currentDirectory: root)
        let lock = root + "/Pipfile.lock"
        // Pipenv resolves for the Python and machine it runs on (3.11, x86_64): that target matches
        // what uv installs from `pipenv requirements`, with and without the develop category.
        let target = Self.targets[0]
        for develop in [false, true] {
            let exported = try setup.directory.write(
                "pipenv-\(develop).txt", try LockTools.run("pipenv", ["requirements"] + (develop ? ["--dev"] : []),
                                                           in: setup.directory, currentDirectory: root))
            let built = try setup.build(lock, target, groups: develop ? ["develop"] : [], index: false)
            #expect(built == (try setup.uvInstalls(exported, target, noDeps: true)), "develop \(develop)")
        }
        // Python 3.12 needs python-dateutil, which Pipenv left unpinned: an error that names it, no output.
        let output = setup.directory.child("py312.zip")
        let result = try PexifyCLI.run(["--lock", lock, "--layout", "zip", "-o", output, "--cache-dir", PexifyCLI.cache]
            + Self.targets[3].arguments)
        #expect(result.status != 0 && result.stderr.contains("python-dateutil"), "\(result.summary)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func oneLockForFourTargetsBuildsWhatUvResolvesForEach() throws {
        let setup = try Setup()
        defer { setup.close() }
        let requirements = try setup.requirements(withSelection: false)
        let lock = setup.directory.child("pylock.toml")
        try PexifyCLI.succeed(["lock", "-r", requirements, "--runtime", "python3.11", "--runtime", "python3.12",
                               "--architecture", "x86_64", "--architecture", "arm64", "-o", lock,
                               "--index-url", setup.index, "--cache-dir", PexifyCLI.cache])
        let text = try String(contentsOfFile: lock, encoding: .utf8)
        let again = setup.directory.child("pylock.again.toml")
        try PexifyCLI.succeed(["lock", "-r", requirements, "--runtime", "python3.11", "--runtime", "python3.12",
                               "--architecture", "x86_64", "--architecture", "arm64", "-o", again,
                               "--index-url", setup.index, "--cache-dir", PexifyCLI.cache])
        #expect(try String(contentsOfFile: again, encoding: .utf8) == text, "the same resolutions give the same bytes")
        #expect(text.components(separatedBy: "environments = [").count == 2
            && text.components(separatedBy: "name = \"charset-normalizer\"\nversion").count == 3
            && text.contains("marker = "), "\(text)")
        for target in Self.targets {
            let expected = try setup.uvInstalls(requirements, target, noDeps: false)
            #expect(try setup.build(lock, target) == expected, "\(target.testDescription)")
            // packaging's PEP 751 reader selects the same packages for the target's environment and tags.
            let json = TestEnvironment.packageRoot + "/platforms/lambda/\(target.runtime)-\(target.architecture).json"
            let selected = try python(#"""
import json, sys, tomllib
from packaging.pylock import Pylock
from packaging.tags import parse_tag
from packaging.utils import canonicalize_name
platform = json.load(open(sys.argv[2]))
lock = Pylock.from_dict(tomllib.load(open(sys.argv[1], "rb")))
tags = [t for s in platform["compatible_tags"] for t in parse_tag(s)]
for package, dist in lock.select(environment=platform["marker_environment"], tags=tags):
    print(canonicalize_name(package.name), package.version)
"""#, arguments: [lock, json]).split(separator: "\n").map(String.init).sorted()
            #expect(selected == expected, "\(target.testDescription)")
        }
    }

    @Test func buildingWithoutTheLockBesideItGivesAHint() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("uv.lock", "version = 1\n")
        let result = try PexifyCLI.succeed(["idna", "--layout", "zip", "--runtime", "python3.11", "-o",
                                            directory.child("out.zip")] + PexifyCLI.offline(),
                                           currentDirectory: directory.path)
        #expect(result.stderr.contains("hint: uv.lock") && result.stderr.contains("--lock uv.lock"), "\(result.summary)")
    }
}
