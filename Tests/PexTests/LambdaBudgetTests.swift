import Basics
import Pex
import Testing

@Suite struct LambdaBudgetTests {
    static func parts(_ sizes: [(String, Int)]) -> [LambdaBudget.Part] {
        sizes.map { LambdaBudget.Part(name: $0.0, unzippedBytes: $0.1) }
    }

    @Test func limitsAreLambdasQuotas() {
        #expect(LambdaQuotas.directUploadBytes == 50 * 1024 * 1024)
        #expect(LambdaQuotas.unzippedBytes == 250 * 1024 * 1024)
    }

    @Test func withinBothLimitsNothingIsSaid() {
        let parts = Self.parts([("numpy", 200_000_000), ("your sources", 62_144_000)])
        let report = LambdaBudget.checkUnzipped(parts: parts)
        #expect(report.unzippedBytes == 262_144_000)
        #expect(report.warnings.isEmpty)
        #expect(report.error == nil)
        #expect(LambdaBudget.uploadWarning(zippedBytes: LambdaQuotas.directUploadBytes, parts: parts) == nil)
    }

    @Test func oneByteOverTheUnzippedLimitFailsAndNamesTheLargestParts() throws {
        let sizes = [("a", 10), ("torch", 200_000_000), ("numpy", 40_000_000), ("pandas", 22_143_970), ("b", 10),
                     ("c", 10), ("d", 1)]
        let report = LambdaBudget.checkUnzipped(parts: Self.parts(sizes))
        #expect(report.unzippedBytes == 262_144_001)
        #expect(report.warnings.isEmpty)
        let error = try #require(report.error)
        #expect(error.description == "The archive unzips to 250.0 MiB (262,144,001 bytes), above Lambda's limit of "
                + "250.0 MiB (262,144,000 bytes) for a function and its layers. Largest parts: torch (190.7 MiB), numpy "
                + "(38.1 MiB), pandas (21.1 MiB), a (10 B), b (10 B). Move dependencies to a layer or a container image, "
                + "or pass --no-size-check.")
    }

    /// awswrangler's shape: it needs boto3 and botocore directly, so leaving out boto3 alone (which
    /// keeps botocore) does not fit; the hint names both, largest first, and the size it leads to.
    @Test func theHintNamesTheRuntimeProvidedDistributionsThatMakeItFit() throws {
        let parts = Self.parts([("awswrangler 3.9.1", 5_000_000), ("pyarrow 18.0.0", 140_000_000),
                                ("botocore 1.35.0", 95_000_000), ("boto3 1.35.0", 1_000_000),
                                ("pandas 2.2.3", 60_000_000), ("numpy 2.1.0", 40_000_000)])
        let error = try #require(LambdaBudget.checkUnzipped(parts: parts).error)
        #expect(error.description.contains("--exclude botocore (the Lambda runtime provides it) would bring it to "
                                           + "at most \(ByteCount.format(246_000_000))"))
        let tooBig = Self.parts([("torch 2.5.0", 900_000_000), ("boto3 1.35.0", 1_000_000)])
        let plain = try #require(LambdaBudget.checkUnzipped(parts: tooBig).error)
        #expect(!plain.description.contains("--exclude"))
    }

    @Test func noSizeCheckTurnsTheErrorIntoAWarning() {
        let parts = Self.parts([("torch", 300_000_000)])
        let report = LambdaBudget.checkUnzipped(parts: parts, enforce: false)
        #expect(report.error == nil)
        #expect(report.warnings == [
            "\(LambdaBudget.checkUnzipped(parts: parts).error!) (--no-size-check: building anyway.)"])
    }

    @Test func aZipAboveFiftyMebibytesIsAWarning() {
        let warning = LambdaBudget.uploadWarning(
            zippedBytes: 52_428_801, parts: Self.parts([("pandas", 70_000_000), ("numpy", 60_000_000)]))
        #expect(warning == "The archive is 50.0 MiB zipped (52,428,801 bytes), above the 50.0 MiB (52,428,800 bytes) "
                + "limit for direct upload to Lambda; upload it through S3 instead. Largest parts unzipped: pandas (66.8 MiB), numpy "
                + "(57.2 MiB).")
    }

    @Test(arguments: [(0, "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (1_572_864, "1.5 MiB"),
                      (52_428_800, "50.0 MiB"), (3_113_851_290, "2.9 GiB")])
    func oneByteFormatterForTheWholeProgram(bytes: Int, text: String) {
        #expect(ByteCount.format(bytes) == text)
    }
}
