import Foundation
import TestSupport

/// Runs a Python script against `packaging` (26.3, pinned in Tests/requirements.txt) in the test venv:
/// the input goes to the script as JSON on stdin, the script prints one JSON value. One call per
/// table keeps the differential tests fast.
enum PackagingOracle {
    static let pinnedVersion = "26.3"

    static func run<Input: Encodable, Output: Decodable>(_ script: String, input: Input,
                                                         as: Output.Type = Output.self) throws -> Output {
        let prelude = """
            import json, sys
            import packaging
            assert packaging.__version__ == "\(pinnedVersion)", "tests pin packaging \(pinnedVersion), found " + packaging.__version__
            data = json.load(sys.stdin)

            """
        let output = try python(prelude + script, stdin: Array(try JSONEncoder().encode(input)))
        return try JSONDecoder().decode(Output.self, from: Data(output.utf8))
    }
}

/// A deterministic generator for test inputs (SplitMix64), so a failing case reproduces.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func pick<T>(_ options: [T]) -> T { options[Int.random(in: 0..<options.count, using: &self)] }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
}
