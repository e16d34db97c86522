import Basics
import Foundation
import Resolver
import TestSupport
import Testing
import ZipArchive

/// Metadata from indexes without PEP 658 files: read out of the remote wheel with range requests (its
/// tail, then the one member), so trying versions during resolution never downloads whole wheels.
@Suite struct RangedMetadataTests {
    /// `a` needs `b<2`; the newest `b` versions are tried first and each one's metadata is read; only
    /// the chosen wheels are ever downloaded whole.
    static let specs: [WheelSpec] = [WheelSpec("a", "1.0", requires: ["b<2"])]
        + (0..<6).map { WheelSpec("b", "1.\($0)") } + [WheelSpec("b", "2.0"), WheelSpec("b", "2.1")]

    static func resolve(_ fixture: IndexFixture, _ server: LoopbackServer) async throws -> Resolution {
        try await Resolver.resolve(ResolveRequest(
            requirements: [try Requirement("a"), try Requirement("b")],
            target: try TargetPlatform.lambda(runtime: "python3.12", architecture: "x86_64"),
            index: IndexConfiguration(indexURL: server.baseURL + "/simple/"),
            cacheDirectory: fixture.directory.child("cache")))
    }

    @Test func rangesReadTheMetadataOfEveryCandidateWithoutItsWheel() async throws {
        let fixture = try IndexFixture(Self.specs)
        defer { fixture.directory.remove() }
        let server = try fixture.simpleServer(metadata: false, ranges: true)
        defer { server.stop() }
        let resolution = try await Self.resolve(fixture, server)
        #expect(resolution.distributions.map { "\($0.name)==\($0.version)" } == ["a==1.0", "b==1.5"])
        let fileRequests = fixture.requests().filter { $0.hasPrefix("GET /files/") }
        // Every wheel whose metadata was needed was read by ranges; none but the chosen ones in full.
        let whole = Set(fileRequests.filter { $0.hasSuffix(" 200") }.map { $0.split(separator: " ")[1] })
        #expect(whole.isSubset(of: ["/files/a-1.0-py3-none-any.whl", "/files/b-1.5-py3-none-any.whl"]), "\(fileRequests)")
        let ranged = fileRequests.filter { $0.contains(" 206 ") }
        #expect(ranged.contains { $0.hasPrefix("GET /files/b-2.1-py3-none-any.whl") }, "\(fileRequests)")
        // A small wheel's tail request returns the whole file: one request per wheel.
        #expect(ranged.count == Set(ranged.map { $0.split(separator: " ")[1] }).count, "\(fileRequests)")
    }

    @Test func aServerWithoutRangesSendsEachWheelOnceWhole() async throws {
        let fixture = try IndexFixture(Self.specs)
        defer { fixture.directory.remove() }
        let server = try fixture.simpleServer(metadata: false, ranges: false)
        defer { server.stop() }
        let resolution = try await Self.resolve(fixture, server)
        #expect(resolution.distributions.map { "\($0.name)==\($0.version)" } == ["a==1.0", "b==1.5"])
        let fileRequests = fixture.requests().filter { $0.hasPrefix("GET /files/") }
        // The answer to the range request was the whole wheel, kept in the cache: never fetched again.
        #expect(fileRequests.count == Set(fileRequests.map { $0.split(separator: " ")[1] }).count, "\(fileRequests)")
    }

    /// A real wheel whose central directory is larger than the first request's tail: the archive asks for
    /// the rest, then for the member, and the bytes equal what CPython's zipfile reads.
    @Test func aLargeCentralDirectoryTakesAnotherRound() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: TestEnvironment.wheelhouse)
        let wheel = TestEnvironment.wheelhouse + "/" + (try #require(names.first { $0.hasPrefix("numpy-") }))
        let bytes = try readFile(wheel)
        let tailCount = 22 + 0xFFFF
        var archive = PartialArchive(name: wheel, size: UInt64(bytes.count), tail: Array(bytes.suffix(tailCount)))
        func add(_ range: Range<UInt64>) {
            archive.add(Array(bytes[Int(range.lowerBound)..<Int(min(range.upperBound, UInt64(bytes.count)))]),
                        at: range.lowerBound)
        }
        var rounds = 0
        var members: [PartialArchive.Member] = []
        while true {
            do {
                members = try archive.members()
                break
            } catch let missing as PartialArchive.Missing {
                add(missing.range)
                rounds += 1
                try #require(rounds < 3)
            }
        }
        #expect(rounds == 1, "numpy's central directory is larger than 64 KiB")
        let metadata = try #require(members.first { $0.name.hasSuffix(".dist-info/METADATA") })
        #expect(throws: PartialArchive.Missing.self) { try archive.contents(of: metadata) }
        add(metadata.localRange())
        let expected = try python(
            "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\n"
                + "sys.stdout.write(z.read(next(n for n in z.namelist() if n.endswith('.dist-info/METADATA'))).hex())",
            arguments: [wheel])
        #expect(hex(try archive.contents(of: metadata)) == expected)
    }

    @Test func corruptMemberBytesAreRejected() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: TestEnvironment.wheelhouse)
        let wheel = TestEnvironment.wheelhouse + "/" + (try #require(names.first { $0.hasPrefix("idna-") }))
        var bytes = try readFile(wheel)
        let whole = PartialArchive(name: wheel, size: UInt64(bytes.count), tail: bytes)
        let metadata = try #require(try whole.members().first { $0.name.hasSuffix(".dist-info/METADATA") })
        // Flip a bit in the member's compressed data: inflating fails or the CRC-32 disagrees.
        let header = Int(metadata.localHeaderOffset)
        let extraLength = Int(bytes[header + 28]) | Int(bytes[header + 29]) << 8
        let dataByte = header + 30 + metadata.name.utf8.count + extraLength + 10
        bytes[dataByte] ^= 0x40
        let damaged = PartialArchive(name: wheel, size: UInt64(bytes.count), tail: bytes)
        #expect(throws: ZipError.self) { try damaged.contents(of: metadata) }
    }
}
