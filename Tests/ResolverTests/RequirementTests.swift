import Foundation
@testable import Resolver
import TestSupport
import Testing

@Suite struct RequirementTests {
    static let handPicked = [
        #"requests[security,socks]>=2.8.1,==2.8.*; python_version < "3.10""#, "Foo.Bar_baz [EXTRA] (>=1.0)",
        #"name@http://foo.com;python_version>="3""#, #"name @ http://foo.com ;python_version>="3""#,
        "name @ file:///tmp/x.whl", "pkg", "  pkg  ", "pkg[]", "pkg[ a , b ]", "pkg[a b]", "pkg[a,]", "pkg>=1.0,",
        "pkg (>=1.0, <2)", "pkg(==1.0)", "pkg >= 1.0", "pkg>=1.0 <2", "pkg 1.0", "pkg==1.0+local", "pkg<1.0+local",
        "-pkg", "pkg-", "pkg_", "pkg.", "pkg;", #"pkg; extra == "x""#, "pkg @", "pkg @ ", "pkg===foo", "pkg>=1.0;",
        "pkg>=1.0)", "pkg(>=1.0", "pkg[a]>=1; os_name=='posix' and", "pkg ; python_version<'3.8'", "pkg\t>=1.0",
        "pkg>=1.0\n", "zope.interface~=5.0", "a===1.0,>=2.0", "a===1.0, >=2.0", "pkg==1.*;python_version<'3'", "pkg[a-b.c_d]", "1pkg", "pkg!=1.0.*,>0.5",
    ]

    static func generated(count: Int, seed: UInt64) -> [String] {
        var g = SeededGenerator(seed: seed)
        let names = ["requests", "Foo.Bar_baz", "zope.interface", "a", "A1", "ruamel.yaml.clib", "typing-extensions"]
        let extras = ["socks", "SECURITY", "foo_bar", "a.b", "x-y"]
        let specs = [">=1.0", "<2", "==1.4.*", "~=3.1", "!=1.5", "===1.0", ">= 2.0b1", "==1.0+local", ">1", "<=3.0.post1"]
        let markers = MarkerCorpus.generated(count: 50, seed: seed)
        return (0..<count).map { _ in
            var s = g.pick(names)
            if g.chance(0.3) { s += g.pick(["", " "]) + "[" + (0..<g.int(1...2)).map { _ in g.pick(extras) }.joined(separator: g.pick([",", ", "])) + "]" }
            if g.chance(0.15) {
                s += " @ " + g.pick(["https://example.invalid/p-1.0-py3-none-any.whl", "file:///tmp/p.tar.gz", "git+https://example.invalid/p.git@v1"])
                if g.chance(0.5) { s += g.pick([" ; ", " ;", ";"]) + g.pick(markers) }
            } else {
                if g.chance(0.7) {
                    let list = (0..<g.int(1...3)).map { _ in g.pick(specs) }.joined(separator: g.pick([",", ", "]))
                    s += g.chance(0.15) ? " (\(list))" : g.pick(["", " "]) + list
                }
                if g.chance(0.4) { s += g.pick(["; ", ";", " ; "]) + g.pick(markers) }
            }
            return s
        }
    }

    struct OracleRequirement: Decodable {
        var name: String?
        var extras: [String]?
        var specifier: String?
        var url: String?
        var marker: String?
    }

    /// Inputs where we intentionally disagree with packaging 26.3 about validity, and why.
    static func knownDifference(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let name = trimmed.split(whereSeparator: { !($0.isLetter || $0.isNumber || "._-".contains($0)) }).first,
           name.hasSuffix("_") {
            return "packaging's tokenizer accepts a project name ending in '_'; the core metadata name grammar does not"
        }
        if let arbitrary = text.range(of: "===") {
            let clauses = text[arbitrary.upperBound...].prefix(while: { $0 != ";" })
                .trimmingCharacters(in: CharacterSet(charactersIn: " \t)"))
            if clauses.contains(where: { $0 == " " || $0 == "\t" }) {
                return "packaging's tokenizer lets an === clause swallow what follows up to a space, so '===1.0, >=2' fails there"
            }
        }
        return nil
    }

    /// Validity, name, extras, specifiers, URL and the marker's evaluation agree with
    /// `packaging.requirements.Requirement` for ~1,500 requirement strings.
    @Test func agreesWithPackaging() throws {
        let inputs = Self.handPicked + Self.generated(count: 1500, seed: 7)
        struct Input: Encodable {
            var requirements: [String]
            func encode(to encoder: any Encoder) throws {
                var c = encoder.unkeyedContainer()
                try c.encode(requirements)
                try c.encode(MarkerCorpus.environments)
                try c.encode(MarkerCorpus.extraSets)
            }
        }
        let oracle = try PackagingOracle.run(MarkerCorpus.oracleEvaluation + """
            from packaging.requirements import Requirement, InvalidRequirement
            from packaging.utils import canonicalize_name
            requirements, environments, extra_sets = data
            out = []
            for text in requirements:
                try: r = Requirement(text)
                except InvalidRequirement: out.append({}); continue
                out.append({"name": canonicalize_name(r.name), "extras": sorted({canonicalize_name(e) for e in r.extras}),
                            "specifier": str(r.specifier), "url": r.url,
                            "marker": None if r.marker is None else evaluations(r.marker, environments, extra_sets)})
            print(json.dumps(out))
            """, input: Input(requirements: inputs), as: [OracleRequirement].self)
        var mismatches: [String] = []
        for (text, expected) in zip(inputs, oracle) {
            let ours = try? Requirement(text)
            guard let ours, let name = expected.name else {
                if (ours == nil) != (expected.name == nil), Self.knownDifference(text) == nil {
                    mismatches.append("\(text.debugDescription): ours \(ours?.description ?? "invalid"), packaging \(expected.name == nil ? "invalid" : "valid")")
                }
                continue
            }
            let evaluation = ours.marker.map { MarkerCorpus.ourEvaluation($0) }
            let markerAgrees = switch (evaluation, expected.marker) {
            case (nil, nil): true
            case (let a?, let b?): MarkerCorpus.matches(a, b)
            default: false
            }
            if ours.name.rawValue != name || ours.extras.map(\.rawValue) != expected.extras
                || ours.specifiers.description != expected.specifier || ours.url != expected.url || !markerAgrees {
                mismatches.append("\(text.debugDescription): ours \(ours) marker \(evaluation ?? "-"), packaging \(name) "
                                  + "\(expected.extras ?? []) \(expected.specifier ?? "") \(expected.url ?? "-") \(expected.marker ?? "-")")
            }
            let reparsed = try? Requirement(ours.description)
            #expect(reparsed?.description == ours.description && reparsed?.marker.map { MarkerCorpus.ourEvaluation($0) } == evaluation,
                    "printed form \(ours) parses back")
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(8))")
    }

    @Test func errorQuotesRequirementAndShowsExample() {
        let error = #expect(throws: RequirementError.self) { try Requirement("pkg>=1.0 <2") }
        let message = error?.description ?? ""
        #expect(message.contains("\"pkg>=1.0 <2\"") && message.contains("requests[socks]>=2.8,<3"))
    }
}
