import Basics

/// AWS Lambda's size quotas applied to an archive (``LambdaQuotas``; docs/formats/lambda-layout.md).
public enum LambdaBudget {
    /// How many of the largest parts a message names.
    static let largestShown = 5

    /// One part of the archive and its unzipped size: a distribution, or e.g. `your sources`.
    public struct Part: Sendable, Hashable {
        public var name: String
        public var unzippedBytes: Int
        public init(name: String, unzippedBytes: Int) {
            self.name = name
            self.unzippedBytes = unzippedBytes
        }
    }

    /// The outcome of the check before writing: an error that stops the build, or warnings to print.
    public struct Report: Sendable, Equatable {
        public var unzippedBytes: Int
        public var warnings: [String]
        public var error: LambdaBudgetError?
    }

    /// Checks the unzipped total against the 250 MiB quota before anything is written, so an oversized
    /// build fails without output.
    /// - Parameters:
    ///   - layers: the layers the function uses (`--with-layer`), which count against the same quota.
    ///   - enforce: false for `--no-size-check`: exceeding the limit is then a warning.
    public static func checkUnzipped(parts: [Part], layers: [Part] = [], enforce: Bool = true) -> Report {
        let own = parts.reduce(0) { $0 + $1.unzippedBytes }
        let unzipped = own + layers.reduce(0) { $0 + $1.unzippedBytes }
        var report = Report(unzippedBytes: unzipped, warnings: [], error: nil)
        if unzipped > LambdaQuotas.unzippedBytes {
            let error = layers.isEmpty
                ? LambdaBudgetError.unzippedTooLarge(bytes: unzipped, largest: listing(parts))
                : LambdaBudgetError.withLayersTooLarge(
                    bytes: unzipped, ownBytes: own, layers: layers.map { "\($0.name) (\(ByteCount.format($0.unzippedBytes)))" }
                        .joined(separator: ", "), largest: listing(parts))
            if enforce {
                report.error = error
            } else {
                report.warnings.append("\(error) (--no-size-check: building anyway.)")
            }
        }
        return report
    }

    /// The warning for a written zip too large to be uploaded directly; `nil` when it fits.
    public static func uploadWarning(zippedBytes: Int, parts: [Part]) -> String? {
        guard zippedBytes > LambdaQuotas.directUploadBytes else { return nil }
        return "The archive is \(ByteCount.format(zippedBytes)) zipped (\(ByteCount.grouped(zippedBytes)) bytes), "
            + "above the \(ByteCount.format(LambdaQuotas.directUploadBytes)) "
            + "(\(ByteCount.grouped(LambdaQuotas.directUploadBytes)) bytes) limit for direct upload to Lambda; "
            + "upload it through S3 instead. Largest parts unzipped: \(listing(parts))."
    }

    /// The largest parts, largest first: `numpy 2.4.6 (38.2 MiB), …`.
    static func listing(_ parts: [Part]) -> String {
        parts.sorted { ($0.unzippedBytes, $1.name) > ($1.unzippedBytes, $0.name) }.prefix(largestShown)
            .map { "\($0.name) (\(ByteCount.format($0.unzippedBytes)))" }.joined(separator: ", ")
    }
}

public enum LambdaBudgetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The archive unzips to more than Lambda accepts; `largest` names the biggest parts.
    case unzippedTooLarge(bytes: Int, largest: String)
    /// The archive and the layers it is used with unzip to more than Lambda accepts.
    case withLayersTooLarge(bytes: Int, ownBytes: Int, layers: String, largest: String)

    public var description: String {
        switch self {
        case .unzippedTooLarge(let bytes, let largest):
            "The archive unzips to \(ByteCount.format(bytes)) (\(ByteCount.grouped(bytes)) bytes), above Lambda's "
                + "limit of \(ByteCount.format(LambdaQuotas.unzippedBytes)) "
                + "(\(ByteCount.grouped(LambdaQuotas.unzippedBytes)) bytes) for a function and its layers. Largest "
                + "parts: \(largest). Exclude what the runtime provides (--exclude boto3), move dependencies to a "
                + "layer or a container image, or pass --no-size-check."
        case .withLayersTooLarge(let bytes, let ownBytes, let layers, let largest):
            "The archive (\(ByteCount.format(ownBytes))) and its layers \(layers) unzip to \(ByteCount.format(bytes)) "
                + "(\(ByteCount.grouped(bytes)) bytes) together, above Lambda's limit of "
                + "\(ByteCount.format(LambdaQuotas.unzippedBytes)) (\(ByteCount.grouped(LambdaQuotas.unzippedBytes)) "
                + "bytes) for a function and its layers. Largest parts of the archive: \(largest). Exclude what the "
                + "layers or the runtime provide (--exclude NAME), use fewer layers or a container image, or pass "
                + "--no-size-check."
        }
    }
}
