import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Resolver
import Testing
import TestSupport

/// Resolution scenarios over generated wheels in a find-links directory (and a loopback index where
/// the index itself matters), with Python's `packaging` as the oracle wherever it has an opinion.
@Suite struct ResolveTests {
    static func lambda(_ runtime: String, _ architecture: String) throws -> TargetPlatform {
        try TargetPlatform.lambda(runtime: runtime, architecture: architecture)
    }

    /// Resolves `requirements` from a find-links directory holding `specs`.
    static func resolve(_ requirements: [String], _ specs: [WheelSpec], target: TargetPlatform,
                        constraints: [String] = [], prereleases: Bool = false) async throws -> Resolution {
        let directory = try TemporaryDirectory("pexify-resolve")
        defer { directory.remove() }
        try WheelFactory.make(specs, in: directory.child("wheels"))
        let request = ResolveRequest(
            requirements: try requirements.map { try Requirement($0) },
            constraints: try constraints.map { try Requirement($0) }, target: target,
            index: IndexConfiguration(indexURL: nil, findLinks: [directory.child("wheels")], noIndex: true),
            cacheDirectory: directory.child("cache"), prereleases: prereleases)
        return try await Resolver.resolve(request)
    }

    static func pins(_ resolution: Resolution) -> [String] {
        resolution.distributions.map { "\($0.name)==\($0.version)" }
    }

