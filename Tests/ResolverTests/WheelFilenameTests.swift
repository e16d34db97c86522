import Foundation
@testable import Resolver
import TestSupport
import Testing

@Suite struct WheelFilenameTests {
    static let handPicked = [
        "numpy-1.26.4-cp39-cp39-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "six-1.16.0-py2.py3-none-any.whl",
        "Foo.Bar-1.0-1-py3-none-any.whl", "foo_bar-1.0-1a-py3-none-any.whl", "foo-bar-1.0-py3-none-any.whl",
        "foo-1.0-x1-py3-none-any.whl", "foo-1.0-py3-none-any.WHL", "foo-1.0-py3-none.whl", "foo__bar-1.0-py3-none-any.whl",
        "foo-1.0.x-py3-none-any.whl", "Foo-1.0-PY3-NONE-ANY.whl", "foo-1.0-py3-none-any", "foo-1.0-12-py3-none-any.whl",
        "foo-1.0-py3..py2-none-any.whl", "foo-v1.0-py3-none-any.whl", "foo-1.0-007abc-cp312-abi3-macosx_11_0_arm64.whl",
        "-1.0-py3-none-any.whl", "foo-1.0--py3-none-any.whl", "foo-1.0-py3-none-any.whl.whl",
    ]

    static func generated(count: Int, seed: UInt64) -> [String] {
        var g = SeededGenerator(seed: seed)
        let names = ["numpy", "Foo.Bar", "foo_bar", "ruamel.yaml.clib", "a", "Django", "zope_interface", "x1"]
        let pythons = ["py3", "py2.py3", "cp39", "cp312", "pp310", "cp313t", "py310"]
        let abis = ["none", "abi3", "cp39", "cp312", "cp37m", "cp313t"]
        let platforms = ["any", "manylinux_2_17_x86_64.manylinux2014_x86_64", "linux_x86_64", "musllinux_1_1_aarch64",
                         "macosx_10_9_x86_64.macosx_11_0_arm64", "win_amd64", "manylinux1_x86_64"]
        return (0..<count).map { _ in
            var parts = [g.pick(names), g.pick(VersionCorpus.generated(count: 1, seed: g.next()))]
            if g.chance(0.2) { parts.append(g.pick(["1", "2b", "10_x", "x"])) }
            parts += [g.pick(pythons), g.pick(abis), g.pick(platforms)]
            return parts.joined(separator: "-") + ".whl"
        }
    }

    struct OracleWheel: Decodable {
        var name: String
        var version: String
        var build: [OracleBuild]
        var tags: [String]
    }
    enum OracleBuild: Decodable {
        case number(Int), text(String)
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let n = try? c.decode(Int.self) { self = .number(n) } else { self = .text(try c.decode(String.self)) }
        }
    }

    /// Validity, name, version, build tag and the expanded tag set agree with
    /// `packaging.utils.parse_wheel_filename` for ~1,000 names, including the wheelhouse's real wheels.
    @Test func agreesWithPackaging() throws {
        let wheelhouse = (try? FileManager.default.contentsOfDirectory(atPath: TestEnvironment.wheelhouse)) ?? []
        let inputs = Self.handPicked + wheelhouse.filter { $0.hasSuffix(".whl") } + Self.generated(count: 1000, seed: 427)
        let oracle = try PackagingOracle.run("""
            from packaging.utils import parse_wheel_filename, InvalidWheelFilename
            out = []
            for f in data:
                try: name, version, build, tags = parse_wheel_filename(f)
                except InvalidWheelFilename: out.append(None); continue
                out.append({"name": name, "version": str(version), "build": list(build), "tags": sorted(str(t) for t in tags)})
            print(json.dumps(out))
            """, input: inputs, as: [OracleWheel?].self)
        var mismatches: [String] = []
        for (filename, expected) in zip(inputs, oracle) {
            let ours = try? WheelFilename(filename)
            guard let ours, let expected else {
                if (ours == nil) != (expected == nil) { mismatches.append("\(filename): valid ours \(ours != nil)") }
                continue
            }
            let build: [String] = expected.build.map { switch $0 { case .number(let n): "\(n)"; case .text(let s): s } }
            let ourBuild = ours.buildTag.map { ["\($0.number)", $0.suffix] } ?? []
            if ours.name.rawValue != expected.name || ours.version.description != expected.version || ourBuild != build
                || Set(ours.tags.map(\.description)).sorted() != expected.tags {
                mismatches.append("\(filename): ours \(ours.name) \(ours.version) \(ourBuild) \(ours.tags.count) tags")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(8))")
        #expect(wheelhouse.count >= 10, "the wheelhouse in \(TestEnvironment.wheelhouse) holds real wheels")
    }

    @Test func errorQuotesFilenameAndShowsExample() {
        let error = #expect(throws: WheelFilenameError.self) { try WheelFilename("foo-bar-1.0-py3-none-any.whl") }
        let message = error?.description ?? ""
        #expect(message.contains("\"foo-bar-1.0-py3-none-any.whl\"") && message.contains("numpy-1.26.4-cp312"))
    }
}

@Suite struct SdistFilenameTests {
    /// Validity, name and version agree with `packaging.utils.parse_sdist_filename` 26.3.
    @Test func agreesWithPackaging() throws {
        var g = SeededGenerator(seed: 625)
        let names = ["requests", "Foo.Bar", "foo-bar", "zope.interface", "a", "python-dateutil", "X1"]
        let inputs = ["requests-2.31.0.tar.gz", "foo-bar-1.0.zip", "foo-1.0.tar.bz2", "foo.tar.gz", "-1.0.tar.gz",
                      "foo-1.0-final.tar.gz", "Foo_Bar-1.0rc1.tar.gz", "foo-v1.0.zip", "foo-1.0.TAR.GZ"]
            + (0..<400).map { _ in
                "\(g.pick(names))-\(g.pick(VersionCorpus.generated(count: 1, seed: g.next())))\(g.pick([".tar.gz", ".zip", ".tgz"]))"
            }
        let oracle = try PackagingOracle.run("""
            from packaging.utils import parse_sdist_filename, InvalidSdistFilename
            out = []
            for f in data:
                try: name, version = parse_sdist_filename(f); out.append([name, str(version)])
                except InvalidSdistFilename: out.append(None)
            print(json.dumps(out))
            """, input: inputs, as: [[String]?].self)
        var differences = 0
        for (filename, expected) in zip(inputs, oracle) {
            let ours = try? SdistFilename(filename)
            if ours == nil, let name = expected?[0], normalizeName(name) == nil {
                differences += 1  // Known difference: packaging does not validate the project name; we do.
                continue
            }
            #expect(ours.map { [$0.name.rawValue, $0.version.description] } == expected, "\(filename)")
        }
        #expect(differences < inputs.count / 4)
        let error = #expect(throws: WheelFilenameError.self) { try SdistFilename("foo-1.0.tgz") }
        #expect(error?.description.contains("\"foo-1.0.tgz\"") == true && error?.description.contains("requests-2.31.0.tar.gz") == true)
    }
}
