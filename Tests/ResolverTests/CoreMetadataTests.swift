import Foundation
@testable import Resolver
import TestSupport
import Testing

@Suite struct CoreMetadataTests {
    struct OracleMetadata: Decodable {
        var text: String
        var name: String
        var version: String
        var requiresDist: [String]
        var requiresPython: String?
        var providesExtra: [String]
    }

    /// METADATA of every real wheel in the wheelhouse plus hand-written files with folded headers,
    /// CRLF line ends and a body: Name, Version, Requires-Dist, Requires-Python and Provides-Extra agree
    /// with `packaging.metadata.Metadata.from_email`.
    @Test func agreesWithPackagingMetadata() throws {
        let wheelhouse = (try? FileManager.default.contentsOfDirectory(atPath: TestEnvironment.wheelhouse)) ?? []
        let wheels = wheelhouse.filter { $0.hasSuffix(".whl") }.map { TestEnvironment.wheelhouse + "/" + $0 }
        let handWritten = [
            "Metadata-Version: 2.1\nName: Demo.Pkg\nVersion: 1.0-RC1\nRequires-Python: >=3.8,\n  <4\n"
                + "Requires-Dist: requests[socks] (>=2.8); extra == 'Use_Chardet'\nProvides-Extra: Use_Chardet\n"
                + "Provides-Extra: use-chardet\nrequires-dist: idna\n\nBody text\nRequires-Dist: not-a-header\n",
            "Metadata-Version: 2.3\r\nName: crlf\r\nVersion: 2.0\r\nRequires-Dist: six; python_version < \"3\"\r\n\r\n",
            "Metadata-Version: 1.0\nName: old\nVersion: 0.1\nSummary: a summary\n  continued\nDescription: long\n        |text\n",
        ]
        struct Input: Encodable { var wheels: [String]; var texts: [String] }
        let oracle = try PackagingOracle.run("""
            import zipfile
            from packaging.metadata import Metadata
            from packaging.utils import canonicalize_name
            texts = list(data["texts"])
            for path in data["wheels"]:
                with zipfile.ZipFile(path) as z:
                    name = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
                    texts.append(z.read(name).decode("utf-8"))
            out = []
            for text in texts:
                m = Metadata.from_email(text, validate=False)
                out.append({"text": text, "name": m.name, "version": str(m.version),
                            "requiresDist": [str(r) for r in (m.requires_dist or [])],
                            "requiresPython": None if m.requires_python is None else str(m.requires_python),
                            "providesExtra": list(dict.fromkeys(canonicalize_name(e) for e in (m.provides_extra or [])))})
            print(json.dumps(out))
            """, input: Input(wheels: wheels, texts: handWritten), as: [OracleMetadata].self)
        #expect(oracle.count == handWritten.count + wheels.count && wheels.count >= 10)
        for expected in oracle {
            let ours = try CoreMetadata(parsing: expected.text)
            #expect(ours.name == (try PackageName(expected.name)))
            #expect(ours.version.description == expected.version)
            #expect(ours.requiresDist.map(\.description) == (try expected.requiresDist.map { try Requirement($0).description }),
                    "\(expected.name): \(ours.requiresDist) vs \(expected.requiresDist)")
            #expect(ours.requiresPython?.description == expected.requiresPython)
            #expect(ours.providesExtra.map(\.rawValue) == expected.providesExtra)
        }
    }

    @Test func dependenciesFollowTheTargetAndRequestedExtras() throws {
        let metadata = try CoreMetadata(parsing: """
            Metadata-Version: 2.1
            Name: requests
            Version: 2.31.0
            Requires-Dist: charset-normalizer (<4,>=2)
            Requires-Dist: PySocks (!=1.5.7,>=1.5.6) ; extra == 'socks'
            Requires-Dist: win-inet-pton ; (sys_platform == "win32" and python_version == "2.7") and extra == 'socks'
            Provides-Extra: socks
            """)
        let target = try TargetPlatform.lambda(runtime: "python3.12", architecture: "arm64")
        #expect(metadata.dependencies(for: target.markerEnvironment).map(\.name.rawValue) == ["charset-normalizer"])
        #expect(metadata.dependencies(for: target.markerEnvironment, extras: [try ExtraName("SOCKS")]).map(\.name.rawValue)
                == ["charset-normalizer", "pysocks"])
    }

    @Test func errorsNameTheHeader() {
        #expect(throws: MetadataError.missingField("Version")) { try CoreMetadata(parsing: "Name: x\n") }
        let error = #expect(throws: MetadataError.self) { try CoreMetadata(parsing: "Name: x\nVersion: 1\nRequires-Dist: y >= 1 <2\n") }
        #expect(error?.description.contains("Requires-Dist: y >= 1 <2") == true)
    }
}