    /// The platform JSON's marker environment, as `packaging` sees it.
    static func markerOracle(_ markers: [String], runtime: String, architecture: String) throws -> [Bool] {
        let json = TestEnvironment.packageRoot + "/platforms/lambda/\(runtime)-\(architecture).json"
        return try python(#"""
import json, sys
from packaging.markers import Marker
env = json.load(open(sys.argv[1]))["marker_environment"]
for m in sys.argv[2:]:
    print(Marker(m).evaluate(env))
"""#, arguments: [json] + markers).split(separator: "\n").map { $0 == "True" }
    }

    @Test(arguments: [("python3.12", "arm64"), ("python3.11", "x86_64"), ("python3.9", "arm64")])
    func markersAreEvaluatedForTheTargetNotTheHost(runtime: String, architecture: String) async throws {
        let conditional = [
            ("only-linux", "sys_platform == 'linux'"), ("only-windows", "sys_platform == 'win32'"),
            ("old-python", "python_version < '3.12'"), ("arm-only", "platform_machine == 'aarch64'"),
            ("x86-only", "platform_machine == 'x86_64'"), ("new-full", "python_full_version >= '3.11.4'"),
        ]
        let specs = [WheelSpec("app", "1.0", requires: conditional.map { "\($0.0); \($0.1)" })]
            + conditional.map { WheelSpec($0.0, "1.0") }
        let resolution = try await Self.resolve(["app"], specs, target: try Self.lambda(runtime, architecture))
        let truth = try Self.markerOracle(conditional.map(\.1), runtime: runtime, architecture: architecture)
        let expected = ["app"] + zip(conditional, truth).filter(\.1).map(\.0.0)
        #expect(Set(resolution.distributions.map(\.name.rawValue)) == Set(expected))
        #expect(resolution.distributions.first { $0.name.rawValue == "app" }?.dependencies.map(\.rawValue).sorted()
            == expected.dropFirst().sorted())
    }

    @Test func extrasPullInTheirDependencies() async throws {
        let specs = [
            WheelSpec("lib", "1.0", requires: ["base-dep", "speedup>=1; extra == 'fast'", "never; extra == 'other'"],
                      extras: ["fast", "other"]),
            WheelSpec("base-dep", "1.0"), WheelSpec("speedup", "1.0"), WheelSpec("speedup", "2.0"), WheelSpec("never", "1.0"),
        ]
        let target = try Self.lambda("python3.12", "x86_64")
        #expect(Self.pins(try await Self.resolve(["lib[FAST]"], specs, target: target))
            == ["base-dep==1.0", "lib==1.0", "speedup==2.0"])
        #expect(Self.pins(try await Self.resolve(["lib"], specs, target: target)) == ["base-dep==1.0", "lib==1.0"])
    }

    @Test func diamondConflictIsExplainedInPlainWords() async throws {
        let specs = [
            WheelSpec("a", "1.0", requires: ["b<2"]), WheelSpec("c", "3.0", requires: ["b>=2"]),
            WheelSpec("b", "1.0"), WheelSpec("b", "2.0"),
        ]
        await #expect {
            _ = try await Self.resolve(["a", "c"], specs, target: try Self.lambda("python3.12", "x86_64"))
        } throws: { error in
            let text = String(describing: error)
            return text.contains("a 1.0 depends on b<2") && text.contains("c 3.0 depends on b>=2")
                && text.contains("a 1.0 and c 3.0 cannot be used together")
        }
    }

    @Test func backtracksToAnOlderVersionWhenTheNewestConflicts() async throws {
        let specs = [
            WheelSpec("a", "1.0", requires: ["b<2"]), WheelSpec("a", "2.0", requires: ["b>=2"]),
            WheelSpec("c", "1.0", requires: ["b<2"]), WheelSpec("b", "1.0"), WheelSpec("b", "2.0"),
        ]
        let resolution = try await Self.resolve(["a", "c"], specs, target: try Self.lambda("python3.12", "x86_64"))
        #expect(Self.pins(resolution) == ["a==1.0", "b==1.0", "c==1.0"])
    }

    @Test func requiresPythonIsCheckedAgainstTheTarget() async throws {
        let specs = [WheelSpec("y", "1.0", requiresPython: ">=3.8"), WheelSpec("y", "2.0", requiresPython: ">=3.13")]
        #expect(Self.pins(try await Self.resolve(["y"], specs, target: try Self.lambda("python3.12", "arm64"))) == ["y==1.0"])
        #expect(Self.pins(try await Self.resolve(["y"], specs, target: try Self.lambda("python3.13", "arm64"))) == ["y==2.0"])
        await #expect {
            _ = try await Self.resolve(["y>=2"], specs, target: try Self.lambda("python3.12", "arm64"))
        } throws: { String(describing: $0).contains("y 2.0 requires Python >=3.13 but the target has Python 3.12") }
    }

    @Test(arguments: [
        (["z"], false), (["z>=2.0b1"], false), (["z"], true), (["only-pre"], false), (["z<2.0"], false),
    ])
    func preReleasesOnlyWhenAskedOrNothingElseMatches(requirements: [String], pre: Bool) async throws {
        let specs = [WheelSpec("z", "1.0"), WheelSpec("z", "2.0b1"), WheelSpec("z", "1.1.dev1"), WheelSpec("only-pre", "1.0a1")]
        let resolution = try await Self.resolve(requirements, specs, target: try Self.lambda("python3.12", "x86_64"),
                                                prereleases: pre)
        let oracle = try python(#"""
import sys
from packaging.requirements import Requirement
from packaging.version import Version
versions = {"z": ["1.0", "2.0b1", "1.1.dev1"], "only-pre": ["1.0a1"]}
pre = sys.argv[1] == "true"
for text in sys.argv[2:]:
    r = Requirement(text)
    print(f"{r.name}=={max(r.specifier.filter(versions[r.name], prereleases=True if pre else None), key=Version)}")
"""#, arguments: [pre ? "true" : "false"] + requirements)
        #expect(Self.pins(resolution) == oracle.split(separator: "\n").map(String.init))
    }

    /// The manylinux ladder: glibc 2.26 for python3.8–3.11 Lambda, 2.34 from python3.12; the best wheel
    /// of the newest usable version, checked against `packaging.tags` over the platform's tag list.
    @Test(arguments: ["python3.11", "python3.12"])
    func manylinuxLadderPicksPerRuntime(runtime: String) async throws {
        let tags = [
            ("1.0", "cp311-cp311-manylinux2014_x86_64"), ("1.0", "cp312-cp312-manylinux2014_x86_64"),
            ("2.0", "cp311-cp311-manylinux_2_28_x86_64"), ("2.0", "cp312-cp312-manylinux_2_28_x86_64"),
            ("2.0", "cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64"), ("2.0", "cp312-abi3-manylinux_2_34_x86_64"),
            ("2.0", "py3-none-any"),
        ]
        let specs = tags.map { WheelSpec("m", $0.0, tags: $0.1) }
        let resolution = try await Self.resolve(["m"], specs, target: try Self.lambda(runtime, "x86_64"))
        let json = TestEnvironment.packageRoot + "/platforms/lambda/\(runtime)-x86_64.json"
        let oracle = try python(#"""
import json, sys
from packaging.tags import parse_tag
from packaging.version import Version
order = {t: i for i, t in enumerate(json.load(open(sys.argv[1]))["compatible_tags"])}
files = [a.split("|") for a in sys.argv[2:]]
def rank(tag):
    return min((order.get(str(t), 10**9) for t in parse_tag(tag)), default=10**9)
usable = [(Version(v), -rank(t), f"m-{v}-{t}.whl") for v, t in files if rank(t) < 10**9]
print(max(usable)[2])
"""#, arguments: [json] + tags.map { "\($0.0)|\($0.1)" }).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(resolution.distributions.map(\.wheel.filename) == [oracle])
    }

    @Test func noWheelErrorNamesTheNearestFilesAndWhy() async throws {
        let specs = [
            WheelSpec("m", "1.0", tags: "cp311-cp311-manylinux2014_x86_64"),
            WheelSpec("m", "2.0", tags: "cp311-cp311-manylinux_2_28_x86_64"),
            WheelSpec("m", "2.0", tags: "cp311-cp311-manylinux_2_17_aarch64"),
        ]
        await #expect {
            _ = try await Self.resolve(["m==2.0"], specs, target: try Self.lambda("python3.11", "x86_64"))
        } throws: { error in
            let text = String(describing: error)
            return (text.contains("m ==2.0 has no wheel for the target") || text.contains("m 2.0 has no wheel for the target"))
                && text.contains("m-2.0-cp311-cp311-manylinux_2_28_x86_64.whl needs glibc 2.28; the target allows glibc ≤ 2.26")
                && text.contains("m-2.0-cp311-cp311-manylinux_2_17_aarch64.whl is for manylinux_2_17_aarch64")
        }
    }

    @Test func unknownProjectsAreNamed() async throws {
        await #expect {
            _ = try await Self.resolve(["a", "no-such-thing>=1"], [WheelSpec("a", "1.0")],
                                       target: try Self.lambda("python3.12", "x86_64"))
        } throws: { error in
            let text = String(describing: error)
            return text.contains("require no-such-thing>=1") && text.contains("No source lists any file of no-such-thing")
        }
    }

    /// Hash-checking mode (requirements files with `--hash`): only listed files, only exact pins.
    @Test func hashModeAcceptsOnlyListedFiles() async throws {
        let directory = try TemporaryDirectory("pexify-resolve")
        defer { directory.remove() }
        let wheels = try WheelFactory.make([WheelSpec("b", "1.0"), WheelSpec("b", "2.0"), WheelSpec("c", "1.0")],
                                           in: directory.child("wheels"))
        let requirements = try directory.write("requirements.txt", """
            b==1.0 --hash=sha256:\(try WheelFactory.sha256(wheels[0]))
            c==1.0 --hash=sha256:\(String(repeating: "0", count: 64))
            """)
        let file = try RequirementsFile.parse(path: requirements)
        func resolve(_ names: [String]) async throws -> Resolution {
            try await Resolver.resolve(ResolveRequest(
                requirements: try names.map { try Requirement($0) }, target: try Self.lambda("python3.12", "x86_64"),
                index: IndexConfiguration(indexURL: nil, findLinks: [directory.child("wheels")], noIndex: true),
                cacheDirectory: directory.child("cache"), hashes: file.hashes))
        }
        #expect(Self.pins(try await resolve(["b==1.0"])) == ["b==1.0"])
        await #expect { _ = try await resolve(["b==2.0"]) } throws: {
            String(describing: $0).contains("b-2.0-py3-none-any.whl has no sha256 among the --hash values given")
        }
        await #expect { _ = try await resolve(["c==1.0"]) } throws: { String(describing: $0).contains("c-1.0") }
        await #expect(throws: ResolutionError.self) { _ = try await resolve(["b"]) }
    }

    @Test func constraintsLimitVersionsButAddNothing() async throws {
        let specs = [WheelSpec("b", "1.0"), WheelSpec("b", "2.0"), WheelSpec("unrelated", "1.0")]
        let resolution = try await Self.resolve(["b"], specs, target: try Self.lambda("python3.12", "x86_64"),
                                                constraints: ["b<2", "unrelated==1.0"])
        #expect(Self.pins(resolution) == ["b==1.0"])
    }

    /// Yanked files (PEP 592) and index-level `requires-python`, served as PEP 691 JSON.
    @Test func yankedFilesOnlyForExactPins() async throws {
        let fixture = try IndexFixture([
            WheelSpec("x", "1.0"), WheelSpec("x", "2.0"), WheelSpec("w", "1.0"),
            WheelSpec("w", "2.0", requiresPython: ">=3.13"),
        ])
        defer { fixture.directory.remove() }
        let server = try fixture.simpleServer(metadata: false, yanked: ["x-2.0-py3-none-any.whl": "bad build"])
        defer { server.stop() }
        func resolve(_ requirements: [String]) async throws -> Resolution {
            try await Resolver.resolve(ResolveRequest(
                requirements: try requirements.map { try Requirement($0) }, target: try Self.lambda("python3.12", "arm64"),
                index: IndexConfiguration(indexURL: server.baseURL + "/simple/"),
                cacheDirectory: fixture.directory.child("cache")))
        }
        #expect(Self.pins(try await resolve(["x", "w"])) == ["w==1.0", "x==1.0"])
        // The index's requires-python kept w 2.0 out without reading its metadata.
        #expect(!fixture.requests().contains { $0.hasPrefix("GET /files/w-2.0") })
        let pinned = try await resolve(["x==2.0"])
        #expect(Self.pins(pinned) == ["x==2.0"])
        #expect(pinned.warnings.count == 1 && pinned.warnings[0].contains("bad build"))
    }

    /// Metadata from wheels (pypiserver has no PEP 658 files): the wheels are downloaded once into
    /// the cache, and a second resolution runs offline.
    @Test func resolvesThroughPypiserverAndThenOffline() async throws {
        let fixture = try IndexFixture([
            WheelSpec("app", "1.0", requires: ["lib>=1", "helper; python_version >= '3.10'"]),
            WheelSpec("lib", "1.0"), WheelSpec("lib", "1.5", requires: ["helper"]), WheelSpec("helper", "0.9"),
        ])
        defer { fixture.directory.remove() }
        let server = try fixture.pypiserver()
        let request = ResolveRequest(
            requirements: [try Requirement("app")], target: try Self.lambda("python3.12", "arm64"),
            index: IndexConfiguration(indexURL: server.baseURL + "/simple/"), cacheDirectory: fixture.directory.child("cache"))
        let online = try await Resolver.resolve(request)
        server.stop()
        var offline = request
        offline.offline = true
        let again = try await Resolver.resolve(offline)
        #expect(Self.pins(online) == ["app==1.0", "helper==0.9", "lib==1.5"])
        #expect(again.distributions == online.distributions)
        for distribution in online.distributions {
            #expect(try WheelFactory.sha256(try #require(distribution.path)) == distribution.sha256)
        }
    }

    /// The real wheelhouse (cp311 manylinux x86_64 wheels from PyPI): pip resolves the same set, and
    /// for Lambda's glibc 2.26 the numpy wheel (manylinux_2_27) is rejected with its reason.
    @Test func realWheelsFromTheWheelhouse() async throws {
        let wheelhouse = TestEnvironment.wheelhouse
        let cache = try TemporaryDirectory("pexify-resolve")
        defer { cache.remove() }
        func request(_ names: [String], _ target: TargetPlatform) throws -> ResolveRequest {
            ResolveRequest(requirements: try names.map { try Requirement($0) }, target: target,
                           index: IndexConfiguration(indexURL: nil, findLinks: [wheelhouse], noIndex: true),
                           cacheDirectory: cache.path)
        }
        let resolution = try await Resolver.resolve(try request(["requests", "pydantic"], try Self.lambda("python3.11", "x86_64")))
        let pip = try python(#"""
import json, subprocess, sys
out = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--report", "-",
    "--ignore-installed", "--no-index", "--find-links", sys.argv[1], "requests", "pydantic"],
    check=True, capture_output=True, text=True).stdout
for item in json.loads(out)["install"]:
    print(item["metadata"]["name"].lower().replace("_", "-") + "==" + item["metadata"]["version"])
"""#, arguments: [wheelhouse]).split(separator: "\n").map(String.init).sorted()
        #expect(Set(Self.pins(resolution)) == Set(pip))
        await #expect {
            _ = try await Resolver.resolve(try request(["pandas"], try Self.lambda("python3.11", "x86_64")))
        } throws: { error in
            let text = String(describing: error)
            return text.contains("numpy") && text.contains("needs glibc 2.27; the target allows glibc ≤ 2.26")
        }
    }

    /// The default index of the local pip, when it answers within a few seconds.
    static func reachableDefaultIndex() async -> IndexConfiguration? {
        guard let configuration = try? IndexConfiguration.resolved(), let index = configuration.indexURL,
              let probe = URL(string: index.hasSuffix("/") ? index + "pip/" : index + "/pip/") else { return nil }
        var probeRequest = URLRequest(url: probe, timeoutInterval: 5)
        probeRequest.httpMethod = "HEAD"
        guard let (_, response) = try? await URLSession.shared.data(for: probeRequest),
              let status = (response as? HTTPURLResponse)?.statusCode, status < 500 else { return nil }
        return configuration
    }

    /// A live resolution against the default index of the local pip.
    @Test(.enabled("needs the default index of the local pip to be reachable") {
        await ResolveTests.reachableDefaultIndex() != nil
    })
    func liveResolutionForLambdaPython312Arm64() async throws {
        let configuration = try #require(await Self.reachableDefaultIndex())
        let cache = try TemporaryDirectory("pexify-live")
        defer { cache.remove() }
        let resolution = try await Resolver.resolve(ResolveRequest(
            requirements: try ["pandas", "pydantic", "requests"].map { try Requirement($0) },
            target: try Self.lambda("python3.12", "arm64"), index: configuration, cacheDirectory: cache.path))
        let names = Set(resolution.distributions.map(\.name.rawValue))
        #expect(names.isSuperset(of: ["pandas", "numpy", "pydantic", "pydantic-core", "requests", "urllib3"]))
        let target = try Self.lambda("python3.12", "arm64")
        for distribution in resolution.distributions {
            #expect(target.tags.compatibility(of: distribution.wheel).isCompatible)
            #expect(try WheelFactory.sha256(try #require(distribution.path)) == distribution.sha256)
        }
    }
}
