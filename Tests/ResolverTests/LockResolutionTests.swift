import Basics
import Foundation
import Resolver
import TestSupport
import Testing

/// Resolving for a lock (`ResolutionPurpose.lock`): a wheel whose sha256 the index (or a hash-pinned
/// requirement) gives stays on the index, so only metadata and range requests reach the wheel files,
/// and the lock is the one a fetching resolution writes. Wheels without a known hash are still fetched
/// and hashed; local find-links wheels are hashed where they lie.
@Suite struct LockResolutionTests {
    static let specs = [
        WheelSpec("app", "1.0", requires: ["lib>=1"]), WheelSpec("lib", "1.2"),
        WheelSpec("native", "2.0", tags: "cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64"),
    ]

    static func resolve(_ index: IndexConfiguration, cache: String, purpose: ResolutionPurpose,
                        requirements: [String] = ["app", "native"]) async throws -> Resolution {
        var request = ResolveRequest(
            requirements: try requirements.map { try Requirement($0) },
            target: try TargetPlatform.lambda(runtime: "python3.12", architecture: "arm64"), index: index,
            cacheDirectory: cache)
        request.purpose = purpose
        return try await Resolver.resolve(request)
    }

    /// `filename sha256` of every wheel in `directory`, by Python's hashlib.
    static func hashlib(_ directory: String) throws -> [String: String] {
        let lines = try python("import hashlib, os, sys\nfor f in sorted(os.listdir(sys.argv[1])):\n"
            + "    print(f, hashlib.sha256(open(os.path.join(sys.argv[1], f), 'rb').read()).hexdigest())",
            arguments: [directory]).split(separator: "\n")
        return Dictionary(uniqueKeysWithValues: lines.map { line in
            let parts = line.split(separator: " ")
            return (String(parts[0]), String(parts[1]))
        })
    }

    /// Requests for whole wheel files (a range answer is logged as 206).
    static func wholeWheels(_ requests: some Sequence<String>) -> [String] {
        requests.filter { $0.hasPrefix("GET /files/") && $0.contains(".whl ") && $0.hasSuffix(" 200") }
    }

    /// Index flavours: PEP 691 JSON (hashes, sizes, PEP 658), PEP 503 HTML with PEP 658 files (hashes,
    /// no sizes: the lock leaves `size` out), and HTML with range requests only (the size is the
    /// `Content-Range` total, remembered in the cache for the next lock).
    @Test(arguments: [(true, true, false), (false, true, false), (false, false, true)])
    func lockFetchesNoWheelAndWritesTheSameLock(json: Bool, metadata: Bool, ranges: Bool) async throws {
        let fixture = try IndexFixture(Self.specs)
        defer { fixture.directory.remove() }
        let server = try fixture.simpleServer(json: json, metadata: metadata, ranges: ranges)
        defer { server.stop() }
        let index = IndexConfiguration(indexURL: server.baseURL + "/simple/")
        let installing = try await Self.resolve(index, cache: fixture.directory.child("install"), purpose: .install)
        #expect(Self.wholeWheels(fixture.requests()).count == 3, "\(fixture.requests())")

        let before = fixture.requests().count
        let locking = try await Self.resolve(index, cache: fixture.directory.child("lock"), purpose: .lock)
        let requests = fixture.requests().dropFirst(before)
        #expect(Self.wholeWheels(requests).isEmpty, "\(Array(requests))")
        #expect(locking.distributions.allSatisfy { $0.path == nil })
        let hashes = try Self.hashlib(fixture.wheels)
        #expect(locking.distributions.map { "\($0.wheel.filename) \($0.sha256)" }
            == installing.distributions.map { "\($0.wheel.filename) \(hashes[$0.wheel.filename] ?? "missing")" })
        let expected = PyLock.render(installing)
        let sizeKnown = json || ranges
        #expect(PyLock.render(locking) == (sizeKnown ? expected : expected.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("size = ") }.joined(separator: "\n")))

        // Again with the warm cache: the same bytes, and no file is asked for at all.
        let warmStart = fixture.requests().count
        let warm = try await Self.resolve(index, cache: fixture.directory.child("lock"), purpose: .lock)
        #expect(PyLock.render(warm) == PyLock.render(locking))
        #expect(!fixture.requests().dropFirst(warmStart).contains { $0.hasPrefix("GET /files/") },
                "\(Array(fixture.requests().dropFirst(warmStart)))")
    }

    /// An index without hashes: the chosen wheels are downloaded and hashed, except one whose direct
    /// reference carries its sha256 (its metadata read by range requests, as there is no PEP 658 file).
    @Test func wheelsWithoutAKnownHashAreFetched() async throws {
        let fixture = try IndexFixture(Self.specs)
        defer { fixture.directory.remove() }
        let server = try fixture.simpleServer(ranges: true, hashes: false)
        defer { server.stop() }
        let hashes = try Self.hashlib(fixture.wheels)
        let lib = "lib-1.2-py3-none-any.whl"
        let resolution = try await Self.resolve(
            IndexConfiguration(indexURL: server.baseURL + "/simple/"), cache: fixture.directory.child("cache"),
            purpose: .lock,
            requirements: ["app", "native", "lib @ \(server.baseURL)/files/\(lib)#sha256=\(hashes[lib]!)"])
        #expect(resolution.distributions.map { "\($0.wheel.filename) \($0.sha256)" }.sorted()
            == hashes.map { "\($0) \($1)" }.sorted())
        let whole = Set(Self.wholeWheels(fixture.requests()).map { $0.split(separator: " ")[1] })
        #expect(whole == ["/files/app-1.0-py3-none-any.whl",
                          "/files/native-2.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl"],
                "\(fixture.requests())")
        #expect(resolution.distributions.map { $0.path == nil } == [false, true, false])
    }

    /// Local find-links wheels are hashed where they lie (through the stat-keyed cache) and named by path.
    @Test func findLinksWheelsAreHashedWhereTheyLie() async throws {
        let fixture = try IndexFixture(Self.specs)
        defer { fixture.directory.remove() }
        let index = IndexConfiguration(indexURL: nil, findLinks: [fixture.wheels])
        let locking = try await Self.resolve(index, cache: fixture.directory.child("lock"), purpose: .lock)
        let hashes = try Self.hashlib(fixture.wheels)
        #expect(locking.distributions.map { "\($0.wheel.filename) \($0.sha256)" }.sorted()
            == hashes.map { "\($0) \($1)" }.sorted())
        #expect(locking.distributions.map(\.path) == locking.distributions.map { fixture.wheels + "/" + $0.wheel.filename as String? })
        let installing = try await Self.resolve(index, cache: fixture.directory.child("install"), purpose: .install)
        #expect(PyLock.render(locking, relativeTo: fixture.directory.path)
            == PyLock.render(installing, relativeTo: fixture.directory.path))
        #expect(PyLock.render(locking, relativeTo: fixture.directory.path).contains("path = \"wheels/lib-1.2-py3-none-any.whl\""))
    }
}
