import Foundation
import TestSupport
import Testing
import ZipArchive

/// `pexify -D .` in a project directory as a new user has it: a git checkout with a virtualenv, caches
/// and secrets. Only the code is packed, and the summary, `--json` and `inspect` say what was left out
/// and what came from the sources.
@Suite struct SourcesCommandTests {
    static func project(in directory: TemporaryDirectory) throws -> String {
        let root = directory.child("project")
        try directory.write("project/app.py", "from lib.util import twice\n\ndef handler(event, context):\n    return twice(event)\n")
        try directory.write("project/lib/util.py", "def twice(x):\n    return 2 * x\n")
        try directory.write("project/lib/__pycache__/util.cpython-312.pyc", "stale")
        try directory.write("project/.env", "AWS_SECRET_ACCESS_KEY=do-not-ship\n")
        try directory.write("project/deploy/id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----\n")
        try directory.write("project/.venv/pyvenv.cfg", "home = /usr/bin\n")
        try directory.write("project/.venv/lib/python3.12/site-packages/six.py", "")
        try directory.write("project/tests/test_app.py", "")
        try directory.write("project/notes.log", "")
        try directory.write("project/.gitignore", "*.log\n")
        try directory.write("project/.pexifyignore", "tests/\n")
        let git = try run("git", ["init", "-q"], environment: ["GIT_CONFIG_GLOBAL": "/dev/null"], currentDirectory: root)
        try #require(git.status == 0, "\(git.summary)")
        return root
    }

    static func files(in zip: String) throws -> [String] {
        try ZipReader(path: zip).entries.filter { !$0.isDirectory }.map(\.name).sorted()
    }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text)")
    }

    @Test func projectDirectoryShipsOnlyItsCode() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let root = try Self.project(in: directory)
        let arguments = ["-D", ".", "--handler", "app.py:handler", "--runtime", "python3.12", "--layout", "zip",
                         "-o", "function.zip"] + PexifyCLI.offline()
        let text = try PexifyCLI.succeed(arguments, currentDirectory: root)
        #expect(text.stdout.contains(
            "Sources: 2 files from . (left out: 1 version-control, 1 virtual-environment, 1 cache, 2 secret, "
                + "2 ignore-rules, 2 ignore-file)"), "\(text.stdout)")
        #expect(text.stdout.contains("Left out as secrets (ship one with --include-source PATH): .env, deploy/id_rsa"),
                "\(text.stdout)")
        #expect(try Self.files(in: root + "/function.zip") == ["app.py", "lambda_function.py", "lib/util.py"])

        // The previous function.zip is not packed into the next one, and --json lists the sources.
        let json = try Self.object(try PexifyCLI.succeed(arguments + ["--json"], currentDirectory: root).stdout)
        let sources = try #require((json["sources"] as? [[String: Any]])?.first)
        #expect(sources["files"] as? [String] == ["app.py", "lib/util.py"])
        let leftOut = (sources["leftOut"] as? [[String: Any]] ?? []).map { "\($0["path"] ?? "") \($0["reason"] ?? "")" }
        #expect(leftOut.contains(".env secret") && leftOut.contains("function.zip output")
                && leftOut.contains(".venv/ virtual-environment") && leftOut.contains(".git/ version-control"),
                "\(leftOut)")

        let inspected = try Self.object(try PexifyCLI.succeed(["inspect", "--json", root + "/function.zip"]).stdout)
        #expect(inspected["sourceFiles"] as? [String] == ["app.py", "lib/util.py"])
        let inspectText = try PexifyCLI.succeed(["inspect", root + "/function.zip"]).stdout
        #expect(inspectText.contains("From the sources: 2 files\n  app.py\n  lib/util.py\n"), "\(inspectText)")

        // A PEX: its runtime files are pexify's, not the sources'. (Only the archive being written is left
        // out by itself: the earlier function.zip would be packed.)
        try FileManager.default.removeItem(atPath: root + "/function.zip")
        try PexifyCLI.succeed(["-D", ".", "-e", "app:handler", "--platform", "linux_x86_64-cp311", "--layout", "pex",
                               "-o", directory.child("app.pex")] + PexifyCLI.offline(), currentDirectory: root)
        let pex = try Self.object(try PexifyCLI.succeed(["inspect", "--json", directory.child("app.pex")]).stdout)
        #expect(pex["sourceFiles"] as? [String] == ["app.py", "lib/util.py"])
    }

    @Test func includeSourceShipsANamedSecretAndExcludeSourceDropsMore() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let root = try Self.project(in: directory)
        let result = try PexifyCLI.succeed(
            ["-D", root, "--runtime", "python3.12", "--layout", "layer", "--include-source", ".env",
             "--include-source", "tests/", "--exclude-source", "lib/", "-o", directory.child("layer.zip")]
                + PexifyCLI.offline())
        #expect(try Self.files(in: directory.child("layer.zip")) == ["python/.env", "python/app.py", "python/tests/test_app.py"])
        #expect(result.stdout.contains("Left out as secrets (ship one with --include-source PATH): deploy/id_rsa"),
                "\(result.stdout)")

        let refused = try PexifyCLI.run(["-D", root, "--runtime", "python3.12", "--layout", "zip",
                                         "--exclude-source", "!tests/", "-o", directory.child("x.zip")] + PexifyCLI.offline())
        #expect(refused.status != 0 && refused.stderr.contains("--exclude-source '!tests/' is not a usable glob"),
                "\(refused.summary)")
        #expect(!FileManager.default.fileExists(atPath: directory.child("x.zip")))

        let leftOutHandler = try PexifyCLI.run(["-D", root, "--runtime", "python3.12", "--layout", "zip", "--handler",
                                                "tests/test_app.py:handler", "-o", directory.child("x.zip")] + PexifyCLI.offline())
        #expect(leftOutHandler.status != 0 && leftOutHandler.stderr.contains(
            "is in 'tests/' of the sources directory '\(root)', which is left out (ignore-file: .pexifyignore:1: tests/)"),
            "\(leftOutHandler.summary)")
    }
}

