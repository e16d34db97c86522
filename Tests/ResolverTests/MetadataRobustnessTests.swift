import Foundation
import Testing
import TestSupport
@testable import Resolver

/// METADATA as real wheels write it, as bytes: sniffio 1.3.1's CRLF file, trailing blanks, folded
/// headers, a body that looks like headers, descriptions that are not UTF-8. `packaging`'s
/// `parse_email` on the same bytes is the oracle; wheels with such files resolve end to end.
@Suite struct MetadataRobustnessTests {
    /// The header block of sniffio 1.3.1's METADATA (as `pip download` fetches it), line by line.
    static let sniffioHeaders = [
        "Metadata-Version: 2.1", "Name: sniffio", "Version: 1.3.1",
        "Summary: Sniff out which async library your code is running under",
        "Author-email: \"Nathaniel J. Smith\" <njs@pobox.com>", "License: MIT OR Apache-2.0",
        "Project-URL: Homepage, https://github.com/python-trio/sniffio", "Requires-Python: >=3.7",
        "Description-Content-Type: text/x-rst", "License-File: LICENSE",
    ]

    static let variants: [(String, [UInt8])] = {
        func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
        let body = "\n.. image:: https://img.shields.io/badge/chat-join%20now-blue.svg\n\nName: not-a-header\n"
        return [
            ("sniffio, CRLF", bytes((sniffioHeaders + ["", body]).joined(separator: "\r\n"))),
            ("trailing blanks", bytes("Metadata-Version: 2.1 \nName: trail   \nVersion: 1.0\t\nRequires-Dist: idna>=2 \n\n")),
            ("folded headers before Name", bytes("Metadata-Version: 2.1\r\nLicense: MIT\r\n  OR Apache-2.0\r\n\tand more\r\n"
                + "Name: folded\r\nVersion: 3.0\r\nRequires-Python: >=3.8,\r\n <4\r\n\r\nbody\r\n")),
            ("latin-1 description body", bytes("Metadata-Version: 2.1\nName: latin\nVersion: 0.9\nRequires-Dist: six\n\nCaf")
                + [0xE9, 0x20, 0xFF, 0xFE] + bytes("\nRequires-Dist: not-this\n")),
            ("mixed line ends", bytes("Metadata-Version: 2.1\nName: mixed\r\nVersion: 2.2\rRequires-Dist: attrs>=22\n\r\nbody")),
        ]
    }()

    struct Oracle: Decodable {
        var name: String
        var version: String
        var requiresDist: [String]
        var requiresPython: String?
    }

    @Test func agreesWithPackagingOnRealWorldBytes() throws {
        let oracle = try PackagingOracle.run("""
            import base64
            from packaging.metadata import parse_email
            from packaging.requirements import Requirement
            out = []
            for encoded in data:
                raw, unparsed = parse_email(base64.b64decode(encoded))
                out.append({"name": raw["name"], "version": raw["version"],
                            "requiresDist": [str(Requirement(r)) for r in raw.get("requires_dist", [])],
                            "requiresPython": raw.get("requires_python")})
            print(json.dumps(out))
            """, input: Self.variants.map { Data($0.1).base64EncodedString() }, as: [Oracle].self)
        try #require(oracle.count == Self.variants.count)
        for ((label, bytes), expected) in zip(Self.variants, oracle) {
            let ours = try CoreMetadata(parsing: Data(bytes))
            // `parse_email` keeps a value's trailing blanks (compat32); names and versions have none.
            #expect(ours.name == (try PackageName(expected.name.trimmingCharacters(in: .whitespaces))), "\(label)")
            #expect(ours.version.description == expected.version.trimmingCharacters(in: .whitespaces), "\(label)")
            #expect(ours.requiresDist.map(\.description) == (try expected.requiresDist.map { try Requirement($0).description }),
                    "\(label)")
            #expect(ours.requiresPython == (try expected.requiresPython.map { try VersionSpecifiers($0) }), "\(label)")
        }
    }

    /// A sniffio-shaped wheel whose METADATA has CRLF line ends, written by CPython's `zipfile`,
    /// resolves from find-links and from an index without PEP 658 metadata (read from the wheel).
    @Test func aWheelWithCRLFMetadataResolves() async throws {
        let directory = try TemporaryDirectory("pexify-crlf")
        defer { directory.remove() }
        let wheels = directory.child("wheels")
        try FileManager.default.createDirectory(atPath: wheels, withIntermediateDirectories: true)
        _ = try python("""
            import sys, zipfile
            meta = "\\r\\n".join(sys.argv[2:]) + "\\r\\n\\r\\nsniffio body\\r\\n"
            with zipfile.ZipFile(sys.argv[1] + "/sniffio-1.3.1-py3-none-any.whl", "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("sniffio/__init__.py", "")
                z.writestr("sniffio-1.3.1.dist-info/METADATA", meta.encode())
                z.writestr("sniffio-1.3.1.dist-info/WHEEL", "Wheel-Version: 1.0\\r\\nRoot-Is-Purelib: true\\r\\nTag: py3-none-any\\r\\n")
                z.writestr("sniffio-1.3.1.dist-info/RECORD", "")
            """, arguments: [wheels] + Self.sniffioHeaders)
        try WheelFactory.make([WheelSpec("anyio", "4.0", requires: ["sniffio>=1.1", "idna>=2.8"]), WheelSpec("idna", "3.0")],
                              in: wheels)
        let target = try TargetPlatform.lambda(runtime: "python3.12", architecture: "x86_64")
        let local = try await Resolver.resolve(ResolveRequest(
            requirements: [try Requirement("anyio")], target: target,
            index: IndexConfiguration(indexURL: nil, findLinks: [wheels], noIndex: true), cacheDirectory: directory.child("cache")))
        #expect(ResolveTests.pins(local) == ["anyio==4.0", "idna==3.0", "sniffio==1.3.1"])

        let fixture = try IndexFixture([])
        defer { fixture.directory.remove() }
        try FileManager.default.removeItem(atPath: fixture.wheels)
        try FileManager.default.copyItem(atPath: wheels, toPath: fixture.wheels)
        let server = try fixture.simpleServer(metadata: false)
        defer { server.stop() }
        let remote = try await Resolver.resolve(ResolveRequest(
            requirements: [try Requirement("anyio")], target: target,
            index: IndexConfiguration(indexURL: server.baseURL + "/simple/"), cacheDirectory: fixture.directory.child("cache")))
        #expect(ResolveTests.pins(remote) == ResolveTests.pins(local))
        #expect(remote.warnings.isEmpty)
    }
}
