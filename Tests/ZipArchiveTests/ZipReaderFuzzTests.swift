import Foundation
import TestSupport
import Testing
import ZipArchive

/// ZipReader against truncated and mutated copies of a real wheel: every case is read (and every entry
/// inflated and CRC-checked) or refused with a ZipError, never a trap.
@Suite struct ZipReaderFuzzTests {
    static let wheel: String? = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: TestEnvironment.wheelhouse)) ?? []
        return names.sorted().first { $0.hasPrefix("annotated_types") }.map { TestEnvironment.wheelhouse + "/" + $0 }
    }()

    @Test(.enabled(if: wheel != nil, "needs the wheelhouse (scripts/setup-test-env.sh)"))
    func mutatedWheels() throws {
        let wheel = try #require(Self.wheel)
        let original = try #require(FileManager.default.contents(atPath: wheel))
        let path = Mutations.scratchPath("case.whl")
        defer { unlink(path) }
        // The central directory and end records sit at the end: half the edits are aimed there.
        let bytes = [UInt8](original)
        let split = max(0, bytes.count - 2048)
        var cases = Mutations.of([bytes], count: 600, seed: 16, maxPrefixes: 300)
        cases += Mutations.of([Array(bytes[split...])], count: 900, seed: 17, maxPrefixes: 0).map { Array(bytes[..<split]) + $0 }
        let outcome = FuzzOutcome.run(cases, expecting: ZipError.self) { bytes in
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let reader = try ZipReader(path: path, verifyCRC: true)
            for entry in reader.entries { _ = try reader.contents(of: entry) }
        }
        #expect(outcome.isSound, "\(outcome)")
    }
}
