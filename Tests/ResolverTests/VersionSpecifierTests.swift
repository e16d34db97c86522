@testable import Resolver
import TestSupport
import Testing

enum SpecifierCorpus {
    static let handPicked = [
        "~=2.2", "~=2.2.0", "~=1", "==1.1.*", "==1.*", "==1.0", "==1.0+local", "!=1.0", "!=1.0.*", ">1.0",
        ">1.0.post1", ">=1.0", "<2.0", "<2.0rc1", "<1.0", "<=1.0", "===1.0", "===foobar", ">=1.0,<2.0,!=1.5.*",
        "==1.*.1", ">=1.*", "~=1.0.*", "<1.0+local", "==1.0+local.*", ">1 <2", ">=1.0,", "", ",", ">=1.0,,<2",
        ">= 1.0", "== 1.0.*", "==v1.0", "~=1.0a1", ">=2.0b1", "<=1.0a1", "!=1.0a1", "==1.0.dev1", ">1.0a1",
        "<1.0.post1", ">1.0+local", "==1!1.0", "~=1!1.0", "==1!1.*", "===1.0.0", "=1.0", "=>1.0", "== 1.0 ",
        "~=1.0.post1", "~=2.2.post3", ">1.0.dev1", "<1.0.dev1", "==1.0a.", "!=1.0+local", "<=1.0+local",
    ]

    static func generated(count: Int, seed: UInt64) -> [String] {
        var g = SeededGenerator(seed: seed)
        let ops = ["==", "!=", "<=", ">=", "<", ">", "~=", "==="]
        func version() -> String {
            var s = (0..<g.int(1...3)).map { _ in String(g.int(0...3)) }.joined(separator: ".")
            if g.chance(0.2) { s += g.pick(["a1", "b2", "rc1", ".dev1", "a1.dev2"]) }
            if g.chance(0.15) { s += g.pick([".post1", ".post2", "-1"]) }
            if g.chance(0.1) { s += "+" + g.pick(["local", "1", "abc.2"]) }
            if g.chance(0.15) { s += ".*" }
            return s
        }
        return (0..<count).map { _ in
            (0..<g.int(1...3)).map { _ in g.pick(ops) + (g.chance(0.1) ? " " : "") + version() }.joined(separator: ",")
        }
    }

    static let candidates: [String] = {
        var out = ["1.0", "1.0.0", "1.0+local", "1.0.post1", "1.0.post2", "1.0.dev0", "1.0rc1", "1.0a1", "2.0rc1",
                   "2.0.dev1", "2.0a1", "2.2", "2.2.9", "2.3", "2.9", "3.0", "1.10", "1.1", "1.5.3", "0.9", "1!1.0",
                   "1.0.post1.dev1", "1.0a1.post1", "1.0+abc", "2.0", "1.2.3+local.1"]
        var g = SeededGenerator(seed: 508)
        for _ in 0..<120 {
            var s = (0..<g.int(1...4)).map { _ in String(g.int(0...3)) }.joined(separator: ".")
            if g.chance(0.25) { s += g.pick(["a1", "b1", "rc2"]) }
            if g.chance(0.2) { s += g.pick([".post1", ".post3"]) }
            if g.chance(0.2) { s += g.pick([".dev0", ".dev3"]) }
            if g.chance(0.1) { s += "+" + g.pick(["local", "7"]) }
            out.append(s)
        }
        return out
    }()
}

@Suite struct VersionSpecifierTests {
    struct OracleSet: Decodable {
        var normalized: String?
        /// `contains(v, prereleases=True)` per candidate, as "0"/"1".
        var containsAll: String?
        var containsFinalsOnly: String?
        /// Indices of candidates kept by `filter(candidates)` (prereleases=None).
        var filtered: [Int]?
        var mentionsPrerelease: Bool?
    }

