import Basics
import Foundation
@testable import Resolver
import TestSupport
import Testing

/// Every parser of untrusted input in the resolver, fed truncated and mutated real inputs: each case
/// either parses or is refused with the parser's own error type, never a trap (which would end the run).
@Suite struct ParserFuzzTests {
    static let pageURL = URL(string: "http://127.0.0.1:1/simple/demo/")!

    /// The wheelhouse's files as an index lists them: (filename, sha256, size).
    static let wheelhouse: [(String, String, Int)] = {
        let directory = TestEnvironment.wheelhouse
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".whl") }
        return names.sorted().prefix(12).map { name in
            let data = FileManager.default.contents(atPath: directory + "/" + name) ?? Data()
            return (name, sha256Hex(data), data.count)
        }
    }()

    static let hasWheelhouse = wheelhouse.count >= 3

    /// A PEP 503 page and a PEP 691 JSON page over the wheelhouse, with every attribute pexify reads.
    static var pages: (html: String, json: String) {
        var html = "<!DOCTYPE html>\n<html><head><meta name=\"pypi:repository-version\" content=\"1.1\">"
            + "<base href=\"../\"><!-- generated --></head><body><h1>Links for demo</h1>\n"
        var files: [String] = []
        for (index, (name, hash, size)) in wheelhouse.enumerated() {
            let yanked = index % 4 == 1 ? " data-yanked=\"broken &amp; replaced\"" : ""
            html += "<a href=\"files/\(name)#sha256=\(hash)\" data-requires-python=\"&gt;=3.8\"\(yanked) "
                + "data-dist-info-metadata=\"sha256=\(hash)\">\(name)</a><br/>\n"
            files.append("{\"filename\": \"\(name)\", \"url\": \"../files/\(name)\", \"hashes\": {\"sha256\": \"\(hash)\"}, "
                + "\"requires-python\": \">=3.8\", \"yanked\": \(index % 4 == 1 ? "\"broken\"" : "false"), \"size\": \(size), "
                + "\"core-metadata\": {\"sha256\": \"\(hash)\"}}")
        }
        html += "<script>var a = '<a href=x>';</script></body></html>\n"
        let json = "{\"meta\": {\"api-version\": \"1.1\"}, \"name\": \"demo\", \"files\": [\n" + files.joined(separator: ",\n") + "]}"
        return (html, json)
    }

    @Test(.enabled(if: hasWheelhouse, "needs the wheelhouse (scripts/setup-test-env.sh)"))
    func indexPagesInHTML() {
        let outcome = FuzzOutcome.run(Mutations.of([Self.pages.html], count: 4000, seed: 1), expecting: IndexError.self) {
            _ = try SimpleAPI.parseHTML(String(decoding: $0, as: UTF8.self), pageURL: Self.pageURL, source: "fuzz")
        }
        #expect(outcome.isSound, "\(outcome)")
    }

    @Test(.enabled(if: hasWheelhouse, "needs the wheelhouse (scripts/setup-test-env.sh)"))
    func indexPagesInJSON() {
        let outcome = FuzzOutcome.run(Mutations.of([Self.pages.json], count: 3000, seed: 2), expecting: IndexError.self) {
            _ = try SimpleAPI.parseJSON(Data($0), pageURL: Self.pageURL, source: "fuzz")
        }
        #expect(outcome.isSound, "\(outcome)")
    }

    static let requirements = [
        "requests[socks,security]>=2.31,<3 ; python_version >= \"3.8\" and platform_machine != 'arm64'",
        "pydantic-core==2.50.5",
        "name @ https://example.invalid/name-1.0-py3-none-any.whl#sha256=0123 ; extra == 'x'",
        "Django~=5.0.1",
        "typing_extensions (>=4.0, !=4.1.*)",
        "a.b-c_d[e]===1.0+local",
        "numpy; (os_name == 'posix' or sys_platform == \"win32\") and implementation_name in 'cpython pypy'",
        "x>=99999999999999999999999 ; python_full_version >= '3.99999999999999999999'",
        "y ; ((((python_version < '3.12'))))",
    ]

    /// Parsed requirements and markers are also evaluated: comparisons of odd versions must not trap either.
    @Test func requirementsAndMarkers() throws {
        let environment = try TargetPlatform.lambda(runtime: "python3.12").markerEnvironment
        let extras: Set = [try ExtraName("x")]
        let cases = Mutations.of(Self.requirements, count: 5000, seed: 3, maxPrefixes: 200)
        let requirements = FuzzOutcome.run(cases, expecting: RequirementError.self) {
            _ = try Requirement(String(decoding: $0, as: UTF8.self)).applies(to: environment)
        }
        #expect(requirements.isSound, "\(requirements)")
        let markers = FuzzOutcome.run(
            Mutations.of(Self.requirements.compactMap { $0.split(separator: ";").last.map(String.init) }, count: 3000, seed: 4),
            expecting: RequirementError.self
        ) { _ = try MarkerExpression(String(decoding: $0, as: UTF8.self)).evaluate(environment, extras: extras) }
        #expect(markers.isSound, "\(markers)")
    }

    @Test func versionsSpecifiersAndWheelFilenames() {
        let versions = ["1.0", "2!1.2.3rc4.post5.dev6+local.7", "1.0a1", "0.9.post", "v1.2-3", "1.0.0.0.0.0.0.0.1",
                        "99999999999999999999.1", "1.0rc18446744073709551616", "9223372036854775808!1"]
        let parsedVersions = FuzzOutcome.run(Mutations.of(versions, count: 3000, seed: 5), expecting: VersionError.self) {
            _ = try Version(parsing: String(decoding: $0, as: UTF8.self))
        }
        #expect(parsedVersions.isSound, "\(parsedVersions)")
        let specifiers = [">=1.0,<2,!=1.5.*", "~=2.2.post3", "===weird", "==1.0+local", "<=3!4.5",
                          "==99999999999999999999.*", "~=1"]
        let parsedSpecifiers = FuzzOutcome.run(Mutations.of(specifiers, count: 3000, seed: 6), expecting: VersionError.self) {
            _ = try VersionSpecifiers(String(decoding: $0, as: UTF8.self))
        }
        #expect(parsedSpecifiers.isSound, "\(parsedSpecifiers)")
        let filenames = Self.wheelhouse.map(\.0) + ["pkg-1.0-1build-cp311-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"]
        let parsedFilenames = FuzzOutcome.run(Mutations.of(filenames, count: 3000, seed: 7), expecting: WheelFilenameError.self) {
            _ = try WheelFilename(String(decoding: $0, as: UTF8.self))
        }
        #expect(parsedFilenames.isSound, "\(parsedFilenames)")
    }

    @Test(.enabled(if: hasWheelhouse, "needs the wheelhouse (scripts/setup-test-env.sh)"))
    func coreMetadataOfRealWheels() throws {
        let paths = Self.wheelhouse.prefix(6).map { TestEnvironment.wheelhouse + "/" + $0.0 }
        let dump = try python("""
            import sys, zipfile
            for path in sys.argv[1:]:
                with zipfile.ZipFile(path) as z:
                    name = next(n for n in z.namelist() if n.endswith('.dist-info/METADATA'))
                    sys.stdout.write(z.read(name).decode() + '\\x00')
            """, arguments: paths)
        let seeds = dump.split(separator: "\0").map { String($0.prefix(6000)) }
        let outcome = FuzzOutcome.run(Mutations.of(seeds, count: 4000, seed: 8, maxPrefixes: 150), expecting: MetadataError.self) {
            _ = try CoreMetadata(parsing: String(decoding: $0, as: UTF8.self))
        }
        #expect(outcome.isSound, "\(outcome)")
    }

    @Test func requirementsFiles() throws {
        let seed = """
            # comment
            --index-url ${INDEX}/simple
            --extra-index-url https://mirror.invalid/simple
            -f ./wheels
            --pre
            requests[socks]>=2.31 ; python_version >= "3.8" \\
                --hash=sha256:\(String(repeating: "a", count: 64))
            -c \((Mutations.scratchPath("constraints.txt") as NSString).lastPathComponent)
            idna==3.21 --hash=sha256:\(String(repeating: "b", count: 64))
            ./dist/local_thing-0.3-py3-none-any.whl
            """
        try "urllib3<3\n".write(toFile: Mutations.scratchPath("constraints.txt"), atomically: false, encoding: .utf8)
        defer { unlink(Mutations.scratchPath("constraints.txt")) }
        let path = Mutations.scratchPath("requirements.txt")
        defer { unlink(path) }
        let outcome = FuzzOutcome.run(Mutations.of([seed], count: 1500, seed: 9, maxPrefixes: 150),
                                      expecting: RequirementsFileError.self) { bytes in
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            _ = try RequirementsFile.parse(path: path, environment: ["INDEX": "https://packages.invalid"])
        }
        #expect(outcome.isSound, "\(outcome)")
    }

    @Test(.enabled(if: hasWheelhouse, "needs the wheelhouse (scripts/setup-test-env.sh)"))
    func lockFiles() throws {
        let target = try TargetPlatform.lambda(runtime: "python3.12", architecture: "x86_64")
        var lock = """
            lock-version = "1.0"
            environments = ["python_version == '3.12' and sys_platform == 'linux'"]
            requires-python = "==3.12.*"
            created-by = "pexify"

            """
        for (name, hash, size) in Self.wheelhouse.prefix(4) {
            let parsed = try WheelFilename(name)
            lock += """

                [[packages]]
                name = "\(parsed.name.rawValue)"
                version = "\(parsed.version)"
                dependencies = [{ name = "idna" }]
                index = "https://packages.invalid/simple"

                [[packages.wheels]]
                name = "\(name)"
                url = "https://packages.invalid/files/\(name)"
                size = \(size)
                hashes = { sha256 = "\(hash)" }

                """
        }
        let path = Mutations.scratchPath("pylock.toml")
        defer { unlink(path) }
        let outcome = FuzzOutcome.run(Mutations.of([lock], count: 1500, seed: 10, maxPrefixes: 150),
                                      expecting: LockError.self) { bytes in
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            _ = try PyLock.read(path: path, target: target)
        }
        #expect(outcome.isSound, "\(outcome)")
    }

    /// uv's and Pipenv's locks (Poetry's needs a pyproject.toml beside it), and a malformed digest in
    /// each refused with the entry named, before anything is downloaded.
    @Test(.enabled(if: hasWheelhouse, "needs the wheelhouse (scripts/setup-test-env.sh)"))
    func foreignLockFiles() throws {
        let target = try TargetPlatform.lambda(runtime: "python3.12", architecture: "x86_64")
        let wheels = Self.wheelhouse.prefix(3)
        var uv = """
            version = 1
            revision = 2
            requires-python = ">=3.12"

            [[package]]
            name = "app"
            version = "0.1.0"
            source = { virtual = "." }
            dependencies = [\(wheels.map { "{ name = \"\(try! WheelFilename($0.0).name.rawValue)\" }" }.joined(separator: ", "))]

            """
        var pipfile = "{\"_meta\": {\"pipfile-spec\": 6, \"requires\": {\"python_version\": \"3.12\"}, "
            + "\"sources\": [{\"name\": \"pypi\", \"url\": \"https://packages.invalid/simple\", \"verify_ssl\": true}]},\n"
            + "\"default\": {"
        for (index, (name, hash, size)) in wheels.enumerated() {
            let parsed = try WheelFilename(name)
            uv += """

                [[package]]
                name = "\(parsed.name.rawValue)"
                version = "\(parsed.version)"
                source = { registry = "https://packages.invalid/simple" }
                wheels = [
                    { url = "https://packages.invalid/files/\(name)", hash = "sha256:\(hash)", size = \(size) },
                ]

                """
            pipfile += (index == 0 ? "" : ",\n") + "\"\(parsed.name.rawValue)\": {\"hashes\": [\"sha256:\(hash)\"], "
                + "\"index\": \"pypi\", \"markers\": \"python_version >= '3.8'\", \"version\": \"==\(parsed.version)\"}"
        }
        pipfile += "}, \"develop\": {}}\n"
        let uvPath = Mutations.scratchPath("uv.lock"), pipfilePath = Mutations.scratchPath("Pipfile.lock")
        defer { unlink(uvPath); unlink(pipfilePath) }
        for (seed, path, read) in [
            (uv, uvPath, { try UvLock.read(path: uvPath, target: target) }),
            (pipfile, pipfilePath, { try PipfileLock.read(path: pipfilePath, target: target) }),
        ] as [(String, String, () throws -> LockedSet)] {
            try seed.write(toFile: path, atomically: false, encoding: .utf8)
            #expect(try read().packages.count == wheels.count, "the seed itself must be a valid lock")
            let outcome = FuzzOutcome.run(Mutations.of([seed], count: 1200, seed: 18, maxPrefixes: 150),
                                          expecting: LockError.self) { bytes in
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                _ = try read()
            }
            #expect(outcome.isSound, "\(path): \(outcome)")

            try seed.replacingOccurrences(of: "sha256:" + wheels[wheels.startIndex].1, with: "sha256:not-hex")
                .write(toFile: path, atomically: false, encoding: .utf8)
            #expect {
                _ = try read()
            } throws: { error in
                String(describing: error).contains("\"not-hex\" is not 64 hex digits")
            }
        }
    }

    /// Shapes toml++ 3.4 asserts on (found by the lock fuzz cases) are refused before it sees them;
    /// what only looks similar (a nested array on its own line, brackets in strings) still parses, as
    /// Python's tomllib agrees.
    @Test(arguments: ["[.a]\n", "x = 1\n[[.12\"\n", "[[ {x = 1}]]\n", "  [\u{e9}t\u{e9}]\n", "[\t.\"a\"]\n",
                      "a = [}]\n", "a = [1, }\n", "a = [\n  # c\n  }]\n", "a = [[1], [ }]]\n"])
    func shapesTomlPlusPlusCannotParseAreRefused(text: String) throws {
        #expect(throws: TOMLText.Refused.self) { _ = try TOMLText.parse(text) }
        let path = Mutations.scratchPath("header-uv.lock")
        defer { unlink(path) }
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        #expect(throws: LockError.self) {
            _ = try UvLock.read(path: path, target: try TargetPlatform.lambda(runtime: "python3.12"))
        }
    }

    @Test func tomlThatOnlyLooksLikeABadHeaderStillParses() throws {
        let text = """
            a = [
              [1, 2],
              [ {x = 1}, {} ],
              { y = [] },
            ]
            b = \"\"\"
            [.not a header]
            \"\"\"
            c = '[.neither'  # [.nor this]
            [t."[.quoted]"]
            d = 1
            """
        let table = try TOMLText.parse(text)
        #expect(table["t"]?.table?["[.quoted]"]?.table?["d"]?.int == 1)
        let oracle = try python("import sys, tomllib; print(sorted(tomllib.loads(sys.argv[1])))", arguments: [text])
        #expect(oracle.trimmingCharacters(in: .whitespacesAndNewlines) == "['a', 'b', 'c', 't']")
    }
}
