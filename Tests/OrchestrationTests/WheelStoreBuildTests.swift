import Foundation
@testable import Installer
@testable import Orchestration
import Pex
import Resolver
import TestSupport
import Testing
import ZipArchive

/// Verify once, then trust the hash, through whole builds (`Build.run`, offline from copies of real
/// wheels): the first build inflates every entry once, a second build of the same wheels inflates
/// nothing and writes the same bytes; a damaged record is rebuilt; a changed wheel is verified again.
@Suite struct WheelStoreBuildTests {
    static let wheelPrefixes = ["idna-", "certifi-", "charset_normalizer-", "numpy-"]

    struct Fixture {
        var directory: TemporaryDirectory
        /// The find-links directory: copies, so that the decode counts of these paths are this test's own.
        var wheels: String
        var paths: [String]
    }

    static func fixture() throws -> Fixture {
        let directory = try TemporaryDirectory("pexify-store")
        let wheels = directory.child("wheels")
        try FileManager.default.createDirectory(atPath: wheels, withIntermediateDirectories: true)
        let names = try FileManager.default.contentsOfDirectory(atPath: TestEnvironment.wheelhouse)
        var paths: [String] = []
        for prefix in wheelPrefixes {
            let name = try #require(names.first { $0.hasPrefix(prefix) && $0.hasSuffix(".whl") })
            try FileManager.default.copyItem(atPath: TestEnvironment.wheelhouse + "/" + name, toPath: wheels + "/" + name)
            paths.append(wheels + "/" + name)
        }
        return Fixture(directory: directory, wheels: wheels, paths: paths)
    }

    static func request(_ fixture: Fixture, layout: Layout, output: String) -> BuildRequest {
        BuildRequest(
            layout: layout, inputs: RequirementInputs(requirements: ["idna", "certifi", "charset-normalizer", "numpy"]),
            target: .platform("linux_x86_64-cp311", manylinux: "manylinux_2_28"),
            index: IndexOptions(findLinks: [fixture.wheels], noIndex: true, cacheDirectory: fixture.directory.child("cache")),
            output: output)
    }

    static func decoded(_ fixture: Fixture) -> [Int] { fixture.paths.map { EntryDecodeCount.count(in: $0) } }

    static var hasWheelhouse: Bool {
        ((try? FileManager.default.contentsOfDirectory(atPath: TestEnvironment.wheelhouse)) ?? [])
            .contains { $0.hasPrefix("numpy-") }
    }

    @Test(.enabled(if: hasWheelhouse, "run scripts/setup-test-env.sh to fill the wheelhouse"),
          arguments: [Layout.zip, .layer, .pex])
    func secondBuildInflatesNothing(layout: Layout) async throws {
        let fixture = try Self.fixture()
        defer { fixture.directory.remove() }
        let first = fixture.directory.child("first.out"), second = fixture.directory.child("second.out")

        _ = try await Build.run(Self.request(fixture, layout: layout, output: first))
        let cold = Self.decoded(fixture)
        // Every file entry at least once (ELF objects larger than the prefix a few times more).
        for (path, count) in zip(fixture.paths, cold) {
            let files = try ZipReader(path: path).entries.filter { !$0.isDirectory }.count
            #expect(count >= files, "\(path): \(count) of \(files) entries decoded")
        }

        _ = try await Build.run(Self.request(fixture, layout: layout, output: second))
        #expect(Self.decoded(fixture) == cold, "a warm build inflated wheel entries")
        #expect(try WheelFactory.sha256(first) == WheelFactory.sha256(second))
    }

    @Test(.enabled(if: hasWheelhouse, "run scripts/setup-test-env.sh to fill the wheelhouse"),
          arguments: ["torn", "edited", "checksum"])
    func damagedRecordIsRebuiltNotTrusted(damage: String) async throws {
        let fixture = try Self.fixture()
        defer { fixture.directory.remove() }
        let first = fixture.directory.child("first.zip"), second = fixture.directory.child("second.zip")
        _ = try await Build.run(Self.request(fixture, layout: .zip, output: first))
        let cold = Self.decoded(fixture)

        let numpy = fixture.paths[3]
        let store = WheelStore(cache: try Cache(directory: fixture.directory.child("cache")))
        let recordPath = store.recordPath(sha256: try WheelFactory.sha256(numpy))
        var bytes = try #require(FileManager.default.contents(atPath: recordPath))
        switch damage {
        case "torn": bytes = bytes.prefix(bytes.count / 2)
        case "edited":  // a plausible edit of the JSON, the checksum line left alone
            let text = String(decoding: bytes, as: UTF8.self)
            bytes = Data(text.replacingOccurrences(of: "\"projectName\":\"numpy\"", with: "\"projectName\":\"numpz\"").utf8)
            #expect(bytes != FileManager.default.contents(atPath: recordPath))
        default: bytes[0] = bytes[0] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        }
        try bytes.write(to: URL(fileURLWithPath: recordPath))

        _ = try await Build.run(Self.request(fixture, layout: .zip, output: second))
        let warm = Self.decoded(fixture)
        #expect(warm[3] > cold[3], "the damaged record of numpy was trusted")
        #expect(Array(warm[0..<3]) == Array(cold[0..<3]))
        #expect(try WheelFactory.sha256(first) == WheelFactory.sha256(second))
        let rebuilt = try #require(FileManager.default.contents(atPath: recordPath))
        let newline = try #require(rebuilt.firstIndex(of: UInt8(ascii: "\n")))
        #expect(String(decoding: rebuilt[..<newline], as: UTF8.self)
                == (try python("import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())",
                               stdin: Array(rebuilt[rebuilt.index(after: newline)...]))
                    .trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// The stat key: a wheel replaced in its find-links directory by damaged bytes is hashed and verified
    /// again, not trusted by the record of the wheel that was there before.
    @Test(.enabled(if: hasWheelhouse, "run scripts/setup-test-env.sh to fill the wheelhouse"))
    func changedLocalWheelIsVerifiedAgain() async throws {
        let fixture = try Self.fixture()
        defer { fixture.directory.remove() }
        _ = try await Build.run(Self.request(fixture, layout: .zip, output: fixture.directory.child("first.zip")))
        try WheelMutation.record.apply(to: fixture.paths[0], entry: "idna/core.py")
        let output = fixture.directory.child("second.zip")
        await #expect {
            _ = try await Build.run(Self.request(fixture, layout: .zip, output: output))
        } throws: { error in
            "\(error)".contains((fixture.paths[0] as NSString).lastPathComponent) && "\(error)".contains("idna/core.py")
        }
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}
