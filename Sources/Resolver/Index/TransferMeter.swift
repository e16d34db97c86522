import Foundation

/// What a resolution has fetched so far, for a live progress line (as uv shows one): projects whose
/// metadata was read, files and bytes transferred against what was asked for, and the rate. Updated by
/// the index client and the resolver from any task; read by whoever draws the line.
public final class TransferMeter: @unchecked Sendable {
    /// The counters at one moment.
    public struct Snapshot: Sendable, Equatable {
        public var projects: Int
        public var filesFinished: Int
        public var filesStarted: Int
        public var bytes: Int64
        /// The bytes of every started transfer whose size the listing or the server announced.
        public var expectedBytes: Int64
        public var seconds: Double

        /// Bytes per second since the meter started.
        public var rate: Double { seconds > 0 ? Double(bytes) / seconds : 0 }
    }

    private let lock = NSLock()
    private let started = ContinuousClock.now
    private var current = Snapshot(projects: 0, filesFinished: 0, filesStarted: 0, bytes: 0, expectedBytes: 0, seconds: 0)

    public init() {}

    public func snapshot() -> Snapshot {
        let elapsed = ContinuousClock.now - started
        return lock.withLock {
            var snapshot = current
            snapshot.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            return snapshot
        }
    }

    func projectRead() { lock.withLock { current.projects += 1 } }

    /// A transfer begins; `expectedBytes` when its size is known beforehand.
    func transferStarted(expectedBytes: Int?) {
        lock.withLock {
            current.filesStarted += 1
            current.expectedBytes += Int64(expectedBytes ?? 0)
        }
    }

    /// A transfer ended after `bytes`; `expectedBytes` as announced at its start, so a transfer that
    /// ended short or long does not leave the total wrong.
    func transferFinished(bytes: Int, expectedBytes: Int?) {
        lock.withLock {
            current.filesFinished += 1
            current.bytes += Int64(bytes)
            current.expectedBytes += Int64(bytes - (expectedBytes ?? 0))
        }
    }
}
