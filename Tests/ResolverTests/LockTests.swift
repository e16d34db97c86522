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

        let before = setup.fixture.requests().count
        let warm = try await PyLock.resolution(lockPath: path, target: setup.target, client: try setup.client("cache"))
        #expect(warm.distributions.map(\.sha256) == setup.resolution.distributions.map(\.sha256))
        #expect(setup.fixture.requests().count == before)

        let cold = try await PyLock.resolution(lockPath: path, target: setup.target, client: try setup.client("cold"))
        #expect(cold.distributions.map(\.sha256) == setup.resolution.distributions.map(\.sha256))
        #expect(setup.fixture.requests().dropFirst(before).filter { $0.hasPrefix("GET /files/") }.count == 3)

        let lib = setup.resolution.distributions.first { $0.name.rawValue == "lib" }!
        let tampered = try setup.fixture.directory.write(
            "tampered.toml",
            PyLock.render(setup.resolution).replacingOccurrences(of: lib.sha256, with: String(repeating: "0", count: 64)))
        await #expect {
            _ = try await PyLock.resolution(lockPath: tampered, target: setup.target, client: try setup.client("fresh"))
        } throws: { error in
            guard let error = error as? IndexError, case .hashMismatch = error else { return false }
            return true
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
        #expect(throws: LockError.self) { _ = try PyLock.read(path: path, target: otherTarget) }
    }
}
