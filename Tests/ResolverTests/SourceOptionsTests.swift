import Foundation
@testable import Resolver
import TestSupport
import Testing

/// The build-from-source options a requirements file or the command line gives: pip's format control
/// (`--only-binary`, `--no-binary`), PEP 735 dependency groups and local project paths, each checked
/// against the implementation pip or `packaging` ships.
struct SourceOptionsTests {
    static let names = ["docopt", "six", "langdetect", "numpy"]

    /// Sequences of (option, value) as a user could give them, in order.
    @Test(arguments: [
        [("only", ":all:")],
        [("no", ":all:")],
        [("only", ":all:"), ("no", "docopt")],
        [("no", ":all:"), ("only", "six,numpy")],
        [("only", "six"), ("no", "six")],
        [("only", ":all:"), ("only", ":none:")],
        [("no", "docopt,LangDetect"), ("only", ":all:")],
        [("only", ":all:,:none:,six")],
        [("no", "Six"), ("only", ":none:")],
    ])
    func formatControlMatchesPip(_ options: [(String, String)]) throws {
        var policy = BinaryPolicy()
        for (kind, value) in options {
            if kind == "only" { policy.onlyBinary(value) } else { policy.noBinary(value) }
        }
        let ours = try Self.names.map { name -> String in
            let package = try PackageName(name)
            return "\(name):" + [policy.allowsWheels(package) ? "binary" : nil, policy.allowsSource(package) ? "source" : nil]
                .compactMap { $0 }.joined(separator: ",")
        }
        let pips = try python("""
            import json, sys
            from pip._internal.models.format_control import FormatControl
            from pip._vendor.packaging.utils import canonicalize_name
            control = FormatControl(set(), set())
            for kind, value in json.loads(sys.argv[1]):
                if kind == "only":
                    FormatControl.handle_mutual_excludes(value, control.only_binary, control.no_binary)
                else:
                    FormatControl.handle_mutual_excludes(value, control.no_binary, control.only_binary)
            for name in json.loads(sys.argv[2]):
                print(name + ":" + ",".join(sorted(control.get_allowed_formats(canonicalize_name(name)))))
            """, arguments: [String(decoding: try JSONEncoder().encode(options.map { [$0.0, $0.1] }), as: UTF8.self),
                             String(decoding: try JSONEncoder().encode(Self.names), as: UTF8.self)])
            .split(separator: "\n").map(String.init)
        #expect(ours == pips)
    }

