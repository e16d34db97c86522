import Foundation
import Resolver
import Testing
import TestSupport

/// The botocore / python-dateutil shape on a loopback index without PEP 658 metadata (every candidate
/// tried costs a whole wheel): hundreds of `botocore` releases that all need `python-dateutil<3`,
/// and a `python-dateutil 4.0.0` that is newer than any of them allow. The solver must not walk the
/// releases one by one; requests are counted on the server. `packaging` says what the pins must be.
@Suite struct ConflictDrivenResolveTests {
    static let releases = 300
    static let dateutilSpecifier = "<3.0.0,>=2.1"
    static let dateutilRequirement = "python-dateutil" + dateutilSpecifier
    static let dateutilVersions = ["2.8.2", "2.9.0.post0", "4.0.0"]

    static func botocore(_ index: Int) -> String { "1.\(index).0" }

    /// `boto3 1.n.0` pins `botocore 1.n.x`, and every `botocore` needs `python-dateutil<3`.
    static var specs: [WheelSpec] {
        (0..<releases).flatMap { index in
            [WheelSpec("botocore", botocore(index), requires: [dateutilRequirement, "jmespath>=0.7.1,<2.0.0"]),
             WheelSpec("boto3", botocore(index), requires: ["botocore>=\(botocore(index)),<1.\(index + 1).0"])]
        } + dateutilVersions.map { WheelSpec("python-dateutil", $0) } + [WheelSpec("jmespath", "1.0.1")]
    }

    /// The newest version of each project that `packaging` admits under every specifier given for it.
    static func oracle(_ wanted: [String: [String]], versions: [String: [String]]) throws -> [String: String] {
        struct Input: Encodable { var wanted: [String: [String]]; var versions: [String: [String]] }
        return try PackagingOracle.run("""
            from packaging.specifiers import SpecifierSet
            from packaging.version import Version
            print(json.dumps({name: str(max(v for v in map(Version, data["versions"][name])
                                            if all(v in SpecifierSet(s) for s in specs)))
                              for name, specs in data["wanted"].items()}))
            """, input: Input(wanted: wanted, versions: versions))
    }

    static var expectedPins: [String: String] {
        get throws {
            try oracle(["botocore": [""], "boto3": [""], "python-dateutil": [dateutilSpecifier], "jmespath": [""]],
                       versions: ["botocore": (0..<releases).map(botocore), "boto3": (0..<releases).map(botocore),
                                  "python-dateutil": dateutilVersions, "jmespath": ["1.0.1"]])
        }
    }

    static func request(_ requirements: [String], server: LoopbackServer, cache: String,
                        budget: ResolutionBudget = ResolutionBudget()) throws -> ResolveRequest {
        ResolveRequest(requirements: try requirements.map { try Requirement($0) },
                       target: try TargetPlatform.lambda(runtime: "python3.12", architecture: "x86_64"),
                       index: IndexConfiguration(indexURL: server.baseURL + "/simple/"), cacheDirectory: cache,
                       budget: budget)
    }

    /// Wheel downloads (the metadata reads, on an index without PEP 658) in the server's log.
    static func wheelRequests(_ fixture: IndexFixture) -> [String] {
        fixture.requests().filter { $0.hasPrefix("GET /files/") }
    }

    /// The same shape on an index that serves ranges: every refused candidate costs a tail and a member,
    /// never its wheel; only the chosen wheels come whole.
    @Test func conflictShapeOverRangesDownloadsOnlyTheChosenWheels() async throws {
        let fixture = try IndexFixture(Self.specs)
        defer { fixture.directory.remove() }
        let server = try fixture.simpleServer(metadata: false, ranges: true)
        defer { server.stop() }
        let resolution = try await Resolver.resolve(
            try Self.request(["boto3", "python-dateutil"], server: server, cache: fixture.directory.child("cache")))
        let chosen = Set(resolution.distributions.map { "/files/" + $0.wheel.filename })
        let requests = Self.wheelRequests(fixture)
        let whole = Set(requests.filter { $0.hasSuffix(" 200") }.map { String($0.split(separator: " ")[1]) })
        #expect(requests.contains { $0.contains(" 206 ") }, "candidates were read by ranges: \(requests)")
        #expect(whole.isSubset(of: chosen), "\(requests)")
        #expect(requests.count <= 20, "\(requests.count) requests: \(requests)")
    }