/// `--with-layer` from the command line: the summary counts the layers, and a function and layer over
/// 250 MiB together fail before anything is written, naming both.
@Suite struct WithLayerCommandTests {
    @Test func functionAndLayerTogetherOverTheLimitFailNamingBoth() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.child("wheels"), withIntermediateDirectories: true)
        var big = TestWheel(name: "bigfunc", files: ["bigfunc/__init__.py": ""])
        big.zeroFiles = ["bigfunc/model.bin": 140 << 20]
        var filler = TestWheel(name: "filler", files: ["python/filler/__init__.py": ""])
        filler.zeroFiles = ["python/filler/weights.bin": 120 << 20]
        let written = try TestWheel.write([big, filler], into: directory.child("wheels"))
        let layer = directory.child("layer.zip")
        try FileManager.default.moveItem(atPath: written[1], toPath: layer)
        let common = ["bigfunc", "--runtime", "python3.12", "--layout", "zip"] + PexifyCLI.offline([directory.child("wheels")])

        let alone = try PexifyCLI.succeed(common + ["-o", directory.child("alone.zip")])
        #expect(!alone.stdout.contains("With layers"))

        let failed = try PexifyCLI.run(common + ["--with-layer", layer, "-o", directory.child("function.zip")])
        #expect(failed.status != 0, "\(failed.summary)")
        #expect(failed.stderr.contains("bigfunc 1.0 (140.0 MiB)") && failed.stderr.contains("layer '\(layer)' (120.0 MiB)"),
                "\(failed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.child("function.zip")))

        let warned = try PexifyCLI.succeed(common + ["--with-layer", layer, "--no-size-check", "-o", directory.child("function.zip")])
        #expect(warned.stdout.contains("With layers: \(layer) (120.0 MiB); 260.0 MiB of 250.0 MiB unzipped together"),
                "\(warned.stdout)")

        let pex = try PexifyCLI.run(["bigfunc", "--runtime", "python3.12", "--layout", "pex", "--with-layer", layer,
                                     "-o", directory.child("x.pex")])
        #expect(pex.status != 0 && pex.stderr.contains("--with-layer applies to --layout zip or layer."), "\(pex.summary)")
    }
}
