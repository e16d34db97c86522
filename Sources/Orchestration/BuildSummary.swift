import Basics
import Foundation
import Installer
import Pex

/// What a build produced: printed as a short text summary, or as one JSON object with `--json`.
public struct BuildSummary: Sendable, Codable, Equatable, MachineReadable {
    public struct Distribution: Sendable, Codable, Equatable {
        public var name: String
        public var version: String
        public var wheel: String
    }

    public var output: String
    public var layout: Layout
    /// The target's name, e.g. `python3.11-x86_64` or `linux_x86_64-cp311`.
    public var target: String
    /// Size of the written archive in bytes.
    public var bytes: UInt64
    /// Sum of the uncompressed sizes of all entries (what Lambda counts against 250 MiB).
    public var unzippedBytes: UInt64
    public var entries: Int
    /// The AWS handler string for a zip built with `--handler`.
    public var handler: String?
    /// The PEX entry point, for `--layout pex`.
    public var entryPoint: String?
    public var distributions: [Distribution]
    /// Distributions left out by `--exclude`, and what only they needed.
    public var excluded: [String]
    public var warnings: [String]
    public var seconds: Double
    /// What each `-D` directory contributed and what it left out.
    public var sources: [SourcesReport] = []
    /// What `--slim` saved, per distribution that it changed.
    public var slimmed: [SlimReport] = []
    /// The `--with-layer` zips and their unzipped sizes, in the function's order.
    public var layers: [Layer] = []

    public struct Layer: Sendable, Codable, Equatable {
        public var path: String
        public var unzippedBytes: UInt64
    }

    /// The human-readable summary, one fact per line.
    public func text() -> String {
        var lines = ["Built \(output) (\(layout.rawValue) for \(target))"]
        lines.append("Size: \(ByteCount.format(bytes)) zipped, \(ByteCount.format(unzippedBytes)) unzipped, \(entries) entries")
        let listed = distributions.map { "\($0.name) \($0.version)" }.joined(separator: ", ")
        lines.append("Distributions: \(distributions.count)" + (listed.isEmpty ? "" : " (\(listed))"))
        if !excluded.isEmpty { lines.append("Excluded: \(excluded.joined(separator: ", "))") }
        for report in sources { lines += Self.lines(report) }
        if !layers.isEmpty {
            let together = layers.reduce(unzippedBytes) { $0 + $1.unzippedBytes }
            lines.append("With layers: " + layers.map { "\($0.path) (\(ByteCount.format($0.unzippedBytes)))" }
                .joined(separator: ", ") + "; \(ByteCount.format(together)) of \(ByteCount.format(LambdaQuotas.unzippedBytes)) "
                + "unzipped together")
        }
        if !slimmed.isEmpty {
            let saved = slimmed.reduce(0) { $0 + $1.savedBytes }
            lines.append("Slimmed: \(ByteCount.format(saved)) saved ("
                + slimmed.map { "\($0.distribution) \(ByteCount.format($0.savedBytes))" }.joined(separator: ", ") + ")")
            lines += slimmed.flatMap(\.notes).map { "Note: \($0)" }
        }
        if let handler { lines.append("Handler: \(handler)") }
        if let entryPoint { lines.append("Entry point: \(entryPoint)") }
        lines.append("Time: \(String(format: "%.2f", seconds)) s")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `Sources: 12 files from src (left out: 1 version-control, 3 cache)` and the secrets left out by name,
    /// so that nothing is dropped silently.
    static func lines(_ report: SourcesReport) -> [String] {
        var line = "Sources: \(report.files.count) files from \(report.directory)"
        let counts = Dictionary(grouping: report.leftOut, by: \.reason)
        let reasons = SourceRules.Reason.allCases.compactMap { reason in
            counts[reason].map { "\($0.count) \(reason.rawValue)" }
        }
        if !reasons.isEmpty { line += " (left out: \(reasons.joined(separator: ", ")))" }
        var lines = [line]
        if !report.secrets.isEmpty {
            lines.append("Left out as secrets (ship one with --include-source PATH): "
                + report.secrets.joined(separator: ", "))
        }
        return lines
    }
}
