import Foundation
import TestSupport
import Testing

/// No damaged wheel reaches an archive: real wheels of the wheelhouse, damaged the ways disks, networks
/// and hand edits damage them, are given to the real `pexify` (offline, from a find-links directory,
/// with a fresh cache); every build must fail with status 1, name the wheel, and leave neither an
/// output, a temporary file nor a verified-store record behind.
@Suite struct WheelVerificationTests {
    /// (wheel file name prefix, requirement, entry, mutation): pure-Python wheels, a wheel of shared
    /// objects, and numpy's largest extension for the mutations that reach the inflated bytes.
    static let cases: [(String, String, String, WheelMutation)] =
        WheelMutation.allCases.map { ("idna-", "idna", "idna/core.py", $0) }
        + WheelMutation.allCases.map { ("certifi-", "certifi", "certifi/cacert.pem", $0) }
        + WheelMutation.allCases.map {
            ("charset_normalizer-", "charset-normalizer", "charset_normalizer/md.cpython-311-x86_64-linux-gnu.so", $0)
        }
        + [WheelMutation.dataBit, .crcBoth, .sizeBoth, .record].map {
            ("numpy-", "numpy", "numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so", $0)
        }

    static func wheel(_ prefix: String) throws -> String? {
        try FileManager.default.contentsOfDirectory(atPath: TestEnvironment.wheelhouse)
            .first { $0.hasPrefix(prefix) && $0.hasSuffix(".whl") }
    }

    static let target = ["--platform", "linux_x86_64-cp311", "--manylinux", "manylinux_2_28", "--layout", "zip"]

