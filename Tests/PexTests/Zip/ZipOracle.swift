import Foundation
import Testing
import TestSupport

/// What CPython's zipfile sees in an archive: the independent reader our writer is checked against.
struct OracleEntry: Decodable, Equatable {
    var name: String
    var crc: UInt32
    var method: Int
    var size: Int
    var compressedSize: Int
    var mode: Int
    var dateTime: [Int]
    var flags: Int
    var createSystem: Int
    var extra: String
    var headerOffset: Int
    var sha256: String
    /// The content as hex, for entries under 64 KiB.
    var data: String?
}

struct OracleArchive: Decodable {
    var testzip: String?
    var entries: [OracleEntry]
    var startDir: Int
    var concat: Int?
}

enum ZipOracle {
    /// Opens `path` with CPython zipfile, runs `testzip()` (reads every entry, checks CRCs) and lists entries.
    static func inspect(_ path: String) throws -> OracleArchive {
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
    static func unzipTest(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try run("unzip", ["-t", path])
        #expect(result.status == 0, "unzip -t failed: \(result.summary)", sourceLocation: sourceLocation)
        #expect(!result.stdout.contains("extra bytes") && !result.stderr.contains("extra bytes"),
                "unzip warns about offsets: \(result.summary)", sourceLocation: sourceLocation)
        #expect(result.stdout.contains("No errors detected"), "\(result.summary)", sourceLocation: sourceLocation)
    }
}

func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count * 2)
    for byte in bytes { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 15)]) }
    return String(decoding: out, as: UTF8.self)
}

/// Deterministic pseudo-random bytes (xorshift), so tests have incompressible content without a seed file.
func pseudoRandomBytes(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return UInt8(truncatingIfNeeded: state)
    }
}

func readFile(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

func directoryListing(_ path: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: path).sorted()
}
