@testable import Resolver
import TestSupport
import Testing

/// Inputs for the PEP 440 tables: spellings from the spec and the fact sheet, plus generated ones
/// that mix every optional part, separator and letter case.
enum VersionCorpus {
    static let handPicked = [
        "1.0", "1.0.0", "1.0.0.0", "  1.0  ", "v1.0", "V1.0", "1.0.0-RC1", "1.0-alpha.1", "1.0-beta-1", "1.0c1",
        "1.0pre2", "1.0preview3", "1.0a", "1.0.post", "1.0.DEV", "1.0-1", "1.0-r4", "1.0rev2", "1.0_dev_2",
        "01.02", "1.0+Ubuntu-1", "1.0+a_b", "1.0+abc", "1.0+1", "1.0+01", "1.0+local.10", "1.0+local.2",
        "latest", "1.0.x", "2.0.0-SNAPSHOT", "1.0+", "1.0a.", "1.0.dev.", "1.0-", "1!0.1", "1.0.dev0",
        "1.0a1.dev1", "1.0a1", "1.0a1.post1.dev1", "1.0a1.post1", "1.0b1", "1.0rc1", "1.0+local",
        "1.0.post1.dev1", "1.0.post1", "1.1.dev1", "0", "0.0", "1.0-post1", "1.0.r", "1.0prev1", "1.0al",
        "1.0a-1", "1.0a-.post1", "1..0", ".1", "1.", "1.0 a1", "1.0\t", "1.0\n", "", " ", "1!", "!1",
        "1.0+abc.DEF-ghi_1", "1.0++a", "1.0+a..b", "1.0rc1.post2.dev3+x.7", "2!1.0.0.0.0.0.1",
    ]

    static func generated(count: Int, seed: UInt64) -> [String] {
        var g = SeededGenerator(seed: seed)
        let seps = ["", ".", "-", "_"]
        var out: [String] = []
        for _ in 0..<count {
            var s = g.chance(0.05) ? g.pick(["v", "V"]) : ""
            if g.chance(0.1) { s += "\(g.int(0...3))!" }
            s += (0..<g.int(1...4)).map { _ in String(g.int(0...12)) }.joined(separator: ".")
            if g.chance(0.35) {
                s += g.pick(seps) + g.pick(["a", "b", "rc", "c", "alpha", "beta", "pre", "preview", "A", "RC"])
                if g.chance(0.8) { s += g.pick(seps) + String(g.int(0...5)) }
            }
            if g.chance(0.25) {
                s += g.chance(0.3) ? "-\(g.int(0...4))"
                    : g.pick(seps) + g.pick(["post", "rev", "r", "POST"]) + (g.chance(0.8) ? String(g.int(0...4)) : "")
            }
            if g.chance(0.25) { s += g.pick(seps) + g.pick(["dev", "DEV"]) + (g.chance(0.8) ? String(g.int(0...4)) : "") }
            if g.chance(0.2) {
                s += "+" + (0..<g.int(1...3)).map { _ in g.pick(["ubuntu", "1", "02", "abc", "X", "10", "a1"]) }
                    .joined(separator: g.pick([".", "-", "_"]))
            }
            if g.chance(0.04) { s = g.pick([" ", "\t"]) + s + " " }
            if g.chance(0.03) { s += g.pick(["x", ".", "-", "+", "..1", "*"]) }
            out.append(s)
        }
        return out
    }

    static var all: [String] { handPicked + generated(count: 3000, seed: 440) }
}

@Suite struct VersionTests {
    struct OracleVersions: Decodable {
        var normalized: [String?]
        var ranks: [Int?]
        var flags: [[Bool]?]
    }

    /// Parsing, normalisation, pre/post/dev flags and the total order (by rank among distinct versions)
    /// agree with `packaging.version.Version` on about 3,000 spellings.
    @Test func agreesWithPackagingOnParsingAndOrder() throws {
        let inputs = VersionCorpus.all
        let oracle = try PackagingOracle.run("""
            from packaging.version import Version, InvalidVersion
            parsed = []
            for s in data:
                try: parsed.append(Version(s))
                except InvalidVersion: parsed.append(None)
            rank = {v: i for i, v in enumerate(sorted({v for v in parsed if v is not None}))}
            print(json.dumps({
                "normalized": [None if v is None else str(v) for v in parsed],
                "ranks": [None if v is None else rank[v] for v in parsed],
                "flags": [None if v is None else [v.is_prerelease, v.is_postrelease, v.is_devrelease] for v in parsed],
            }))
            """, input: inputs, as: OracleVersions.self)

        let ours = inputs.map { Version($0) }
        let distinct = Set(ours.compactMap { $0 }).sorted()
        let rank = Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($1, $0) })
        var mismatches: [String] = []
        for (i, input) in inputs.enumerated() {
            let v = ours[i]
            let flags = v.map { [$0.isPrerelease, $0.isPostrelease, $0.isDevrelease] }
            if v?.description != oracle.normalized[i] || v.flatMap({ rank[$0] }) != oracle.ranks[i] || flags != oracle.flags[i] {
                mismatches.append("\(input.debugDescription): ours \(v?.description ?? "invalid") rank \(v.flatMap { rank[$0] } ?? -1), "
                                  + "packaging \(oracle.normalized[i] ?? "invalid") rank \(oracle.ranks[i] ?? -1)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(10))")
        #expect(inputs.count > 3000 && distinct.count > 1000)
    }

    @Test func equalVersionsHashAlike() throws {
        let a = try Version(parsing: "1.0"), b = try Version(parsing: "1.0.0.0")
        #expect(a == b && a.hashValue == b.hashValue && Set([a, b]).count == 1)
        #expect(a.description == "1.0" && b.description == "1.0.0.0")
    }

    @Test func invalidVersionErrorQuotesInputAndShowsExample() {
        #expect(throws: VersionError.invalidVersion("1.0.x")) { try Version(parsing: "1.0.x") }
        let message = VersionError.invalidVersion("1.0.x").description
        #expect(message.contains("\"1.0.x\"") && message.contains("1.2.3"))
    }
}
