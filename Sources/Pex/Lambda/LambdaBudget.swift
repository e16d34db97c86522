import Basics

/// AWS Lambda's size quotas applied to an archive (``LambdaQuotas``; docs/formats/lambda-layout.md).
public enum LambdaBudget {
    /// How many of the largest parts a message names.
    static let largestShown = 5

    /// The distributions every AWS Lambda Python runtime already provides (the AWS SDK and what it
    /// needs), which a function zip may leave out with `--exclude` (docs/formats/lambda-layout.md).
    public static let runtimeProvided: Set<String> = [
        "boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3",
    ]

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
            let exclusions = exclusionHint(parts, total: unzipped)
            let error = layers.isEmpty
                ? LambdaBudgetError.unzippedTooLarge(bytes: unzipped, largest: listing(parts), exclusions: exclusions)
                : LambdaBudgetError.withLayersTooLarge(
                    bytes: unzipped, ownBytes: own,
                    layers: layers.map { "\($0.name) (\(ByteCount.format($0.unzippedBytes)))" }.joined(separator: ", "),
                    largest: listing(parts), exclusions: exclusions)
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

    /// The fewest runtime-provided distributions whose `--exclude` brings the archive under the quota,
    /// largest first, with the size it would then have at most (an exclusion also drops what only the
    /// excluded distribution needed); `nil` when leaving all of them out would not be enough.
    static func exclusionHint(_ parts: [Part], total: Int) -> (names: [String], bytes: Int)? {
        let provided = parts.filter { part in
            runtimeProvided.contains(String(part.name.prefix { $0 != " " }).lowercased())
        }.sorted { ($0.unzippedBytes, $1.name) > ($1.unzippedBytes, $0.name) }
        var names: [String] = []
        var remaining = total
        for part in provided where remaining > LambdaQuotas.unzippedBytes {
            names.append(String(part.name.prefix { $0 != " " }))
            remaining -= part.unzippedBytes
        }
        return remaining <= LambdaQuotas.unzippedBytes && !names.isEmpty ? (names, remaining) : nil
    }

    /// The largest parts, largest first: `numpy 2.4.6 (38.2 MiB), …`.
    static func listing(_ parts: [Part]) -> String {
        parts.sorted { ($0.unzippedBytes, $1.name) > ($1.unzippedBytes, $0.name) }.prefix(largestShown)
            .map { "\($0.name) (\(ByteCount.format($0.unzippedBytes)))" }.joined(separator: ", ")
    }
}

public enum LambdaBudgetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The archive unzips to more than Lambda accepts; `largest` names the biggest parts, `exclusions` the
    /// runtime-provided distributions whose exclusion would make it fit, and the size it would then have.
    case unzippedTooLarge(bytes: Int, largest: String, exclusions: (names: [String], bytes: Int)?)
    /// The archive and the layers it is used with (`--with-layer`) unzip to more than Lambda accepts.
    case withLayersTooLarge(bytes: Int, ownBytes: Int, layers: String, largest: String,
                            exclusions: (names: [String], bytes: Int)?)

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.description == rhs.description }

    /// `--exclude boto3 (the Lambda runtime provides it) would bring it to at most 240 MiB; otherwise move `,
    /// or `Move `.
    private static func fit(_ exclusions: (names: [String], bytes: Int)?) -> String {
        exclusions.map { hint in
            hint.names.map { "--exclude \($0)" }.joined(separator: " ") + " (the Lambda runtime provides "
                + (hint.names.count == 1 ? "it" : "them") + ") would bring it to at most "
                + "\(ByteCount.format(hint.bytes)); otherwise move "
        } ?? "Move "
    }

    public var description: String {
        switch self {
        case .unzippedTooLarge(let bytes, let largest, let exclusions):
            return "The archive unzips to \(ByteCount.format(bytes)) (\(ByteCount.grouped(bytes)) bytes), above Lambda's "
                + "limit of \(ByteCount.format(LambdaQuotas.unzippedBytes)) "
                + "(\(ByteCount.grouped(LambdaQuotas.unzippedBytes)) bytes) for a function and its layers. Largest "
                + "parts: \(largest). \(Self.fit(exclusions))dependencies to a layer or a container image, or pass "
                + "--no-size-check."
        case .withLayersTooLarge(let bytes, let ownBytes, let layers, let largest, let exclusions):
            return "The archive (\(ByteCount.format(ownBytes))) and its layers \(layers) unzip to "
                + "\(ByteCount.format(bytes)) (\(ByteCount.grouped(bytes)) bytes) together, above Lambda's limit of "
                + "\(ByteCount.format(LambdaQuotas.unzippedBytes)) (\(ByteCount.grouped(LambdaQuotas.unzippedBytes)) "
                + "bytes) for a function and its layers. Largest parts of the archive: \(largest). "
                + "\(Self.fit(exclusions))dependencies that a layer already has out of the archive, use fewer layers or "
                + "a container image, or pass --no-size-check."
        }
    }
}
