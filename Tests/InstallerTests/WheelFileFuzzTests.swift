import Foundation
@testable import Installer
import TestSupport
import Testing
import ZipArchive

/// The parsers of a wheel's own files (RECORD, WHEEL, entry_points.txt, ELF objects), fed truncated and
/// mutated copies of real ones: each case parses or is refused with the area's error, never a trap.
@Suite struct WheelFileFuzzTests {
    static let hasWheelhouse = FileManager.default.fileExists(atPath: TestEnvironment.wheelhouse)

    /// The first member of a wheelhouse wheel whose name matches, e.g. `.dist-info/RECORD`.
    static func member(ofWheel prefix: String, suffix: String) throws -> [UInt8] {
        let names = try FileManager.default.contentsOfDirectory(atPath: TestEnvironment.wheelhouse)
        let wheel = try #require(names.sorted().first { $0.hasPrefix(prefix) && $0.hasSuffix(".whl") })
        let reader = try ZipReader(path: TestEnvironment.wheelhouse + "/" + wheel)
        let entry = try #require(reader.entries.first { $0.name.hasSuffix(suffix) })
        return try reader.contents(of: entry)
    }

    @Test(.enabled(if: hasWheelhouse, "needs the wheelhouse (scripts/setup-test-env.sh)"))
    func recordWheelAndEntryPoints() throws {
        let records = [try Self.member(ofWheel: "requests", suffix: ".dist-info/RECORD"),
                       try Self.member(ofWheel: "idna", suffix: ".dist-info/RECORD")]
        let record = FuzzOutcome.run(Mutations.of(records, count: 3000, seed: 11, maxPrefixes: 200),
                                     expecting: WheelError.self) {
            _ = try RecordFile(parsing: $0, wheel: "fuzz.whl", entry: "fuzz.dist-info/RECORD")
        }
        #expect(record.isSound, "\(record)")

        let wheelFile = try Self.member(ofWheel: "charset_normalizer", suffix: ".dist-info/WHEEL")
        let wheel = FuzzOutcome.run(Mutations.of([wheelFile], count: 2000, seed: 12), expecting: WheelError.self) {
            try WheelInfo.check($0, wheel: "fuzz.whl", entry: "fuzz.dist-info/WHEEL")
        }
        #expect(wheel.isSound, "\(wheel)")

        let entryPoints = try Self.member(ofWheel: "charset_normalizer", suffix: ".dist-info/entry_points.txt")
        let scripts = FuzzOutcome.run(Mutations.of([entryPoints], count: 2000, seed: 13), expecting: WheelError.self) {
            _ = try EntryPointsFile.consoleScripts(in: $0, wheel: "fuzz.whl", entry: "fuzz.dist-info/entry_points.txt")
        }
        #expect(scripts.isSound, "\(scripts)")
    }

    /// A real extension module from numpy; edits are aimed at its first 4 KiB (the ELF header, program
    /// headers and dynamic section), where the parser looks, and the rest is kept.
    @Test(.enabled(if: hasWheelhouse, "needs the wheelhouse (scripts/setup-test-env.sh)"))
    func elfObjects() throws {
        let object = try Self.member(ofWheel: "numpy", suffix: "_operand_flag_tests.cpython-311-x86_64-linux-gnu.so")
        let head = Array(object.prefix(4096)), tail = Array(object.dropFirst(4096))
        var cases = Mutations.of([object], count: 1000, seed: 14, maxPrefixes: 300)
        cases += Mutations.of([head], count: 3000, seed: 15, maxPrefixes: 0).map { $0 + tail }
        let outcome = FuzzOutcome.run(cases, expecting: ELFError.self) { _ = try ELFInfo(parsing: $0) }
        #expect(outcome.isSound, "\(outcome)")
    }
}
