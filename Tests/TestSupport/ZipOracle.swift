import Foundation
import Testing

/// What CPython's zipfile sees in an archive: the independent reader our writer is checked against.
public struct OracleEntry: Decodable, Equatable {
    public var name: String
    public var crc: UInt32
    public var method: Int
    public var size: Int
    public var compressedSize: Int
    public var mode: Int
    public var dateTime: [Int]
    public var flags: Int
    public var createSystem: Int
    public var extra: String
    public var headerOffset: Int
    public var sha256: String
    /// The content as hex, for entries under 64 KiB.
    public var data: String?
}

public struct OracleArchive: Decodable {
    public var testzip: String?
    public var entries: [OracleEntry]
    public var startDir: Int
    public var concat: Int?
}

public enum ZipOracle {
    /// Opens `path` with CPython zipfile, runs `testzip()` (reads every entry, checks CRCs) and lists entries.
    public static func inspect(_ path: String) throws -> OracleArchive {
        let script = """
        import hashlib, json, sys, zipfile
        with zipfile.ZipFile(sys.argv[1]) as z:
            def data(i):
                b = z.read(i)
                return {"sha256": hashlib.sha256(b).hexdigest(), "data": b.hex() if len(b) < 65536 else None}
            bad = z.testzip()
            out = {"testzip": bad, "startDir": z.start_dir, "entries": []}
            for i in z.infolist():
                out["entries"].append({"name": i.filename, "crc": i.CRC, "method": i.compress_type,
                    "size": i.file_size, "compressedSize": i.compress_size, "mode": i.external_attr >> 16,
                    "dateTime": list(i.date_time), "flags": i.flag_bits, "createSystem": i.create_system,
                    "extra": i.extra.hex(), "headerOffset": i.header_offset,
                    **data(i)})
        print(json.dumps(out))
        """
        let output = try python(script, arguments: [path])
        return try JSONDecoder().decode(OracleArchive.self, from: Data(output.utf8))
    }

    /// Runs Info-ZIP `unzip -t` and returns its output; fails the test when it reports a problem
    /// (non-zero exit or an "extra bytes" warning about misplaced offsets).
    public static func unzipTest(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try run("unzip", ["-t", path])
        #expect(result.status == 0, "unzip -t failed: \(result.summary)", sourceLocation: sourceLocation)
        #expect(!result.stdout.contains("extra bytes") && !result.stderr.contains("extra bytes"),
                "unzip warns about offsets: \(result.summary)", sourceLocation: sourceLocation)
        #expect(result.stdout.contains("No errors detected"), "\(result.summary)", sourceLocation: sourceLocation)
    }
}

/// Deterministic pseudo-random bytes, so tests have incompressible content without a seed file.
public func pseudoRandomBytes(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
}

public func readFile(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

public func directoryListing(_ path: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: path).sorted()
}
