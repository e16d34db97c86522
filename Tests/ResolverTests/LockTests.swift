import Basics
import Foundation
import Resolver
import TestSupport
import Testing

/// pylock.toml: written deterministically, accepted by `packaging.pylock` (the oracle), and used to
/// build without resolving, fetching only what the cache lacks and refusing changed files.
@Suite struct LockTests {
    struct Setup {
        let fixture: IndexFixture
        let server: LoopbackServer
        let resolution: Resolution
        let target: TargetPlatform
        let client: (String) throws -> IndexClient
    }

    func setUp() async throws -> Setup {
        let fixture = try IndexFixture([
            WheelSpec("app", "1.0", requires: ["lib>=1"]), WheelSpec("lib", "1.2"),
            WheelSpec("native", "2.0", tags: "cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64"),
        ])
        let server = try fixture.simpleServer()
        let target = try TargetPlatform.lambda(runtime: "python3.12", architecture: "arm64")
        let client = { (cache: String) in
            IndexClient(configuration: IndexConfiguration(indexURL: server.baseURL + "/simple/"),
                        cache: try Cache(directory: fixture.directory.child(cache)),
                        policy: FetchPolicy(retry: RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(50))))
        }
        let resolution = try await Resolver.resolve(
            ResolveRequest(requirements: [try Requirement("app"), try Requirement("native")], target: target,
                           index: IndexConfiguration(indexURL: server.baseURL + "/simple/")),
            client: try client("cache"))
        return Setup(fixture: fixture, server: server, resolution: resolution, target: target, client: client)
    }

    @Test func lockIsDeterministicAndPackagingSelectsTheSameWheels() async throws {
        let setup = try await setUp()
        defer { setup.server.stop(); setup.fixture.directory.remove() }
        let text = PyLock.render(setup.resolution)
        #expect(text == PyLock.render(setup.resolution))
        let path = try setup.fixture.directory.write("pylock.toml", text)
        let json = TestEnvironment.packageRoot + "/platforms/lambda/python3.12-arm64.json"
        let selected = try python(#"""
import json, sys, tomllib
from packaging.pylock import Pylock
from packaging.tags import parse_tag
platform = json.load(open(sys.argv[2]))
lock = Pylock.from_dict(tomllib.load(open(sys.argv[1], "rb")))
tags = [t for s in platform["compatible_tags"] for t in parse_tag(s)]
for package, dist in lock.select(environment=platform["marker_environment"], tags=tags):
    print(dist.name, dist.hashes["sha256"])
"""#, arguments: [path, json]).split(separator: "\n").map(String.init).sorted()
        #expect(selected == setup.resolution.distributions.map { "\($0.wheel.filename) \($0.sha256)" }.sorted())
    }

    @Test func buildFromLockUsesTheCacheAndRefusesChangedFiles() async throws {
        let setup = try await setUp()
        defer { setup.server.stop(); setup.fixture.directory.remove() }
        let path = try setup.fixture.directory.write("pylock.toml", PyLock.render(setup.resolution))
        let client = { (cache: String) in { (_: String?) in try setup.client(cache) } }

        let before = setup.fixture.requests().count
        let warm = try await LockFile.resolution(path: path, target: setup.target, client: client("cache"))
        #expect(warm.distributions.map(\.sha256) == setup.resolution.distributions.map(\.sha256))
        #expect(setup.fixture.requests().count == before)

        let cold = try await LockFile.resolution(path: path, target: setup.target, client: client("cold"))
        #expect(cold.distributions.map(\.sha256) == setup.resolution.distributions.map(\.sha256))
        #expect(setup.fixture.requests().dropFirst(before).filter { $0.hasPrefix("GET /files/") }.count == 3)

        let lib = setup.resolution.distributions.first { $0.name.rawValue == "lib" }!
        let tampered = try setup.fixture.directory.write(
            "tampered.toml",
            PyLock.render(setup.resolution).replacingOccurrences(of: lib.sha256, with: String(repeating: "0", count: 64)))
        await #expect {
            _ = try await LockFile.resolution(path: tampered, target: setup.target, client: client("fresh"))
        } throws: { error in
            guard let error = error as? LockError, case let .fileRejected(_, package, reason) = error else { return false }
            return package == "lib 1.2" && reason.contains("sha256")
        }
        #expect((FileManager.default.enumerator(atPath: setup.fixture.directory.child("fresh/wheels"))?.allObjects
            as? [String] ?? []).allSatisfy { !$0.hasPrefix("lib") && !$0.contains("/lib-") })

        // A hash that is not 64 hex digits is refused when the lock is read, naming the entry.
        let misspelt = try setup.fixture.directory.write(
            "misspelt.toml", PyLock.render(setup.resolution).replacingOccurrences(of: lib.sha256, with: "xyz" + lib.sha256))
        #expect {
            _ = try PyLock.read(path: misspelt, target: setup.target)
        } throws: { error in
            let text = String(describing: error)
            return text.contains("misspelt.toml") && text.contains(".hashes.sha256") && text.contains("64 hex digits")
        }

        let otherTarget = try TargetPlatform.lambda(runtime: "python3.11", architecture: "x86_64")
        #expect(throws: LockError.self) { _ = try LockFile.read(path: path, target: otherTarget) }
    }

    /// A lock written from another lock (`pexify lock --lock`) takes the pinned hashes without
    /// fetching a wheel, and writes the same lock.
    @Test func relockingFetchesNothing() async throws {
        let setup = try await setUp()
        defer { setup.server.stop(); setup.fixture.directory.remove() }
        let text = PyLock.render(setup.resolution)
        let path = try setup.fixture.directory.write("pylock.toml", text)
        let before = setup.fixture.requests().count
        let relocked = try await LockFile.resolution(path: path, target: setup.target, purpose: .lock) { _ in
            try setup.client("relock")
        }
        #expect(setup.fixture.requests().count == before, "\(setup.fixture.requests().dropFirst(before))")
        #expect(relocked.distributions.allSatisfy { $0.path == nil })
        #expect(PyLock.render(relocked) == text)
    }
}

/// Locks from other tools: PEP 751 `marker`s with `extras` and `dependency-groups`, wheels chosen by
/// tag ranking (against `packaging.pylock`, the oracle), and the entries only a build frontend could install.
@Suite struct ForeignPyLockTests {
    static let specs = [
        WheelSpec("base", "1.0"), WheelSpec("socksy", "1.0"), WheelSpec("devtool", "1.0"), WheelSpec("doc", "1.0"),
        WheelSpec("native", "1.0", tags: "cp312-cp312-manylinux_2_17_x86_64"),
        WheelSpec("native", "2.0"), WheelSpec("native", "2.0", tags: "cp312-cp312-manylinux_2_17_aarch64"),
    ]

    /// A pylock.toml with local wheels whose markers use the target, `extras` and `dependency_groups`.
    func lock(in directory: TemporaryDirectory) throws -> String {
        let paths = try WheelFactory.make(Self.specs, in: directory.child("wheels"))
        func package(_ name: String, _ version: String, marker: String?) throws -> String {
            var text = "\n[[packages]]\nname = \"\(name)\"\nversion = \"\(version)\"\n"
            if let marker { text += "marker = \"\(marker)\"\n" }
            for path in paths where (path as NSString).lastPathComponent.hasPrefix("\(name)-\(version)-") {
                text += "[[packages.wheels]]\nname = \"\((path as NSString).lastPathComponent)\"\n"
                text += "path = \"wheels/\((path as NSString).lastPathComponent)\"\n"
                text += "hashes = { sha256 = \"\(try WheelFactory.sha256(path))\" }\n"
            }
            return text
        }
        var text = """
            lock-version = "1.0"
            requires-python = ">=3.11"
            extras = ["socks"]
            dependency-groups = ["dev", "docs"]
            default-groups = ["dev"]
            created-by = "hand"

            """
        text += try package("base", "1.0", marker: nil)
        text += try package("socksy", "1.0", marker: "'socks' in extras")
        text += try package("devtool", "1.0", marker: "'dev' in dependency_groups and python_version >= '3.12'")
        text += try package("doc", "1.0", marker: "'docs' in dependency_groups or platform_machine == 'aarch64'")
        text += try package("native", "1.0", marker: "platform_machine == 'x86_64'")
        text += try package("native", "2.0", marker: "platform_machine == 'aarch64'")
        return try directory.write("pylock.toml", text)
    }

    @Test(arguments: [
        ("python3.12", "x86_64", [String](), [String]()), ("python3.12", "arm64", [], []),
        ("python3.12", "x86_64", ["socks"], ["docs"]), ("python3.12", "arm64", ["socks"], ["dev", "docs"]),
    ])
    func selectsAsPackagingDoes(runtime: String, architecture: String, extras: [String], groups: [String]) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try lock(in: directory)
        let target = try TargetPlatform.lambda(runtime: runtime, architecture: architecture)
        let selection = LockSelection(extras: Set(try extras.map { try ExtraName($0) }), groups: Set(groups))
        let client = IndexClient(configuration: IndexConfiguration(indexURL: "http://127.0.0.1:9/simple/"),
                                 cache: try Cache(directory: directory.child("cache")))
        let resolution = try await LockFile.resolution(path: path, target: target, selection: selection) { _ in client }
        let json = TestEnvironment.packageRoot + "/platforms/lambda/\(runtime)-\(architecture).json"
        let selected = try python(#"""
import json, sys, tomllib
from packaging.pylock import Pylock
from packaging.tags import parse_tag
platform = json.load(open(sys.argv[2]))
lock = Pylock.from_dict(tomllib.load(open(sys.argv[1], "rb")))
tags = [t for s in platform["compatible_tags"] for t in parse_tag(s)]
extras = [e for e in sys.argv[3].split(",") if e]
groups = [g for g in sys.argv[4].split(",") if g] or None
for package, dist in lock.select(environment=platform["marker_environment"], tags=tags, extras=extras,
                                 dependency_groups=groups):
    print(dist.name)
"""#, arguments: [path, json, extras.joined(separator: ","), groups.joined(separator: ",")])
            .split(separator: "\n").map(String.init).sorted()
        #expect(resolution.distributions.map(\.wheel.filename).sorted() == selected)
    }

    @Test(arguments: [
        ("sdist = { name = \"x-1.0.tar.gz\", url = \"http://127.0.0.1:9/x-1.0.tar.gz\", hashes = { sha256 = \"00\" } }",
         "a source distribution"),
        ("vcs = { type = \"git\", url = \"http://127.0.0.1:9/x.git\", commit-id = \"0\" }", "a vcs source"),
        ("directory = { path = \"x\" }", "a directory source"),
        ("archive = { url = \"http://127.0.0.1:9/x.zip\", hashes = { sha256 = \"00\" } }", "an archive source"),
    ])
    func entriesOnlyABuildFrontendInstallsAreNamed(entry: String, kind: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("pylock.toml", "lock-version = \"1.0\"\ncreated-by = \"hand\"\n\n[[packages]]\n"
            + "name = \"x\"\nversion = \"1.0\"\n\(entry)\n")
        let target = try TargetPlatform.lambda(runtime: "python3.12", architecture: "arm64")
        #expect {
            _ = try LockFile.read(path: path, target: target)
        } throws: { error in
            let text = String(describing: error)
            return text.contains("packages[0] (x") && text.contains(kind) && text.contains("build frontend")
        }
    }

    @Test func anExtraTheLockLacksIsNamed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try lock(in: directory)
        let target = try TargetPlatform.lambda(runtime: "python3.12", architecture: "arm64")
        #expect {
            _ = try LockFile.read(path: path, target: target, selection: LockSelection(extras: [try ExtraName("nope")]))
        } throws: { error in
            String(describing: error).contains("no extra \"nope\"") && String(describing: error).contains("socks")
        }
    }
}
