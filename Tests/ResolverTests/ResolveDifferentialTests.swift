import Foundation
import Resolver
import TestSupport
import Testing

/// Random dependency graphs (seeded, so reproducible) resolved by us and by pip's resolver over the
/// same wheels: both must agree on whether a solution exists, and ours must satisfy every requirement
/// as `packaging` reads it. The target is Lambda python3.11 x86_64, whose markers match the host's
/// for the pure wheels generated here, so pip's host-based answer applies.
@Suite struct ResolveDifferentialTests {
    struct Scenario: Decodable {
        var root: [String]
        var packages: [String: [String: [String]]]
    }

    @Test(arguments: 1...12)
    func agreesWithPip(seed: Int) async throws {
        let scenario = try JSONDecoder().decode(Scenario.self, from: Data(try python(#"""
import json, random, sys
rng = random.Random(int(sys.argv[1]))
names = [f"p{i}" for i in range(6)]
versions = {n: sorted({f"{rng.randint(1, 4)}.{rng.randint(0, 2)}" for _ in range(rng.randint(2, 4))}) for n in names}
def spec(name):
    v = rng.choice(versions[name])
    return name + rng.choice([f">={v}", f"<{v}", f"=={v}", f"!={v}", f">{v}", ""])
packages = {n: {v: [spec(d) for d in rng.sample(names[i + 1:], min(len(names) - i - 1, rng.randint(0, 2)))]
                for v in versions[n]} for i, n in enumerate(names)}
root = [rng.choice([n, spec(n)]) for n in rng.sample(names[:3], 2)]
print(json.dumps({"root": root, "packages": packages}))
"""#, arguments: [String(seed)]).utf8))
        let directory = try TemporaryDirectory("pexify-diff")
        defer { directory.remove() }
        let specs = scenario.packages.flatMap { name, versions in
            versions.map { version, requires in WheelSpec(name, version, requires: requires) }
        }
        try WheelFactory.make(specs, in: directory.child("wheels"))
        var ours: [String]?
        do {
            let resolution = try await Resolver.resolve(ResolveRequest(
                requirements: try scenario.root.map { try Requirement($0) },
                target: try TargetPlatform.lambda(runtime: "python3.11", architecture: "x86_64"),
                index: IndexConfiguration(indexURL: nil, findLinks: [directory.child("wheels")], noIndex: true),
                cacheDirectory: directory.child("cache")))
            ours = resolution.distributions.map { "\($0.name)==\($0.version)" }
        } catch let error as ResolutionError {
            let text = String(describing: error)
            #expect(text.contains("Because") || text.contains("No version of"), "\(text)")
        }
        let verdict = try python(#"""
import json, subprocess, sys
from packaging.requirements import Requirement
from packaging.version import Version
wheels, scenario, ours = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
run = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--report", "-",
    "--ignore-installed", "--no-index", "--find-links", wheels, *scenario["root"]], capture_output=True, text=True)
pip_ok = run.returncode == 0
if ours is None:
    print("agree" if not pip_ok else "pip found a solution we missed: " + run.stdout[-500:])
    sys.exit()
if not pip_ok:
    print("pip found no solution but we did: " + run.stderr[-500:]); sys.exit()
pins = {p.split("==")[0]: Version(p.split("==")[1]) for p in ours}
needed = [Requirement(r) for r in scenario["root"]]
for name, version in pins.items():
    needed += [Requirement(r) for r in scenario["packages"][name][str(version)] if True]
bad = [str(r) for r in needed if r.name not in pins or not r.specifier.contains(pins[r.name], prereleases=True)]
print("agree" if not bad else "violated: " + ", ".join(bad))
"""#, arguments: [directory.child("wheels"), String(decoding: try JSONEncoder().encode(
            ["root": scenario.root]).dropLast(), as: UTF8.self) + ", \"packages\": "
            + String(decoding: try JSONEncoder().encode(scenario.packages), as: UTF8.self) + "}",
            ours.map { String(decoding: try! JSONEncoder().encode($0), as: UTF8.self) } ?? "null"])
        #expect(verdict.trimmingCharacters(in: .whitespacesAndNewlines) == "agree", "seed \(seed): \(scenario.root)")
    }
}
