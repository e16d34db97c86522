import Basics
import Foundation
import Resolver

/// The live line a user waiting on a cold resolution sees on an interactive stderr, redrawn in place a
/// few times a second: `Resolving: 23 projects · 14/20 files · 35.2 MiB of 48.0 MiB · 12.3 MiB/s`. Nothing
/// is drawn when stderr is not a terminal or with `--json`.
final class LiveProgress: Sendable {
    let meter = TransferMeter()
    private let task: Task<Void, Never>?

    init(enabled: Bool) {
        guard enabled && Terminal.standardError.isInteractive else {
            task = nil
            return
        }
        task = Task { [meter] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(200))
                let line = Self.line(meter.snapshot())
                if !line.isEmpty { Terminal.standardError.write("\r\u{1B}[2K" + line) }
            }
        }
    }

    /// Stops drawing and clears the line, so what follows starts at the left margin.
    func finish() async {
        guard let task else { return }
        task.cancel()
        await task.value
        Terminal.standardError.write("\r\u{1B}[2K")
    }

    /// The line for one snapshot; empty before anything was fetched.
    static func line(_ snapshot: TransferMeter.Snapshot) -> String {
        guard snapshot.filesStarted > 0 || snapshot.projects > 0 else { return "" }
        var parts = ["Resolving: \(snapshot.projects) projects", "\(snapshot.filesFinished)/\(snapshot.filesStarted) files"]
        let total = max(snapshot.expectedBytes, snapshot.bytes)
        parts.append("\(ByteCount.format(snapshot.bytes)) of \(ByteCount.format(total))")
        if snapshot.seconds >= 0.5 { parts.append("\(ByteCount.format(Int64(snapshot.rate)))/s") }
        return parts.joined(separator: " · ")
    }
}
