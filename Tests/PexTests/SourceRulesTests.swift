import Foundation
@testable import Pex
import TestSupport
import Testing

/// What a `-D` directory packs. The `.gitignore` logic is checked against git itself
/// (`git ls-files --others --exclude-standard` lists exactly the files git does not ignore), on fixed
/// pattern sets and on seeded random trees; the built-in rules on a generated project tree.
@Suite struct SourceRulesTests {
    static let gitAvailable = (try? run("git", ["--version"]).status) == 0

    /// Runs git in `directory` with no user or system configuration (no global excludes file).
    static func git(_ arguments: [String], in directory: String, anyStatus: Bool = false) throws -> ProcessResult {
        let result = try run("git", arguments, environment: [
            "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "HOME": directory,
            "XDG_CONFIG_HOME": directory + "/.no-config",
        ], currentDirectory: directory)
        if !anyStatus { try #require(result.status == 0, "git \(arguments.joined(separator: " "))\n\(result.summary)") }
        return result
    }

    /// The files git does not ignore below `subdirectory` (relative to it), sorted.
    static func gitUnignored(_ root: String, subdirectory: String = "") throws -> [String] {
        let listed = try git(["ls-files", "--others", "--exclude-standard", "-z"]
                             + (subdirectory.isEmpty ? [] : ["--", subdirectory]), in: root)
        return listed.stdout.split(separator: "\0").map {
            String($0.dropFirst(subdirectory.isEmpty ? 0 : subdirectory.count + 1))
        }.sorted()
    }

    /// Ours with only the ignore files applying (no built-in rules), `.git/` aside.
    static func ours(_ path: String) throws -> [String] {
        var rules = SourceRules()
        rules.builtIn = false
        return try SourcesDirectory(path: path, rules: rules).files.filter { !$0.hasPrefix(".git/") }
    }

    static let tree = [
        "a.py", "b.txt", "debug.log", "keep.log", "Makefile", "sp ace", "br[1].py", "#hash", "!bang", "star*",
        "doc/a.py", "doc/frotz/x.txt", "doc/frotz/deep/y.py", "doc/build/z.o", "x/doc/frotz/w.txt",
        "src/a.py", "src/b/c/d.py", "src/b/c/d.log", "src/lib/mod.py", "src/lib/build/out.o", "src/keep/k.log",
        "build/x.o", "foo/bar/baz/qux.txt", "foo/bar.txt", "foo/a/b/c/bar/e.txt", "abc/a", "abc/b/c", "tmpdir/t",
    ]

    /// `.gitignore` contents (paths → text) that exercise each rule of gitignore(5).
    static let patternSets: [[String: String]] = [
        [".gitignore": "*.log\n!keep.log\n"],                               // negation, last match wins
        [".gitignore": "/a.py\n"],                                          // anchored to the root
        [".gitignore": "a.py\n"],                                           // any depth
        [".gitignore": "doc/frotz/\n"],                                     // slash in the middle anchors
        [".gitignore": "frotz/\n"],                                         // directory at any depth
        [".gitignore": "build/\n", "src/.gitignore": "!build/\n"],          // nested file overrides outer
        [".gitignore": "**/frotz\n"],                                       // leading **
        [".gitignore": "foo/**\n!foo/bar.txt\n"],                           // trailing **
        [".gitignore": "foo/**/bar\n"],                                     // **/ spanning zero or more dirs
        [".gitignore": "src/\n!src/a.py\n"],                                // no re-include below an ignored dir
        [".gitignore": "src/*\n!src/lib/\n"],                               // re-include a directory
        [".gitignore": "*\n!*/\n!*.py\n"],                                  // only Python files
        [".gitignore": "\\#hash\n\\!bang\n"],                               // escaped # and !
        [".gitignore": "star\\*\nsp\\ ace\n"],                              // escaped * and space
        [".gitignore": "*.txt   \n"],                                       // trailing spaces dropped
        [".gitignore": "br[1].py\n[ab].py\n"],                              // character classes
        [".gitignore": "[!a]*.py\n[[:upper:]]*\n"],                         // negated class, named class
        [".gitignore": "a**c\n"],                                           // ** not between slashes is *
        [".gitignore": "abc/*\n"],                                          // * does not cross /
        [".gitignore": "# comment\n\n  \ntmpdir\n"],                        // comments, blank lines
        [".gitignore": "*.py\r\n!src/**/*.py\r\n"],                         // CRLF lines
        ["src/.gitignore": "/b/\n*.log\n", "src/lib/.gitignore": "!/build\n"],
        ["doc/.gitignore": "frotz/deep\n", ".gitignore": "!doc/frotz/deep\n"],
        [".git/info/exclude": "*.txt\n/src/lib/\n", ".gitignore": "!b.txt\n"],  // the work tree's own excludes
    ]

    static func makeTree(_ files: [String], ignores: [String: String], in root: String) throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        _ = try git(["init", "-q"], in: root)
        for file in files {
            let path = root + "/" + file
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try Data(file.utf8).write(to: URL(fileURLWithPath: path))
        }
        for (file, text) in ignores {
            try Data(text.utf8).write(to: URL(fileURLWithPath: root + "/" + file))
        }
    }