    @Test func requirementsFileOptionsAndProjectPaths() throws {
        let directory = try TemporaryDirectory("pexify-req-sources")
        defer { directory.remove() }
        try directory.write("libs/shared/pyproject.toml", "[project]\nname = \"shared\"\nversion = \"1\"\n")
        try directory.write("libs/legacy/setup.py", "from setuptools import setup\nsetup()\n")
        let legacyURL = URL(fileURLWithPath: directory.child("libs/legacy")).absoluteString
        let main = try directory.write("functions/api/requirements.txt", """
            --only-binary :all:
            --no-binary docopt
            --prefer-binary
            ../../libs/shared[Fast,extra-two]
            \(legacyURL)
            docopt
            """)
        let parsed = try RequirementsFile.parse(path: main)
        #expect(parsed.requirements.map(\.requirement.name.rawValue) == ["docopt"])
        let shared = URL(fileURLWithPath: directory.child("libs/shared")).standardizedFileURL.path
        let legacy = URL(fileURLWithPath: directory.child("libs/legacy")).standardizedFileURL.path
        #expect(parsed.projects == [
            ProjectReference(directory: shared, extras: [try ExtraName("fast"), try ExtraName("extra-two")]),
            ProjectReference(directory: legacy),
        ])
        #expect(parsed.binaryPolicy.allowsSource(try PackageName("docopt")))
        #expect(!parsed.binaryPolicy.allowsSource(try PackageName("six")))
        #expect(parsed.binaryPolicy.preferBinary)
    }

    /// Which requirement strings name a local project, and with which extras.
    @Test(arguments: [
        (".", "repo", []), ("./libs/shared", "repo/libs/shared", []), ("libs/shared[Fast]", "repo/libs/shared", ["fast"]),
        ("../repo/libs/legacy", "repo/libs/legacy", []), ("FILE/libs/shared[a, b]", "repo/libs/shared", ["a", "b"]),
        ("shared @ FILE/libs/shared", "repo/libs/shared", []), ("ABS/libs/legacy", "repo/libs/legacy", []),
        ("requests", nil, []), ("./libs/missing", nil, []), ("./libs/empty", nil, []),
        ("shared @ https://example.invalid/shared.tar.gz", nil, []),
    ] as [(String, String?, [String])])
    func projectReferences(text: String, directory: String?, extras: [String]) throws {
        let root = try TemporaryDirectory("pexify-project-refs")
        defer { root.remove() }
        try root.write("repo/pyproject.toml", "[project]\nname = \"repo\"\nversion = \"1\"\n")
        try root.write("repo/libs/shared/pyproject.toml", "[project]\nname = \"shared\"\nversion = \"1\"\n")
        try root.write("repo/libs/legacy/setup.py", "")
        try root.write("repo/libs/empty/README", "")
        let base = root.child("repo")
        let spelled = text.replacingOccurrences(of: "FILE", with: URL(fileURLWithPath: base).absoluteString.dropLast())
            .replacingOccurrences(of: "ABS", with: base)
        let reference = ProjectReference.parse(spelled, relativeTo: base)
        #expect(reference?.directory == directory.map { URL(fileURLWithPath: root.child($0)).standardizedFileURL.path })
        #expect(reference.map { $0.extras.map(\.rawValue) } ?? [] == extras)
    }

    /// PEP 735 groups with includes resolve to what `packaging.dependency_groups` gives.
    @Test(arguments: ["test", "Dev", "all"])
    func dependencyGroupsMatchPackaging(_ group: String) throws {
        let directory = try TemporaryDirectory("pexify-groups")
        defer { directory.remove() }
        let path = try directory.write("pyproject.toml", """
            [project]
            name = "app"
            version = "1.0"

            [dependency-groups]
            test = ["pytest>=8", "coverage[toml]; python_version >= '3.9'"]
            dev = [{include-group = "test"}, "ruff"]
            all = [{include-group = "Dev"}, {include-group = "test"}, "mypy==1.*"]
            """)
        let ours = try PyProject.dependencyGroup(path: path, group: group).map(\.description)
        let theirs = try python("""
            import sys, tomllib
            from packaging.dependency_groups import resolve_dependency_groups
            from packaging.requirements import Requirement
            groups = tomllib.load(open(sys.argv[1], "rb"))["dependency-groups"]
            print("\\n".join(str(Requirement(r)) for r in resolve_dependency_groups(groups, sys.argv[2])))
            """, arguments: [path, group]).split(separator: "\n").map(String.init)
        #expect(ours.count == theirs.count)
        #expect(try ours.map { try Requirement($0) } == theirs.map { try Requirement($0) })
    }

    @Test func dependencyGroupCyclesAndUnknownNamesAreRefused() throws {
        let directory = try TemporaryDirectory("pexify-groups")
        defer { directory.remove() }
        let path = try directory.write("pyproject.toml", """
            [dependency-groups]
            a = [{include-group = "b"}]
            b = [{include-group = "a"}]
            """)
        #expect { _ = try PyProject.dependencyGroup(path: path, group: "a") } throws: {
            "\($0)".contains("includes itself") && "\($0)".contains("pyproject.toml")
        }
        #expect { _ = try PyProject.dependencyGroup(path: path, group: "c") } throws: {
            "\($0)".contains("no dependency group \"c\"")
        }
    }
}
