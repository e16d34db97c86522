/// AWS Lambda's size quotas for a deployment package (*Lambda quotas*, packaging-standards.md §7.3).
/// "MB" in Lambda's documentation means 1,048,576 bytes.
public enum LambdaBudget {
    /// A zip above this cannot be uploaded directly, only through S3 (a warning).
    public static let directUploadLimit = 52_428_800
    /// A function and all its layers may not unzip to more than this (an error unless overridden).
    public static let unzippedLimit = 262_144_000
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

    /// Checks an archive against the quotas.
    ///
    /// Call it with `zippedBytes: nil` before writing (the unzipped total is known from the plan, so an
    /// oversized build fails without output) and again with the written size for the upload warning.
    /// - Parameters:
    ///   - parts: every distribution and the user's sources with their unzipped sizes;
    ///   - zippedBytes: the size of the written zip, when known;
    ///   - enforceUnzippedLimit: false for `--no-size-check`: exceeding the limit is then a warning.
    public static func evaluate(parts: [Part], zippedBytes: Int?, enforceUnzippedLimit: Bool = true)
        -> LambdaBudgetReport
    {
        let unzipped = parts.reduce(0) { $0 + $1.unzippedBytes }
        let largest = parts.sorted { ($0.unzippedBytes, $1.name) > ($1.unzippedBytes, $0.name) }.prefix(largestShown)
        let listing = largest.map { "\($0.name) (\(megabytes($0.unzippedBytes)))" }.joined(separator: ", ")
        var report = LambdaBudgetReport(unzippedBytes: unzipped, zippedBytes: zippedBytes, warnings: [], error: nil)
        if unzipped > unzippedLimit {
            let error = LambdaBudgetError.unzippedTooLarge(bytes: unzipped, largest: listing)
            if enforceUnzippedLimit {
                report.error = error
            } else {
                report.warnings.append("\(error) (--no-size-check: building anyway.)")
            }
        }
        if let zippedBytes, zippedBytes > directUploadLimit {
            report.warnings.append(
                "The archive is \(megabytes(zippedBytes)) zipped (\(grouped(zippedBytes)) bytes), above the "
                    + "50 MB (\(grouped(directUploadLimit)) bytes) limit for direct upload to Lambda; upload it "
                    + "through S3 instead. Largest parts unzipped: \(listing).")
        }
        return report
    }
}

/// The outcome of `LambdaBudget.evaluate`: warnings to print, and an error that stops the build.
public struct LambdaBudgetReport: Sendable, Equatable {
    public var unzippedBytes: Int
    public var zippedBytes: Int?
    public var warnings: [String]
    public var error: LambdaBudgetError?
}

public enum LambdaBudgetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The archive unzips to more than Lambda accepts; `largest` names the biggest parts.
    case unzippedTooLarge(bytes: Int, largest: String)

    public var description: String {
        switch self {
        case .unzippedTooLarge(let bytes, let largest):
            "The archive unzips to \(megabytes(bytes)) (\(grouped(bytes)) bytes), above Lambda's limit of 250 MB "
                + "(\(grouped(LambdaBudget.unzippedLimit)) bytes) for a function and its layers. Largest parts: "
                + "\(largest). Exclude what the runtime provides (--exclude boto3), move dependencies to a layer "
                + "or a container image, or pass --no-size-check."
        }
    }
}

/// `1.5 MB`, in Lambda's binary megabytes, with one decimal.
private func megabytes(_ bytes: Int) -> String {
    let tenths = (bytes * 10 + 524_288) / 1_048_576
    return "\(tenths / 10).\(tenths % 10) MB"
}

/// `262,144,000`: digits grouped by thousands, independent of the locale.
private func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var result = ""
    for (index, digit) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
        result.append(digit)
    }
    return value < 0 ? "-" + result : result
}