    @Test(arguments: [["botocore", "python-dateutil"], ["python-dateutil", "botocore"],
                      ["boto3", "python-dateutil"], ["boto3", "botocore", "python-dateutil"]])
    func conflictShapeResolvesWithinABoundOfRequests(requirements: [String]) async throws {
        let fixture = try IndexFixture(Self.specs)
        defer { fixture.directory.remove() }
        let server = try fixture.simpleServer(metadata: false)
        defer { server.stop() }
        let started = Date()
        let resolution = try await Resolver.resolve(
            try Self.request(requirements, server: server, cache: fixture.directory.child("cache")))
        let seconds = Date().timeIntervalSince(started)
        let expected = try Self.expectedPins
        let pins = Dictionary(uniqueKeysWithValues: resolution.distributions.map { ($0.name.rawValue, $0.version.description) })
        #expect(pins["python-dateutil"] == expected["python-dateutil"])
        #expect(pins["botocore"] == expected["botocore"])
        if requirements.contains("boto3") { #expect(pins["boto3"] == expected["boto3"]) }
        // Walking the releases one by one costs one wheel per release (300); the conflict tracker
        // needs the threshold's worth of refusals plus the wheels it finally chooses.
        let downloads = Self.wheelRequests(fixture)
        #expect(downloads.count <= 15, "\(downloads.count) wheel requests in \(seconds) s: \(downloads)")
        print("conflict shape \(requirements): \(downloads.count) wheel requests, \(String(format: "%.2f", seconds)) s")
    }

    @Test func aCandidateWithBrokenMetadataIsSkippedWithANote() async throws {
        // boto3 1.2.0 shipped a Requires-Dist that no parser accepts; `packaging` confirms it is invalid.
        let broken = "botocore (>=1.3.0,<1.4.0"
        let invalid: Bool = try PackagingOracle.run("""
            from packaging.requirements import Requirement, InvalidRequirement
            try:
                Requirement(data); print("false")
            except InvalidRequirement:
                print("true")
            """, input: broken)
        #expect(invalid)
        let fixture = try IndexFixture([
            WheelSpec("boto3", "1.1.0", requires: ["botocore>=1.0"]), WheelSpec("boto3", "1.2.0", requires: [broken]),
            WheelSpec("botocore", "1.3.0"),
        ])
        defer { fixture.directory.remove() }
        let server = try fixture.simpleServer(metadata: true)
        defer { server.stop() }
        let resolution = try await Resolver.resolve(try Self.request(["boto3"], server: server,
                                                                     cache: fixture.directory.child("cache")))
        #expect(ResolveTests.pins(resolution) == ["boto3==1.1.0", "botocore==1.3.0"])
        #expect(resolution.warnings.contains { $0.contains("boto3-1.2.0-py3-none-any.whl was skipped") && $0.contains(broken) })
        // A wheel METADATA cannot be read from (here: not a zip archive at all) is skipped the same way.
        let links = try TemporaryDirectory("pexify-broken-wheel")
        defer { links.remove() }
        try FileManager.default.copyItem(atPath: fixture.wheels, toPath: links.child("wheels"))
        try links.write("wheels/boto3-1.3.0-py3-none-any.whl", "not a zip archive")
        let local = try await Resolver.resolve(ResolveRequest(
            requirements: [try Requirement("boto3")], target: try TargetPlatform.lambda(runtime: "python3.12", architecture: "x86_64"),
            index: IndexConfiguration(indexURL: nil, findLinks: [links.child("wheels")], noIndex: true),
            cacheDirectory: links.child("cache")))
        #expect(ResolveTests.pins(local) == ["boto3==1.1.0", "botocore==1.3.0"])
        #expect(local.warnings.contains {
            $0.contains("boto3-1.3.0-py3-none-any.whl was skipped") && $0.contains("cannot be read from the wheel")
        })
        // Asked for exactly, the broken release is explained, not silently replaced.
        await #expect {
            _ = try await Resolver.resolve(try Self.request(["boto3==1.2.0"], server: server,
                                                            cache: fixture.directory.child("cache")))
        } throws: { String(describing: $0).contains("boto3 1.2.0 has unusable metadata") }
    }

    /// An unsatisfiable variant (the user insists on `python-dateutil>=4`) with a budget: the solver
    /// stops after the budget instead of reading all 300 releases, names both packages and the bound.
    @Test(arguments: [ResolutionBudget(candidates: 25), ResolutionBudget(bytes: 25 * 1_000)])
    func pastTheBudgetTheErrorNamesTheConflictAndTheBound(budget: ResolutionBudget) async throws {
        let fixture = try IndexFixture(Self.specs)
        defer { fixture.directory.remove() }
        let server = try fixture.simpleServer(metadata: false)
        defer { server.stop() }
        await #expect {
            _ = try await Resolver.resolve(try Self.request(["botocore", "python-dateutil>=4"], server: server,
                                                            cache: fixture.directory.child("cache"), budget: budget))
        } throws: { error in
            let text = String(describing: error)
            return text.contains("stopped after reading the metadata of") && text.contains("botocore was refused")
                && text.contains("because of python-dateutil: botocore requires \(Self.dateutilRequirement)")
                && text.contains("Add '\(Self.dateutilRequirement)'")
        }
        #expect(Self.wheelRequests(fixture).count <= 30)
    }

    @Test func aLongBacktrackWarnsWhichRequirementMakesItDirect() async throws {
        let fixture = try IndexFixture(Self.specs)
        defer { fixture.directory.remove() }
        let server = try fixture.simpleServer(metadata: true)
        defer { server.stop() }
        let resolution = try await Resolver.resolve(
            try Self.request(["botocore", "python-dateutil"], server: server, cache: fixture.directory.child("cache"),
                             budget: ResolutionBudget(backtrackWarning: 3)))
        #expect(resolution.warnings.contains {
            $0.contains("backtracked") && $0.contains("Add '\(Self.dateutilRequirement)'")
        })
        // With the suggested requirement added, nothing is refused and nothing warns; reading only
        // each project's first version costs none of the byte budget.
        let direct = try await Resolver.resolve(
            try Self.request(["botocore", "python-dateutil", Self.dateutilRequirement], server: server,
                             cache: fixture.directory.child("cache-direct"),
                             budget: ResolutionBudget(bytes: 1, backtrackWarning: 1)))
        #expect(direct.warnings.isEmpty)
        #expect(direct.distributions.map(\.version) == resolution.distributions.map(\.version))
    }
}
