import Basics
import Foundation
import TestSupport
import Testing

/// The stamp's text is JSON that Python reads back field for field, and a stamp of a non-Lambda target
/// still names the runtime and architecture `deploy` compares.
@Suite struct ArchiveStampTests {
    @Test func commentIsJSONThatPythonReads() throws {
        let stamp = ArchiveStamp(layout: "zip", runtime: "python3.13", architecture: "arm64",
                                 target: "AWS Lambda python3.13 arm64", python: "3.13", machine: "aarch64",
                                 handler: "lambda_function.handler")
        let text = String(decoding: stamp.comment, as: UTF8.self)
        let fields = try python("""
            import json, sys
            text = sys.argv[1]
            assert text.startswith("pexify ")
            data = json.loads(text[7:])
            assert list(data) == sorted(data), "keys are sorted"
            print(data["runtime"], data["architecture"], data["machine"], data["handler"], data["pexify"])
            """, arguments: [text]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(fields == "python3.13 arm64 aarch64 lambda_function.handler \(PexifyVersion.current)")
        #expect(ArchiveStamp(comment: stamp.comment) == stamp)
    }

    @Test func platformTargetsMapToLambdaNames() throws {
        let written = try python("""
            import json
            print("pexify " + json.dumps({"layout": "layer", "target": "linux_aarch64-cp311", "python": "3.11",
                                          "machine": "aarch64", "pexify": "0.0.9"}, sort_keys=True))
            """).trimmingCharacters(in: .newlines)
        let stamp = try #require(ArchiveStamp(comment: Array(written.utf8)))
        #expect(stamp.runtime == nil && stamp.handler == nil)
        #expect(stamp.lambdaRuntime == "python3.11" && stamp.lambdaArchitecture == "arm64")
        #expect(ArchiveStamp(comment: Array("created by some other zip tool".utf8)) == nil)
        #expect(ArchiveStamp(comment: []) == nil)
    }
}