    @Test(.enabled(if: gitAvailable, "git is not installed"), arguments: patternSets.indices)
    func ignoreFilesDecideAsGitDoes(_ index: Int) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Self.makeTree(Self.tree, ignores: Self.patternSets[index], in: directory.path)
        #expect(try Self.ours(directory.path) == Self.gitUnignored(directory.path), "\(Self.patternSets[index])")
        // -D on a subdirectory: the .gitignore files above it apply too, unless they ignore the directory
        // itself, which is then packed whole (it was asked for).
        let sourceIgnored = try Self.git(["check-ignore", "-q", "src"], in: directory.path, anyStatus: true).status == 0
        let expected = sourceIgnored
            ? Self.tree.filter { $0.hasPrefix("src/") }.map { String($0.dropFirst(4)) }
                + Self.patternSets[index].keys.filter { $0.hasPrefix("src/") }.map { String($0.dropFirst(4)) }
            : try Self.gitUnignored(directory.path, subdirectory: "src")
        #expect(try Self.ours(directory.child("src")) == expected.sorted(), "\(Self.patternSets[index])")
    }

    /// Seeded random trees and ignore files, each compared with git.
    @Test(.enabled(if: gitAvailable, "git is not installed"), arguments: 0..<100)
    func randomIgnoreFilesDecideAsGitDoes(_ seed: Int) throws {
        var random = SeededGenerator(seed: UInt64(seed) &* 7919 &+ 17)
        let names = ["a", "b", "ab", "foo", "x.py", "y.txt", "Doc", ".hid", "a b", "z[1]"]
        var files: Set<String> = []
        for _ in 0..<random.int(6...18) {
            files.insert((0..<random.int(1...4)).map { _ in random.pick(names) }.joined(separator: "/"))
        }
        // A name cannot be both a file and a directory.
        let directories = Set(files.flatMap { file in
            file.split(separator: "/").dropLast().indices.map { file.split(separator: "/")[...$0].joined(separator: "/") }
        })
        let leaves = files.filter { !directories.contains($0) }.sorted()
        let segments = names + ["*", "?", "**", "*.py", "a*", "[a-f]*", "[!a]*", "?o?", "*b", "\\*"]
        var ignores: [String: String] = [:]
        for place in [""] + directories.sorted() where place.isEmpty || random.chance(0.3) {
            let lines = (0..<random.int(1...5)).map { _ in
                var line = random.chance(0.25) ? "!" : ""
                if random.chance(0.3) { line += "/" }
                line += (0..<random.int(1...3)).map { _ in random.pick(segments) }.joined(separator: "/")
                if random.chance(0.3) { line += "/" }
                if random.chance(0.1) { line += "  " }
                return line
            }
            ignores[(place.isEmpty ? "" : place + "/") + ".gitignore"] = lines.joined(separator: "\n") + "\n"
        }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Self.makeTree(leaves, ignores: ignores, in: directory.path)
        #expect(try Self.ours(directory.path) == Self.gitUnignored(directory.path), "seed \(seed): \(ignores)")
    }

    /// A project as a new user has it: a git checkout with nested ignore files, a virtualenv, caches,
    /// build outputs, secrets and a previous build of the archive.
    static func makeProject(in directory: TemporaryDirectory) throws -> String {
        let root = directory.child("project")
        let files = [
            "app.py", "app/__init__.py", "app/core.py", "app/__pycache__/core.cpython-312.pyc",
            "app/generated_a.py", "app/generated_ok.py", "app/data/config.json", "app/certs/server.pem",
            "app/certs/ca.txt", "keys/id_rsa", "keys/id_rsa.pub", "keys/README", ".venv/pyvenv.cfg",
            ".venv/lib/python3.12/site-packages/six.py", "env2/pyvenv.cfg", "env2/bin/python",
            ".pytest_cache/v/cache/nodeids", ".mypy_cache/3.12/app.json", ".ruff_cache/CACHEDIR.TAG",
            ".tox/py312/log", ".nox/tests/log", "node_modules/left-pad/index.js", "build/lib/app.py",
            "dist/app-1.0-py3-none-any.whl", "app.egg-info/PKG-INFO", "tests/test_app.py", "debug.log", "keep.log",
            "local/notes.txt", "function.zip", ".env", ".env.production", ".npmrc", ".pypirc", ".netrc",
            "credentials", "server.key", "lib/build/thing.py", "lib/dist.py", ".hg/store", ".svn/entries",
        ]
        try makeTree(files, ignores: [
            ".gitignore": "*.log\n!keep.log\n/local/\n",
            ".pexifyignore": "tests/\n",
            "app/.gitignore": "generated_*.py\n!generated_ok.py\n",
        ], in: root)
        return root
    }

    @Test(.enabled(if: gitAvailable, "git is not installed"))
    func projectTreePacksOnlyTheCode() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let root = try Self.makeProject(in: directory)
        let sources = try SourcesDirectory(path: root, excluding: [root + "/function.zip"])
        #expect(sources.files == [
            "app.py", "app/__init__.py", "app/certs/ca.txt", "app/core.py", "app/data/config.json",
            "app/generated_ok.py", "keep.log", "keys/README", "lib/build/thing.py", "lib/dist.py",
        ])
        #expect(sources.leftOut.map { "\($0.path) \($0.reason.rawValue)" + ($0.rule.map { " \($0)" } ?? "") } == [
            ".env secret", ".env.production secret", ".git/ version-control", ".gitignore ignore-rules",
            ".hg/ version-control", ".mypy_cache/ cache", ".netrc secret", ".nox/ cache", ".npmrc secret",
            ".pexifyignore ignore-rules", ".pypirc secret", ".pytest_cache/ cache", ".ruff_cache/ cache",
            ".svn/ version-control", ".tox/ cache", ".venv/ virtual-environment", "app.egg-info/ build-output",
            "app/.gitignore ignore-rules", "app/__pycache__/ cache", "app/certs/server.pem secret",
            "app/generated_a.py ignore-file app/.gitignore:1: generated_*.py", "build/ build-output",
            "credentials secret", "debug.log ignore-file .gitignore:1: *.log", "dist/ build-output",
            "env2/ virtual-environment", "function.zip output", "keys/id_rsa secret", "keys/id_rsa.pub secret",
            "local/ ignore-file .gitignore:3: /local/", "node_modules/ node-modules", "server.key secret",
            "tests/ ignore-file .pexifyignore:1: tests/",
        ])
        #expect(sources.report.secrets == [
            ".env", ".env.production", ".netrc", ".npmrc", ".pypirc", "app/certs/server.pem", "credentials",
            "keys/id_rsa", "keys/id_rsa.pub", "server.key",
        ])
    }

    @Test(.enabled(if: gitAvailable, "git is not installed"))
    func includeAndExcludeGlobsComeLast() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let root = try Self.makeProject(in: directory)
        let rules = SourceRules(excluded: ["*.json", "/keys/"], included: [".env", "tests/", "build/", "debug.log"])
        let sources = try SourcesDirectory(path: root, rules: rules)
        #expect(sources.files == [
            ".env", "app.py", "app/__init__.py", "app/certs/ca.txt", "app/core.py", "app/generated_ok.py",
            "build/lib/app.py", "debug.log", "function.zip", "keep.log", "lib/build/thing.py", "lib/dist.py",
            "tests/test_app.py",
        ])
        #expect(sources.leftOut.filter { $0.reason == .excludeOption }.map { "\($0.path) \($0.rule ?? "")" }
                == ["app/data/config.json *.json", "keys/ /keys/"])
        #expect(sources.report.secrets.contains(".env") == false)
    }

    @Test(arguments: ["", "# note", "!tests/"])
    func unusableGlobsAreRefused(_ glob: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(throws: LayoutError.invalidSourceGlob(option: "--exclude-source", glob: glob)) {
            try SourcesDirectory(path: directory.path, rules: SourceRules(excluded: [glob]))
        }
    }

    /// Symbolic links are followed, except back into a directory being listed.
    @Test func symlinkCycleIsLeftOutAndNamed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("src/app/main.py", "")
        try directory.write("shared/util.py", "")
        try FileManager.default.createSymbolicLink(atPath: directory.child("src/app/again"), withDestinationPath: "..")
        try FileManager.default.createSymbolicLink(atPath: directory.child("src/shared"), withDestinationPath: "../shared")
        let sources = try SourcesDirectory(path: directory.child("src"))
        #expect(sources.files == ["app/main.py", "shared/util.py"])
        #expect(sources.leftOut == [LeftOutSource(path: "app/again/", reason: .symlinkCycle)])
    }

    /// A generated directory that the work tree's `.gitignore` ignores is packed whole when asked for.
    @Test(.enabled(if: gitAvailable, "git is not installed"))
    func ignoredDirectoryAskedForIsPackedWhole() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Self.makeTree(["out/lambda/app.py", "out/lambda/util.py", "src/app.py"],
                          ignores: [".gitignore": "/out/\n*.py\n!src/*.py\n"], in: directory.path)
        #expect(try SourcesDirectory(path: directory.child("out/lambda")).files == ["app.py", "util.py"])
        #expect(try SourcesDirectory(path: directory.child("src")).files == ["app.py"])
    }
}
