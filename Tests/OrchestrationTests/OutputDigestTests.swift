import Foundation
@testable import Orchestration
import Pex
import Resolver
import TestSupport
import Testing

/// The bytes a build writes are part of its interface (reproducible archives, cache keys downstream):
/// whole builds from a fixed set of generated wheels must keep writing exactly the bytes recorded here.
/// A change that moves one byte fails this test; when the change is meant (a new archive stamp, another
/// entry order), the digests are updated in the same commit, saying why.
///
/// The wheels are written by CPython's `zipfile` and zlib; where they come out differently (another
/// zlib), the recorded digests cannot apply and the test is disabled, naming the wheel that differs.
@Suite(.enabled(if: DigestInputs.difference == nil, "\(DigestInputs.difference ?? "")"))
struct OutputDigestTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var layout: Layout
        var handler: String?
        var entryPoint: String?
        var compile = false
        var sha256: String
        var testDescription: String { "\(layout)\(handler.map { " --handler \($0)" } ?? "")\(compile ? " --compile" : "")" }
    }

    static let cases = [
        Case(layout: .zip, handler: "beta.handler:handle",
             sha256: "48678cb24a6da2f06bf3795ec77891efa99409883f0c8ffa95d26c9c55f942f2"),
        Case(layout: .layer, sha256: "83572c6b09e7357eed0cbb712c621548243d5e1ae87346923e839368345ab84c"),
        Case(layout: .pex, entryPoint: "beta.handler:handle",
             sha256: "9212e2a59c6fcc860b2cc04dbb3aca648a04be2836eab4f25859dc18bb5f1e29"),
        Case(layout: .zip, compile: true, sha256: "c2938c7e8761ebdf3a0bf35d3caf044d34daa4760e1da2ab5a931cc45d092d89"),
    ]

    @Test("A build writes the recorded bytes", arguments: cases)
    func buildWritesTheRecordedBytes(_ testCase: Case) async throws {
        let directory = try TemporaryDirectory("pexify-digest")
        defer { directory.remove() }
        let wheels = directory.child("wheels")
        try FileManager.default.createDirectory(atPath: wheels, withIntermediateDirectories: true)
        try TestWheel.write(DigestInputs.wheels, into: wheels)
        let output = directory.child("out")
        var request = BuildRequest(
            layout: testCase.layout, inputs: RequirementInputs(requirements: ["beta"]),
            target: .platform("linux_x86_64-cp-3.11.2-cp311", manylinux: "manylinux_2_28"),
            index: IndexOptions(findLinks: [wheels], noIndex: true, cacheDirectory: directory.child("cache")),
            output: output)
        request.handler = testCase.handler
        request.entryPoint = testCase.entryPoint
        request.compile = testCase.compile
        request.compileWith = testCase.compile ? TestEnvironment.python : nil
        _ = try await Build.run(request)
        let written = try WheelFactory.sha256(output)
        #expect(written == testCase.sha256, "the build wrote an archive with sha256 \(written)")
    }
}

/// The input wheels of ``OutputDigestTests``.
enum DigestInputs {
    /// Large entries on both copy paths (deflated above 64 KiB: the background copier; stored: through
    /// the writer), `.data` files that move (so RECORD is rewritten), scripts, an executable bit, a
    /// dependency, and an entry point.
    static let wheels: [TestWheel] = {
        var alpha = TestWheel(
            name: "alpha", version: "1.0",
            files: ["alpha/__init__.py": "from alpha.core import VALUE\n", "alpha/core.py": "VALUE = 42\n",
                    "alpha-1.0.data/scripts/alpha-tool": "#!python\nprint('tool')\n",
                    "alpha-1.0.data/headers/alpha.h": "int alpha(void);\n",
                    "alpha/big.txt": (0..<20_000).map { "line \($0) of a long text\n" }.joined()],
            executables: ["alpha/run.sh"],
            entryPoints: "[console_scripts]\nalpha = alpha.core:main\n")
        alpha.files["alpha/run.sh"] = Array("#!/bin/sh\necho alpha\n".utf8)
        alpha.randomFiles = ["alpha/blob.bin": 200_000]
        let beta = TestWheel(
            name: "beta", version: "2.0",
            files: ["beta/__init__.py": "import alpha\nGREETING = 'hello'\n",
                    "beta/handler.py": "import beta\n\ndef handle(event, context):\n    return beta.GREETING\n"],
            requires: ["alpha>=1"])
        return [alpha, beta]
    }()

    /// sha256 of each generated wheel, as CPython 3.11's zipfile and Debian's zlib write them.
    static let wheelDigests = [
        "alpha-1.0-py3-none-any.whl": "6f457cc9837fabd7d362ff429121426e3b26593e584099dace9d1875fb47b0f4",
        "beta-2.0-py3-none-any.whl": "5125dcd1253ab760b5bf02016387f1e906ad19bd00278c0eba310a5d67c77a4c",
    ]

    /// Why the recorded digests cannot apply here (no Python, or wheels that come out differently), or
    /// nil when they do.
    static let difference: String? = {
        do {
            let directory = try TemporaryDirectory("pexify-digest-inputs")
            defer { directory.remove() }
            for path in try TestWheel.write(wheels, into: directory.path) {
                let name = (path as NSString).lastPathComponent
                let actual = try WheelFactory.sha256(path)
                if actual != wheelDigests[name] {
                    return "the generated \(name) has sha256 \(actual), not the recorded one (another zlib?)"
                }
            }
            return nil
        } catch {
            return "the input wheels could not be written (is Python there?): \(error)"
        }
    }()

}