    /// Validity, printing, containment (pre-releases allowed and forbidden) and `filter` with its
    /// pre-release fallback agree with `packaging.specifiers.SpecifierSet` for ~1,300 specifier sets
    /// against ~150 candidates each.
    @Test func agreesWithPackaging() throws {
        let specs = SpecifierCorpus.handPicked + SpecifierCorpus.generated(count: 1200, seed: 42)
        let candidates = SpecifierCorpus.candidates
        let oracle = try PackagingOracle.run("""
            from packaging.specifiers import SpecifierSet, InvalidSpecifier
            from packaging.version import Version
            specs, candidates = data
            versions = [Version(c) for c in candidates]
            out = []
            for s in specs:
                try: ss = SpecifierSet(s)
                except InvalidSpecifier: out.append({}); continue
                out.append({
                    "normalized": str(ss),
                    "containsAll": "".join("1" if ss.contains(v, prereleases=True) else "0" for v in versions),
                    "containsFinalsOnly": "".join("1" if ss.contains(v, prereleases=False) else "0" for v in versions),
                    "filtered": list(ss.filter(range(len(versions)), key=lambda i: versions[i])),
                    "mentionsPrerelease": bool(ss.prereleases),
                })
            print(json.dumps(out))
            """, input: [specs, candidates], as: [OracleSet].self)

        let versions = candidates.map { Version($0)! }
        var mismatches: [String] = []
        var checkedPairs = 0
        for (spec, expected) in zip(specs, oracle) {
            let ours = try? VersionSpecifiers(spec)
            guard let ours, expected.normalized != nil else {
                if (ours == nil) != (expected.normalized == nil) {
                    mismatches.append("\(spec.debugDescription): ours \(ours?.description ?? "invalid"), packaging \(expected.normalized ?? "invalid")")
                }
                continue
            }
            let all = versions.map { ours.contains($0, prereleases: true) ? "1" : "0" }.joined()
            let finals = versions.map { ours.contains($0, prereleases: false) ? "1" : "0" }.joined()
            let filtered = ours.filter(versions.indices, by: { versions[$0] })
            checkedPairs += versions.count
            if ours.description != expected.normalized || all != expected.containsAll || finals != expected.containsFinalsOnly
                || filtered != expected.filtered || ours.mentionsPrerelease != expected.mentionsPrerelease {
                mismatches.append("\(spec.debugDescription): ours \(ours) \(all) \(filtered), packaging \(expected.normalized!) "
                                  + "\(expected.containsAll!) \(expected.filtered!)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(8))")
        #expect(checkedPairs > 100_000)
    }

    /// Where our policy intentionally differs from packaging 26.3: `contains(v)` with
    /// `prereleases: nil` rejects a pre-release unless a clause names one (packaging 26.x accepts it, as
    /// 24.x did not); `filter` still falls back to pre-releases when nothing final matches, like packaging.
    @Test func preReleasePolicyDiffersFromPackagingContainsByDesign() throws {
        let cases: [(String, String)] = [(">=1.0", "1.1a1"), ("", "2.0b1"), (">=1.0", "2.0.dev1"), (">=2.0b1", "2.0b2"),
                                         ("==1.*", "1.0rc1"), ("!=1.0a1", "1.0a2")]
        let oracle = try PackagingOracle.run("""
            from packaging.specifiers import SpecifierSet
            print(json.dumps([[SpecifierSet(s).contains(v), bool(SpecifierSet(s).prereleases)] for s, v in data]))
            """, input: cases.map { [$0.0, $0.1] }, as: [[Bool]].self)
        for ((spec, version), answer) in zip(cases, oracle) {
            let set = try VersionSpecifiers(spec)
            let v = try Version(parsing: version)
            #expect(answer[0] == true, "packaging 26.3 contains(\(version)) in \(spec.debugDescription)")
            // Ours: admitted only when packaging, too, says the set names a pre-release.
            #expect(set.contains(v) == answer[1], "\(spec.debugDescription) contains \(version)")
            #expect(set.filter([v]) == [v], "filter falls back to the only (pre-release) candidate")
        }
    }

    @Test func errorsExplainTheProblem() {
        #expect(throws: VersionError.self) { try VersionSpecifiers("~=1") }
        let error = #expect(throws: VersionError.self) { try VersionSpecifiers(">=1.0,<1.0+local") }
        let message = error?.description ?? ""
        #expect(message.contains("\"<1.0+local\"") && message.contains("local version label") && message.contains(">=1.2,<2"))
    }
}
