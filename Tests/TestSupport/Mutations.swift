import Foundation

/// Malformed variants of real inputs for "result or error, never a crash" tests: every prefix of each
/// seed (what a cut-off download or a truncated file looks like) and seeded random edits (bytes
/// flipped, replaced by a syntax character, inserted, deleted, duplicated). The same seed always
/// yields the same cases, so a failure is reproducible from its index.
public enum Mutations {
    /// Bytes that mean something to the text formats under test: quotes, brackets, separators, line
    /// ends, escapes, a NUL, a lone UTF-8 continuation byte and the start of a multi-byte sequence.
    public static let syntax: [UInt8] = Array("<>\"'=&;#[](){}:,.@ \t\r\n\\/-_*!~^$%+".utf8) + [0, 0x80, 0xC3, 0xFF]

    /// `count` variants of `seeds`: all prefixes of each seed first (at most `maxPrefixes` per seed,
    /// evenly spaced), then random edits of one to four operations each.
    public static func of(_ seeds: [[UInt8]], count: Int, seed: UInt64, maxPrefixes: Int = 400) -> [[UInt8]] {
        precondition(!seeds.isEmpty)
        var cases: [[UInt8]] = []
        for input in seeds where maxPrefixes > 0 {
            let step = max(1, input.count / maxPrefixes)
            for length in stride(from: 0, to: input.count, by: step) { cases.append(Array(input.prefix(length))) }
        }
        var generator = SeededGenerator(seed: seed)
        while cases.count < count {
            var bytes = generator.pick(seeds)
            for _ in 0..<generator.int(1...4) { edit(&bytes, using: &generator) }
            cases.append(bytes)
        }
        return cases
    }

    /// A scratch file for parsers that read paths: in memory-backed `/dev/shm` where there is one, as
    /// thousands of small writes to a busy disk take longer than the parsing; the caller removes it.
    public static func scratchPath(_ name: String) -> String {
        let directory = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        return directory + "/pexify-fuzz-\(getpid())-\(name)"
    }

    /// The same for text inputs.
    public static func of(_ seeds: [String], count: Int, seed: UInt64, maxPrefixes: Int = 400) -> [[UInt8]] {
        of(seeds.map { Array($0.utf8) }, count: count, seed: seed, maxPrefixes: maxPrefixes)
    }

    private static func edit(_ bytes: inout [UInt8], using generator: inout SeededGenerator) {
        guard !bytes.isEmpty else { bytes = [generator.pick(syntax)]; return }
        let position = generator.int(0...(bytes.count - 1))
        switch generator.int(0...5) {
        case 0: bytes[position] ^= UInt8(1 << generator.int(0...7))
        case 1: bytes[position] = generator.pick(syntax)
        case 2: bytes.insert(generator.pick(syntax), at: position)
        case 3: bytes.removeSubrange(position..<min(bytes.count, position + generator.int(1...16)))
        case 4:
            let end = min(bytes.count, position + generator.int(1...32))
            bytes.insert(contentsOf: bytes[position..<end], at: generator.int(0...bytes.count))
        default: bytes.removeSubrange(position...)
        }
    }
}

/// What a parser did with the cases of ``Mutations``: how many parsed, how many were refused with the
/// expected error type, and the first unexpected error (nil when there was none).
public struct FuzzOutcome: CustomStringConvertible, Sendable {
    public var parsed = 0
    public var refused = 0
    public var unexpected: String?

    public init() {}

    /// Runs `parse` on every case; an error that is not `Expected` is recorded with the case's index.
    public static func run<Expected: Error>(_ cases: [[UInt8]], expecting _: Expected.Type,
                                            _ parse: ([UInt8]) throws -> Void) -> FuzzOutcome {
        var outcome = FuzzOutcome()
        for (index, bytes) in cases.enumerated() {
            do {
                try parse(bytes)
                outcome.parsed += 1
            } catch is Expected {
                outcome.refused += 1
            } catch {
                if outcome.unexpected == nil { outcome.unexpected = "case \(index): \(type(of: error)): \(error)" }
            }
        }
        return outcome
    }

    /// Both paths were taken and every error was of the expected type.
    public var isSound: Bool { parsed > 0 && refused > 0 && unexpected == nil }

    public var description: String { "\(parsed) parsed, \(refused) refused" + (unexpected.map { ", unexpected \($0)" } ?? "") }
}
