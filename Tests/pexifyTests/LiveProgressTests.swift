import Foundation
@testable import pexify
@testable import Resolver
import TestSupport
import Testing

/// The live resolution line, and that nothing of it reaches a stderr that is not a terminal.
@Suite struct LiveProgressTests {
    @Test func theLineCountsProjectsFilesBytesAndRate() {
        let snapshot = TransferMeter.Snapshot(projects: 23, filesFinished: 14, filesStarted: 20, bytes: 36_909_875,
                                              expectedBytes: 50_331_648, seconds: 3)
        #expect(LiveProgress.line(snapshot) == "Resolving: 23 projects · 14/20 files · 35.2 MiB of 48.0 MiB · 11.7 MiB/s")
        #expect(LiveProgress.line(TransferMeter.Snapshot(projects: 0, filesFinished: 0, filesStarted: 0, bytes: 0,
                                                         expectedBytes: 0, seconds: 1)).isEmpty)
    }

    @Test func aPipedStderrGetsNoProgress() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try PexifyCLI.succeed(["lock", "requests", "--runtime", "python3.11", "-o", directory.child("pylock.toml")]
            + PexifyCLI.offline())
        #expect(!result.stderr.contains("Resolving") && !result.stderr.contains("\u{1B}["), "\(result.stderr)")
    }
}
