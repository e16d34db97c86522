import Pex
import Testing

@Suite struct LambdaBudgetTests {
    static func parts(_ sizes: [(String, Int)]) -> [LambdaBudget.Part] {
        sizes.map { LambdaBudget.Part(name: $0.0, unzippedBytes: $0.1) }
    }

    @Test func limitsAreLambdasQuotas() {
        #expect(LambdaBudget.directUploadLimit == 50 * 1024 * 1024)
        #expect(LambdaBudget.unzippedLimit == 250 * 1024 * 1024)
    }

    @Test func withinBothLimitsNothingIsSaid() {
        let report = LambdaBudget.evaluate(
            parts: Self.parts([("numpy", 200_000_000), ("your sources", 62_144_000)]),
            zippedBytes: LambdaBudget.directUploadLimit)
        #expect(report.unzippedBytes == 262_144_000)
        #expect(report.zippedBytes == 52_428_800)
        #expect(report.warnings.isEmpty)
        #expect(report.error == nil)
    }

    @Test func oneByteOverTheUnzippedLimitFailsAndNamesTheLargestParts() throws {
        let sizes = [("a", 10), ("torch", 200_000_000), ("numpy", 40_000_000), ("pandas", 22_143_970), ("b", 10),
                     ("c", 10), ("d", 1)]
        let report = LambdaBudget.evaluate(parts: Self.parts(sizes), zippedBytes: nil)
        #expect(report.unzippedBytes == 262_144_001)
        #expect(report.warnings.isEmpty)
        let error = try #require(report.error)
        #expect(error.description == "The archive unzips to 250.0 MB (262,144,001 bytes), above Lambda's limit of "
                + "250 MB (262,144,000 bytes) for a function and its layers. Largest parts: torch (190.7 MB), numpy "
                + "(38.1 MB), pandas (21.1 MB), a (0.0 MB), b (0.0 MB). Exclude what the runtime provides "
                + "(--exclude boto3), move dependencies to a layer or a container image, or pass --no-size-check.")
    }

    @Test func noSizeCheckTurnsTheErrorIntoAWarning() {
        let parts = Self.parts([("torch", 300_000_000)])
        let report = LambdaBudget.evaluate(parts: parts, zippedBytes: nil, enforceUnzippedLimit: false)
        #expect(report.error == nil)
        #expect(report.warnings == [
            "\(LambdaBudget.evaluate(parts: parts, zippedBytes: nil).error!) (--no-size-check: building anyway.)"])
    }

    @Test func aZipAboveFiftyMegabytesIsAWarning() {
        let report = LambdaBudget.evaluate(parts: Self.parts([("pandas", 70_000_000), ("numpy", 60_000_000)]),
                                           zippedBytes: 52_428_801)
        #expect(report.error == nil)
        #expect(report.warnings == [
            "The archive is 50.0 MB zipped (52,428,801 bytes), above the 50 MB (52,428,800 bytes) limit for direct "
                + "upload to Lambda; upload it through S3 instead. Largest parts unzipped: pandas (66.8 MB), numpy "
                + "(57.2 MB).",
        ])
    }
}
