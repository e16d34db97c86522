import Foundation
@testable import Pex
import TestSupport
import Testing

@Suite("PEX-INFO")
struct PexInfoTests {
    static let sample = PexInfo(
        entryPoint: "app.main:run", requirements: ["requests>=2", "attrs"],
        distributions: ["b-1.0-py3-none-any.whl": "bb", "a-1.0-cp311-cp311-linux_x86_64.whl": "aa"],
        extractedDistributions: ["a-1.0-cp311-cp311-linux_x86_64.whl"], inheritPath: .prefer,
        codeHash: "c0de", bootstrapHash: "b007")

    /// Python re-encodes what we wrote with `json.dumps(sort_keys=True, separators=(",", ":"),
    /// ensure_ascii=False)` and hashes it without `pex_hash`: both must match ours byte for byte.
    static let canonicalCheck = """
        import hashlib, json, sys
        raw = sys.stdin.buffer.read()
        value = json.loads(raw)
        again = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        print(again == raw)
        if isinstance(value, dict) and "pex_hash" in value:
            rest = dict(value); del rest["pex_hash"]
            digest = hashlib.sha256(json.dumps(rest, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
            print(digest.hexdigest() == value["pex_hash"])
        """

    @Test func pexInfoIsCanonicalJSONAndPexHashCoversTheRest() throws {
        let output = try python(Self.canonicalCheck, stdin: Self.sample.json)
        #expect(output == "True\nTrue\n")
    }

    @Test(arguments: [
        CanonicalJSON.string("quote \" backslash \\ newline \n tab \t bell \u{07} del \u{7F} é 𝄞 ключ"),
        .object(["é": .int(1), "e": .int(-2), "Z": .bool(true), "𝄞": .array([]), "ﬀ": .bool(false), "": .object([:])]),
        .array([.string(""), .int(0), .object(["nested": .array([.string("\u{1F}")])])]),
    ])
    func canonicalJSONMatchesPython(_ value: CanonicalJSON) throws {
        #expect(try python(Self.canonicalCheck, stdin: value.bytes) == "True\n")
    }

    @Test func readsBackWhatItWrites() throws {
        #expect(try PexInfo(json: Self.sample.json) == Self.sample)
        var interpreter = Self.sample
        interpreter.entryPoint = nil
        #expect(try PexInfo(json: interpreter.json) == interpreter)
    }

    @Test(arguments: [
        ("[]", "it is not a JSON object"),
        (#"{"inherit_path":"fallback"}"#, "the field 'requirements' is missing"),
        (#"{"inherit_path":"sometimes","requirements":[]}"#, "inherit_path 'sometimes'"),
    ])
    func malformedPexInfoIsNamed(_ json: String, _ reason: String) {
        #expect {
            try PexInfo(json: Array(json.utf8))
        } throws: { error in
            guard case .malformedPexInfo(let actual) = error as? PexError else { return false }
            return actual.hasPrefix(reason) && "\(error)".contains("Rebuild the PEX")
        }
    }

    @Test func pexHashIgnoresNothingThatRuns() {
        var changed = Self.sample
        changed.distributions["b-1.0-py3-none-any.whl"] = "bc"
        #expect(changed.pexHash != Self.sample.pexHash)
        changed = Self.sample
        changed.extractedDistributions = []
        #expect(changed.pexHash != Self.sample.pexHash)
    }
}
