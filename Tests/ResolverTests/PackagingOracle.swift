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
