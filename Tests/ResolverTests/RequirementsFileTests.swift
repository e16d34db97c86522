import Foundation
import Resolver
import TestSupport
import Testing

/// requirements.txt parsing, checked against pip's own `parse_requirements` on the same files.
@Suite struct RequirementsFileTests {
    /// pip's view: `(canonical requirement, is constraint, sha256 hashes)` per entry, in order.
    func pipView(_ path: String, environment: [String: String]) throws -> [String] {
        try python(#"""
import sys
from packaging.requirements import Requirement
from pip._internal.network.session import PipSession
from pip._internal.req.req_file import parse_requirements
for r in parse_requirements(sys.argv[1], session=PipSession()):
    text = r.requirement.strip()
    try:
        text = str(Requirement(text))
    except Exception:
        pass
    print(text, "constraint" if r.constraint else "requirement", sorted(r.options.get("hashes", {}).get("sha256", [])))
"""#, arguments: [path], environment: environment).split(separator: "\n").map(String.init)
    }

    /// Our view, printed the same way (canonicalised by `packaging`, the oracle, not by us).
    func ourView(_ file: RequirementsFile) throws -> [String] {
        let entries = file.requirements.map { ($0, "requirement") } + file.constraints.map { ($0, "constraint") }
        let lines = entries.map { "\($0.0.requirement.description)\t\($0.1)\t\($0.0.hashes.sorted())" }
        return try python(#"""
import sys
from packaging.requirements import Requirement
for line in sys.stdin.read().splitlines():
    text, kind, hashes = line.split("\t")
    print(str(Requirement(text)), kind, hashes.replace('"', "'"))
"""#, stdin: Array(lines.joined(separator: "\n").utf8)).split(separator: "\n").map(String.init)
    }

    @Test func matchesPipOnContinuationsCommentsVariablesNestingAndHashes() throws {
        let directory = try TemporaryDirectory("pexify-req")
        defer { directory.remove() }
        let hashA = String(repeating: "a", count: 64), hashB = String(repeating: "b", count: 64)
        try directory.write("nested/more.txt", """
            # nested file, paths relative to it
            -c ../constraints.txt
            idna>=3  # trailing comment
            """)
        try directory.write("constraints.txt", "urllib3<3\ncertifi==2024.8.30\n")
        let main = try directory.write("requirements.txt", """
            --index-url https://${INDEX_HOST}/simple
            --extra-index-url https://mirror.invalid/simple   # trailing comment
            -f ./wheels
            -r nested/more.txt
            requests[socks]==2.31.0 \\
                --hash=sha256:\(hashA) \\
                --hash=sha256:\(hashB)
            numpy>=1.24; python_version >= "3.9" and platform_machine == "x86_64"
            # a comment line ending in a backslash does not continue \\
            six==1.16.0
            pkg==1.0 # comment that ends the line
            mypkg @ https://example.invalid/mypkg-1.0-py3-none-any.whl#sha256=\(hashA) ; python_version < "4"
            """)
        let environment = ["INDEX_HOST": "packages.invalid"]
        let parsed = try RequirementsFile.parse(path: main, environment: environment)
        let ours = try ourView(parsed), pips = try pipView(main, environment: environment)
        #expect(ours.sorted() == pips.sorted())
        #expect(parsed.indexURL == "https://packages.invalid/simple")
        #expect(parsed.extraIndexURLs == ["https://mirror.invalid/simple"])
        #expect(parsed.findLinks == ["./wheels"])
        #expect(parsed.requireHashes)
        #expect(parsed.requirements.first { $0.requirement.name.rawValue == "idna" }?.origin.hasSuffix("more.txt:3") == true)
    }

    /// Files saved on Windows end their lines in CRLF; pip reads them line by line all the same.
    @Test func crlfLineEndsMatchPip() throws {
        let directory = try TemporaryDirectory("pexify-req-crlf")
        defer { directory.remove() }
        let main = try directory.write("requirements.txt",
            "requests==2.31.0 \\\r\n    --hash=sha256:\(String(repeating: "c", count: 64))\r\n# comment\r\nsix>=1.16\r\n\r\nidna\r\n")
        let parsed = try RequirementsFile.parse(path: main, environment: [:])
        #expect(parsed.requirements.map(\.requirement.name.rawValue) == ["requests", "six", "idna"])
        #expect(try ourView(parsed).sorted() == (try pipView(main, environment: [:])).sorted())
    }

    @Test func wheelPathsBecomeDirectReferences() throws {
        let directory = try TemporaryDirectory("pexify-req")
        defer { directory.remove() }
        let wheel = try WheelFactory.make([WheelSpec("local-thing", "0.3")], in: directory.child("dist"))[0]
        let main = try directory.write("requirements.txt", "./dist/local_thing-0.3-py3-none-any.whl\n")
        let parsed = try RequirementsFile.parse(path: main)
        #expect(parsed.requirements.map(\.requirement.name.rawValue) == ["local-thing"])
        #expect(parsed.requirements[0].requirement.url == URL(fileURLWithPath: wheel).absoluteString)
    }

    @Test(arguments: [
        ("-e ./src", "editable"),
        ("./some/source/dir", "neither a wheel nor a project directory"),
        ("-r missing.txt", "cannot be read"),
        ("requests --hash=md5:abc", "sha256"),
        ("requests --hash=sha256:\(String(repeating: "g", count: 64))", "64 hex digits"),
        ("--frobnicate", "not supported"),
    ])
    func refusesWhatAWheelOnlyResolverCannotDo(line: String, message: String) throws {
        let directory = try TemporaryDirectory("pexify-req")
        defer { directory.remove() }
        let main = try directory.write("requirements.txt", "six\n\(line)\n")
        #expect {
            _ = try RequirementsFile.parse(path: main)
        } throws: { error in
            let text = String(describing: error)
            return text.contains(message) && text.contains("requirements.txt")
        }
    }

    @Test func includeCyclesAreReported() throws {
        let directory = try TemporaryDirectory("pexify-req")
        defer { directory.remove() }
        try directory.write("b.txt", "-r a.txt\n")
        let a = try directory.write("a.txt", "-r b.txt\n")
        #expect(throws: RequirementsFileError.self) { _ = try RequirementsFile.parse(path: a) }
    }

    @Test func pyprojectDependenciesWithExtras() throws {
        let directory = try TemporaryDirectory("pexify-req")
        defer { directory.remove() }
        let path = try directory.write("pyproject.toml", """
            [project]
            name = "app"
            version = "1.0"
            dependencies = ["requests>=2", "numpy; python_version >= '3.10'"]
            [project.optional-dependencies]
            Fast_Path = ["orjson>=3"]
            """)
        let oracle = try python(#"""
import sys, tomllib
from packaging.requirements import Requirement
p = tomllib.load(open(sys.argv[1], "rb"))["project"]
for r in p["dependencies"] + p["optional-dependencies"]["Fast_Path"]:
    print(Requirement(r).name)
"""#, arguments: [path]).split(separator: "\n").map(String.init)
        let ours = try PyProject.dependencies(path: path, extras: ["fast-path"])
        #expect(ours.map(\.name.rawValue) == oracle)
        #expect(throws: RequirementsFileError.self) { _ = try PyProject.dependencies(path: path, extras: ["nope"]) }
    }
}
