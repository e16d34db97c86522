import Basics
import Foundation
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

    /// The human-readable summary, one fact per line.
    public func text() -> String {
        var lines = ["Built \(output) (\(layout.rawValue) for \(target))"]
        lines.append("Size: \(ByteCount.format(bytes)) zipped, \(ByteCount.format(unzippedBytes)) unzipped, \(entries) entries")
        let listed = distributions.map { "\($0.name) \($0.version)" }.joined(separator: ", ")
        lines.append("Distributions: \(distributions.count)" + (listed.isEmpty ? "" : " (\(listed))"))
        if !excluded.isEmpty { lines.append("Excluded: \(excluded.joined(separator: ", "))") }
        if let handler { lines.append("Handler: \(handler)") }
        if let entryPoint { lines.append("Entry point: \(entryPoint)") }
        lines.append("Time: \(String(format: "%.2f", seconds)) s")
        return lines.joined(separator: "\n") + "\n"
    }
}