    @Test(.enabled(if: (try? wheel("numpy-")) != nil, "run scripts/setup-test-env.sh to fill the wheelhouse"),
          arguments: cases)
    func damagedWheelsNeverReachAnArchive(prefix: String, requirement: String, entry: String, kind: WheelMutation) throws {
        let directory = try TemporaryDirectory("pexify-damaged")
        defer { directory.remove() }
        let name = try #require(try Self.wheel(prefix))
        let wheels = directory.child("wheels"), cache = directory.child("cache"), out = directory.child("out")
        for path in [wheels, out] { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        try FileManager.default.copyItem(atPath: TestEnvironment.wheelhouse + "/" + name, toPath: wheels + "/" + name)
        try kind.apply(to: wheels + "/" + name, entry: entry)

        let result = try PexifyCLI.run([requirement, "-o", out + "/app.zip", "--no-index", "--find-links", wheels,
                                        "--cache-dir", cache] + Self.target)
        #expect(result.status == 1, "\(kind) of \(entry): \(result.summary)")
        #expect(result.stderr.contains(name), "\(kind) of \(entry): \(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == [], "\(kind) of \(entry)")
        let records = FileManager.default.enumerator(atPath: cache + "/verified")?.allObjects as? [String] ?? []
        #expect(!records.contains { $0.contains(".json") }, "\(kind) of \(entry): \(records)")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: cache + "/tmp")) ?? [] == [])
    }

    /// A lock pins a wheel by its sha256, not by its soundness: a damaged wheel locked as it was fails
    /// the build from the lock just the same.
    @Test(.enabled(if: (try? wheel("idna-")) != nil, "run scripts/setup-test-env.sh to fill the wheelhouse"),
          arguments: [WheelMutation.crcBoth, .record])
    func aLockedDamagedWheelFailsTheBuildFromTheLock(kind: WheelMutation) throws {
        let directory = try TemporaryDirectory("pexify-locked-damage")
        defer { directory.remove() }
        let name = try #require(try Self.wheel("idna-"))
        let wheels = directory.child("wheels"), lock = directory.child("pylock.toml")
        try FileManager.default.createDirectory(atPath: wheels, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestEnvironment.wheelhouse + "/" + name, toPath: wheels + "/" + name)
        try kind.apply(to: wheels + "/" + name, entry: "idna/core.py")
        let offline = ["--no-index", "--find-links", wheels, "--cache-dir", directory.child("cache")]
        try PexifyCLI.succeed(["lock", "idna", "--runtime", "python3.11", "-o", lock] + offline)

        let output = directory.child("app.zip")
        let result = try PexifyCLI.run(["--lock", lock, "--layout", "zip", "--runtime", "python3.11", "-o", output]
            + offline)
        #expect(result.status == 1, "\(result.summary)")
        #expect(result.stderr.contains(name) && result.stderr.contains("idna/core.py"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    /// A wheel downloaded from an index whose sha256 matches what the index announces can still be
    /// damaged (the index serves what was uploaded): it is verified when it enters the build.
    @Test func aDownloadedDamagedWheelFails() throws {
        let fixture = try IndexFixture([WheelSpec("dmg-demo", "1.0")])
        defer { fixture.directory.remove() }
        let wheel = fixture.wheels + "/" + WheelSpec("dmg-demo", "1.0").filename
        try WheelMutation.record.apply(to: wheel, entry: "dmg_demo/__init__.py")
        let server = try fixture.simpleServer()
        let output = fixture.directory.child("app.zip")
        let result = try PexifyCLI.run(["dmg-demo", "--index-url", server.baseURL + "/simple/", "--layout", "zip",
                                        "--runtime", "python3.11", "--cache-dir", fixture.directory.child("cache"),
                                        "-o", output])
        #expect(result.status == 1, "\(result.summary)")
        #expect(result.stderr.contains(WheelSpec("dmg-demo", "1.0").filename)
                && result.stderr.contains("dmg_demo/__init__.py"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    /// The control: the same wheels undamaged build, and `unzip -t` and CPython accept the archive.
    @Test(.enabled(if: (try? wheel("numpy-")) != nil, "run scripts/setup-test-env.sh to fill the wheelhouse"))
    func undamagedWheelsBuild() throws {
        let directory = try TemporaryDirectory("pexify-intact")
        defer { directory.remove() }
        let output = directory.child("app.zip")
        try PexifyCLI.succeed(["idna", "certifi", "charset-normalizer", "numpy", "-o", output, "--no-index",
                               "--find-links", TestEnvironment.wheelhouse, "--cache-dir", directory.child("cache")]
            + Self.target)
        let unzip = try run("unzip", ["-tq", output])
        #expect(unzip.status == 0, "\(unzip.summary)")
        #expect(try python("import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).testzip())", arguments: [output])
            .trimmingCharacters(in: .whitespacesAndNewlines) == "None")
    }

    /// Several builds at once on one fresh cache: each verifies or trusts what another recorded, none
    /// fails, and all write the same bytes.
    @Test(.enabled(if: (try? wheel("numpy-")) != nil, "run scripts/setup-test-env.sh to fill the wheelhouse"))
    func concurrentBuildsOnOneFreshCacheAgree() throws {
        let directory = try TemporaryDirectory("pexify-concurrent")
        defer { directory.remove() }
        let builds = 4
        let results = Results()
        let finished = DispatchGroup()
        // Threads, not a task group: the builds are processes and must really run side by side.
        for index in 0..<builds {
            finished.enter()
            Thread {
                defer { finished.leave() }
                let result = Result {
                    try PexifyCLI.run(["idna", "certifi", "charset-normalizer", "numpy", "pandas",
                                       "-o", directory.child("app-\(index).zip"), "--no-index",
                                       "--find-links", TestEnvironment.wheelhouse,
                                       "--cache-dir", directory.child("cache")] + Self.target)
                }
                results.set(index, result)
            }.start()
        }
        finished.wait()
        for index in 0..<builds {
            let result = try #require(results.get(index)).get()
            #expect(result.status == 0, "\(result.summary)")
        }
        let digests = try (0..<builds).map {
            try WheelFactory.sha256(directory.child("app-\($0).zip"))
        }
        #expect(Set(digests).count == 1, "\(digests)")
    }
}

private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int: Result<ProcessResult, any Error>] = [:]

    func set(_ index: Int, _ value: Result<ProcessResult, any Error>) { lock.withLock { values[index] = value } }
    func get(_ index: Int) -> Result<ProcessResult, any Error>? { lock.withLock { values[index] } }
}
