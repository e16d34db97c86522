import Foundation
import TestSupport
import Testing

/// `pexify lock` then `pexify --lock`, and `--layout pex` through the same command line.
@Suite(.serialized) struct LockAndPexTests {
    @Test func buildFromLockEqualsBuildFromRequirements() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let lock = directory.child("pylock.toml")
        let locked = try PexifyCLI.succeed(["lock", "requests", "--runtime", "python3.11", "--json", "-o", lock]
            + PexifyCLI.offline())
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(locked.stdout.utf8)) as? [String: Any])
        let names = (summary["distributions"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(names == ["certifi", "charset-normalizer", "idna", "requests", "urllib3"])
        // The lock is TOML that Python's tomllib reads, with one package per distribution.
        let packages = try python("import sys, tomllib; print(len(tomllib.load(open(sys.argv[1], 'rb'))['packages']))",
                                  arguments: [lock])
        #expect(packages.trimmingCharacters(in: .whitespacesAndNewlines) == "5")

        let fromLock = directory.child("from-lock.zip"), fromRequirements = directory.child("from-requirements.zip")
        try PexifyCLI.succeed(["--lock", lock, "--layout", "zip", "--runtime", "python3.11", "-o", fromLock]
            + PexifyCLI.offline())
        try PexifyCLI.succeed(["requests", "--layout", "zip", "--runtime", "python3.11", "-o", fromRequirements]
            + PexifyCLI.offline())
        #expect(FileManager.default.contents(atPath: fromLock) == FileManager.default.contents(atPath: fromRequirements))
    }

    /// Against a loopback index with hashes and PEP 658 metadata over the real wheelhouse, `pexify lock`
    /// downloads no wheel and says so; the build from that lock downloads them, equals the build from
    /// the requirements, and imports.
    @Test func lockFromAnIndexFetchesNoWheelAndBuildsFromIt() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let log = directory.child("requests.log")
        let server = try LoopbackServer("simple", ["--root", TestEnvironment.wheelhouse, "--json", "--metadata",
                                                   "--log", log])
        defer { server.stop() }
        func wholeWheels() -> [String] {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
                .filter { $0.hasPrefix("GET /files/") && $0.hasSuffix(".whl 200") }
        }
        let index = ["--index-url", server.baseURL + "/simple/", "--cache-dir", directory.child("cache")]
        let lock = directory.child("pylock.toml")
        let locked = try PexifyCLI.succeed(["lock", "requests", "--runtime", "python3.11", "--json", "-o", lock] + index)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(locked.stdout.utf8)) as? [String: Any])
        #expect(summary["wheelsLockedByIndexHashes"] as? Int == 5, "\(summary)")
        #expect(summary["wheelsHashedFromFiles"] as? Int == 0, "\(summary)")
        #expect(wholeWheels().isEmpty, "\(wholeWheels())")

        let fromLock = directory.child("from-lock.zip"), fromRequirements = directory.child("from-requirements.zip")
        try PexifyCLI.succeed(["--lock", lock, "--layout", "zip", "--runtime", "python3.11", "-o", fromLock] + index)
        #expect(wholeWheels().count == 5, "\(wholeWheels())")
        try PexifyCLI.succeed(["requests", "--layout", "zip", "--runtime", "python3.11", "-o", fromRequirements]
            + PexifyCLI.offline())
        #expect(FileManager.default.contents(atPath: fromLock) == FileManager.default.contents(atPath: fromRequirements))
        let imported = try python("import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2]); "
            + "sys.path.insert(0, sys.argv[2]); import requests; print(requests.__name__)",
            arguments: [fromLock, directory.child("extracted")])
        #expect(imported.trimmingCharacters(in: .whitespacesAndNewlines) == "requests")
    }

    @Test func pexWithConsoleScriptRuns() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let output = directory.child("normalizer.pex")
        let result = try PexifyCLI.succeed(["charset-normalizer", "--layout", "pex", "-c", "normalizer",
                                            "--platform", "linux_x86_64-cp311", "--json", "-o", output]
            + PexifyCLI.offline())
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(summary["entryPoint"] as? String != nil, "\(summary)")
        let version = try run(TestEnvironment.python, [output, "--version"],
                              environment: ["PEX_ROOT": directory.child("pex_root")])
        let expected = try LambdaLayoutTests.wheelhouseVersion("charset_normalizer")
        #expect(version.status == 0 && (version.stdout + version.stderr).contains(expected), "\(version.summary)")

        let inspection = try #require(try JSONSerialization.jsonObject(
            with: Data(try PexifyCLI.succeed(["inspect", output, "--json"]).stdout.utf8)) as? [String: Any])
        let pexInfo = try #require(inspection["pexInfo"] as? String)
        #expect(pexInfo.contains("\"entry_point\":\"charset_normalizer"), "\(pexInfo)")
        let names = (inspection["distributions"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
        #expect(names.contains("charset_normalizer \(expected)"), "\(names)")
    }
}
