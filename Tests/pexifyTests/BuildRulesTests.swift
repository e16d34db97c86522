import Foundation
import TestSupport
import Testing

/// The build rules, through the real `pexify` executable: reproducible output, collisions,
/// `--exclude`, the Lambda size budget, the native-code check, and no output after a failed build.
@Suite(.serialized) struct BuildRulesTests {
    static func sha256(_ path: String) throws -> String {
        try python("import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], 'rb').read()).hexdigest())",
                   arguments: [path])
    }

    static func names(in archive: String) throws -> [String] {
        try python("import sys, zipfile; print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))", arguments: [archive])
            .split(separator: "\n").map(String.init)
    }

    @Test func rebuildIsByteIdentical() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("src/app.py", "import requests\n\ndef handler(event, context):\n    return requests.__version__\n")
        var hashes: [String] = []
        // The second build compresses with one worker instead of one per core: the bytes must not change.
        for (name, jobs) in [("first.zip", "4"), ("second.zip", "1")] {
            try PexifyCLI.succeed(["requests", "--layout", "zip", "--runtime", "python3.11", "-D", directory.child("src"),
                                   "--handler", "app.py:handler", "--jobs", jobs, "-o", directory.child(name)]
                + PexifyCLI.offline())
            hashes.append(try Self.sha256(directory.child(name)))
        }
        #expect(hashes[0] == hashes[1])
        // Building into the sources directory does not pack the previous archive into the next one.
        for _ in 0..<2 {
            try PexifyCLI.succeed(["--layout", "zip", "--runtime", "python3.11", "-D", ".", "--handler", "app.py:handler",
                                   "-o", "function.zip"], currentDirectory: directory.child("src"))
        }
        #expect(try Self.names(in: directory.child("src/function.zip")) == ["app.py", "lambda_function.py"])
        let unzip = try run("unzip", ["-tq", directory.child("first.zip")])
        #expect(unzip.status == 0, "\(unzip.summary)")
    }

    @Test func differentBytesAtOnePathFailNamingBothDistributions() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let wheels = directory.child("wheels")
        try FileManager.default.createDirectory(atPath: wheels, withIntermediateDirectories: true)
        try TestWheel(name: "left", files: ["left/__init__.py": "", "shared/data.txt": "left\n"]).write(into: wheels)
        try TestWheel(name: "right", files: ["right/__init__.py": "", "shared/data.txt": "right\n"]).write(into: wheels)
        try TestWheel(name: "same-a", files: ["same_a.py": "", "common/same.txt": "same\n"]).write(into: wheels)
        try TestWheel(name: "same-b", files: ["same_b.py": "", "common/same.txt": "same\n"]).write(into: wheels)
        let output = directory.child("out.zip")

        let clash = try PexifyCLI.run(["left", "right", "--layout", "zip", "--runtime", "python3.11", "-o", output]
            + PexifyCLI.offline([wheels]))
        #expect(clash.status == 1, "\(clash.summary)")
        #expect(clash.stderr.contains("shared/data.txt") && clash.stderr.contains("left 1.0")
                && clash.stderr.contains("right 1.0"), "\(clash.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))

        try PexifyCLI.succeed(["same-a", "same-b", "--layout", "layer", "--runtime", "python3.11", "-o", output]
            + PexifyCLI.offline([wheels]))
        #expect(try Self.names(in: output).filter { $0 == "python/common/same.txt" }.count == 1)
    }

    @Test func excludeDropsTheDistributionAndWhatOnlyItNeeded() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let output = directory.child("out.zip")
        let result = try PexifyCLI.succeed(
            ["requests", "pandas", "--exclude", "pandas", "--layout", "zip", "--platform", "linux_x86_64-cp311",
             "--manylinux", "manylinux_2_28", "--json", "-o", output] + PexifyCLI.offline())
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let excluded = try #require(summary["excluded"] as? [String])
        #expect(excluded.contains("pandas") && excluded.contains("numpy") && excluded.contains("tzdata"), "\(excluded)")
        #expect(!excluded.contains("requests") && !excluded.contains("urllib3"))
        let names = try Self.names(in: output)
        #expect(names.contains("requests/__init__.py"))
        #expect(!names.contains { $0.hasPrefix("numpy") || $0.hasPrefix("pandas") })
    }

    @Test func unzippedBudgetOverrunFailsListingTheLargestDistribution() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let wheels = directory.child("wheels")
        try FileManager.default.createDirectory(atPath: wheels, withIntermediateDirectories: true)
        // 250 MiB + 1 byte of zeros deflates to about 250 KB.
        var big = TestWheel(name: "hefty", files: ["hefty/__init__.py": ""])
        big.zeroFiles = ["hefty/blob.bin": 262_144_001]
        try big.write(into: wheels)
        let output = directory.child("out.zip")
        let failed = try PexifyCLI.run(["hefty", "--layout", "zip", "--runtime", "python3.11", "-o", output]
            + PexifyCLI.offline([wheels]))
        #expect(failed.status == 1, "\(failed.summary)")
        #expect(failed.stderr.contains("262,144,000"), "\(failed.stderr)")
        #expect(failed.stderr.contains("hefty"), "\(failed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))

        try PexifyCLI.succeed(["hefty", "--layout", "zip", "--runtime", "python3.11", "--no-size-check", "-o", output]
            + PexifyCLI.offline([wheels]))
        #expect(FileManager.default.fileExists(atPath: output))
    }

    @Test func zippedAboveFiftyMegabytesWarnsAboutDirectUpload() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let wheels = directory.child("wheels")
        try FileManager.default.createDirectory(atPath: wheels, withIntermediateDirectories: true)
        var bulky = TestWheel(name: "bulky", files: ["bulky/__init__.py": ""])
        bulky.randomFiles = ["bulky/noise.bin": 51 << 20]
        try bulky.write(into: wheels)
        let output = directory.child("out.zip")
        let result = try PexifyCLI.succeed(["bulky", "--layout", "zip", "--runtime", "python3.11", "-o", output]
            + PexifyCLI.offline([wheels]))
        #expect(result.stderr.contains("warning:") && result.stderr.contains("52,428,800")
                && result.stderr.contains("S3"), "\(result.stderr)")
    }

    /// A shared object linked against this machine's glibc (2.34+ for `arc4random`, 2.36) inside a wheel
    /// that claims manylinux2014: Lambda python3.11 (glibc 2.26) could not load it.
    @Test func sharedObjectNeedingANewerGlibcFailsTheNativeCheck() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = try directory.write("fresh.c", "#include <stdlib.h>\nunsigned fresh(void) { return arc4random(); }\n")
        let library = directory.child("fresh.so")
        let gcc = try run("gcc", ["-shared", "-fPIC", "-o", library, source])
        try #require(gcc.status == 0, "\(gcc.summary)")
        let glibc = try python("""
            import re, sys
            data = open(sys.argv[1], "rb").read()
            print(max((tuple(map(int, m.groups())) for m in re.finditer(rb"GLIBC_(\\d+)\\.(\\d+)", data)), default=(0, 0)))
            """, arguments: [library])
        try #require(glibc.contains("(2, 3"), "the host glibc is too old to make the test library: \(glibc)")

        let wheels = directory.child("wheels")
        try FileManager.default.createDirectory(atPath: wheels, withIntermediateDirectories: true)
        var fresh = TestWheel(name: "fresh", tag: "cp311-cp311-manylinux2014_x86_64", files: ["fresh/__init__.py": ""])
        fresh.files["fresh/_fresh.cpython-311-x86_64-linux-gnu.so"] = try #require(FileManager.default.contents(atPath: library)).map { $0 }
        fresh.executables = ["fresh/_fresh.cpython-311-x86_64-linux-gnu.so"]
        try fresh.write(into: wheels)
        let output = directory.child("out.zip")
        let failed = try PexifyCLI.run(["fresh", "--layout", "zip", "--runtime", "python3.11", "-o", output]
            + PexifyCLI.offline([wheels]))
        #expect(failed.status == 1, "\(failed.summary)")
        #expect(failed.stderr.contains("_fresh.cpython-311-x86_64-linux-gnu.so") && failed.stderr.contains("2.26"),
                "\(failed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))

        try PexifyCLI.succeed(["fresh", "--layout", "zip", "--runtime", "python3.11", "--no-native-check", "-o", output]
            + PexifyCLI.offline([wheels]))
    }

    @Test(arguments: [
        (["requests", "-o", "x.zip", "--runtime", "python3.11"], "--layout"),
        (["requests", "--layout", "zip", "-o", "x.zip"], "--runtime"),
        (["requests", "--layout", "zip", "--runtime", "python3.11", "--compress-level", "12", "-o", "x.zip"], "0 and 9"),
        (["requests", "--layout", "tarball", "--runtime", "python3.11", "-o", "x.zip"], "tarball"),
        (["requests", "--layout", "pex", "--runtime", "python3.11", "--handler", "a:b", "-o", "x.pex"], "__pex__"),
        (["requests", "--layout", "zip", "--runtime", "python3.11", "--manylinux", "manylinux2014", "-o", "x.zip"],
         "--manylinux applies only to --platform"),
        (["requests", "--layout", "zip", "--runtime", "python3.11", "--architecture", "x86_64", "--architecture", "arm64",
          "-o", "x.zip"], "A build is for one target"),
        (["requests", "--layout", "zip", "--runtime", "python3.11", "--extra", "s3", "-o", "x.zip"], "--extra selects from a lock; use it with --lock"),
        (["requests", "--lock", "uv.lock", "--layout", "zip", "--runtime", "python3.11", "-o", "x.zip"],
         "do not also give requirements"),
    ])
    func usageErrorsExitWithTwo(arguments: [String], mention: String) throws {
        let result = try PexifyCLI.run(arguments)
        #expect(result.status == 2, "\(result.summary)")
        #expect(result.stderr.contains(mention), "\(result.stderr)")
    }
}
