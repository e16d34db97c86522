@testable import Resolver
import TestSupport
import Testing

@Suite struct NameTests {
    static func corpus() -> [String] {
        var g = SeededGenerator(seed: 503)
        let pieces = ["Foo", "bar", "zope", "interface", "ruamel", "YAML", "a", "1", "x2", "_", ".", "-", "__", "-.", "é", " ", ""]
        let generated = (0..<2000).map { _ in (0..<g.int(1...5)).map { _ in g.pick(pieces) }.joined() }
        return ["Foo__Bar-.baz", "zope.interface", "ruamel.yaml.clib", "Django", "requests", "a", "-a", "a-", "a_", ".a",
                "a..b", "A-_.-B", "", "1", "x y", "Ärger"] + generated
    }

    /// Validation and PEP 503 normalisation agree with `packaging.utils.canonicalize_name(validate=True)`
    /// on ~2,000 names; extras (PEP 685) normalise the same way.
    @Test func agreesWithPackaging() throws {
        let names = Self.corpus()
        let expected = try PackagingOracle.run("""
            from packaging.utils import canonicalize_name, InvalidName
            out = []
            for n in data:
                try: out.append(canonicalize_name(n, validate=True))
                except InvalidName: out.append(None)
            print(json.dumps(out))
            """, input: names, as: [String?].self)
        var mismatches: [String] = []
        for (name, normalized) in zip(names, expected) {
            let ours = try? PackageName(name)
            let extra = try? ExtraName(name)
            if ours?.rawValue != normalized || extra?.rawValue != normalized {
                mismatches.append("\(name.debugDescription): ours \(ours?.rawValue ?? "invalid"), packaging \(normalized ?? "invalid")")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(8))")
        #expect(expected.compactMap { $0 }.count > 300)
    }

    @Test func spellingsOfOneProjectAreEqual() throws {
        #expect(try PackageName("Zope.Interface") == PackageName("zope_interface"))
        #expect(try PackageName("Foo.Bar").underscored == "foo_bar")
        let error = #expect(throws: NameError.self) { try PackageName("a-") }
        #expect(error?.description.contains("\"a-\"") == true && error?.description.contains("zope.interface") == true)
    }
}
