import Basics
import Foundation
import Resolver
import ZipArchive

/// The verified wheels of a cache, keyed by the sha256 of the wheel file: a wheel is verified fully the
/// first time a build sees its hash (``VerifiedWheel``) and trusted by that hash afterwards
/// (docs/ARCHITECTURE.md, "Verify once, then trust the hash").
///
/// Each record is one file, `<cache>/verified/<sha256[0..<2]>/<sha256>.json`: a first line holding the
/// hex sha256 of the rest, then canonical JSON (the format number, the wheel's sha256 and size, the
/// ``VerifiedWheel``). It is written to a temporary file beside its place and renamed into place, so a
/// concurrent build sees the whole record or none; two builds that verify the same wheel at once write
/// the same bytes. A record whose checksum, format, hash or size does not match is never trusted: the
/// wheel is verified again and the record replaced. A wheel that fails verification gets no record.
public struct WheelStore: Sendable {
    /// Raised when the record's meaning changes, so records of older pexify versions are rebuilt.
    static let format = 1

    /// `<cache>/verified`.
    public let directory: String

    public init(cache: Cache) {
        directory = cache.root + "/verified"
    }

    /// The install plans of `wheels` (each file and its sha256), in their order. Stored facts are read
    /// and plans built on every core, the largest wheel first (a warm torch build is mostly its one
    /// wheel); wheels seen for the first time are verified one at a time, since each verification
    /// already uses every core. The error of the first failing wheel, in the given order, is thrown.
    /// - Parameter pythonVersion: see ``WheelInstallPlan/init(wheelPath:verified:pythonVersion:)``.
    public func installPlans(for wheels: [(path: String, sha256: String)], pythonVersion: String?) throws
        -> [WheelInstallPlan] {
        let sizes = wheels.map { wheel -> Int64 in
            var info = stat()
            return stat(wheel.path, &info) == 0 ? Int64(info.st_size) : 0
        }
        let order = wheels.indices.sorted { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : $0 < $1 }
        let oneVerification = NSLock()
        var results = [Result<WheelInstallPlan, any Error>?](repeating: nil, count: wheels.count)
        try OrderedPipeline.run(
            count: order.count, workers: min(ProcessInfo.processInfo.activeProcessorCount, order.count),
            maxCostInFlight: order.count, maxItemsInFlight: order.count, maxBatchItems: 1, cost: { _ in 1 },
            makeWorker: {},
            prepare: { _, position in
                let wheel = wheels[order[position]]
                return Result {
                    try WheelInstallPlan(
                        wheelPath: wheel.path,
                        verified: try verifiedWheel(at: wheel.path, sha256: wheel.sha256, verifying: oneVerification),
                        pythonVersion: pythonVersion)
                }
            },
            consume: { position, result in results[order[position]] = result })
        return try results.map { try $0!.get() }
    }

    /// The verified facts of the wheel at `path` whose sha256 is `sha256` (computed by the caller: checked
    /// against the index or lock, or remembered by ``Cache/localSHA256(path:)``): read from the store when
    /// it holds a sound record, else by verifying the wheel now, holding `verifying`, and recording the
    /// result.
    /// - Throws: the errors of ``VerifiedWheel/init(verifying:workers:)`` for a wheel that fails, and
    ///   `FileAccessError` when the wheel cannot be read or the record cannot be written.
    private func verifiedWheel(at path: String, sha256: String, verifying: NSLock) throws -> VerifiedWheel {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw FileAccessError(path: path, operation: "stat", reason: String(cString: strerror(errno)))
        }
        let size = UInt64(info.st_size)
        let recordPath = self.recordPath(sha256: sha256)
        if let stored = record(at: recordPath), stored.format == Self.format, stored.sha256 == sha256,
           stored.size == size {
            return stored.wheel
        }
        verifying.lock()
        defer { verifying.unlock() }
        let wheel = try VerifiedWheel(verifying: path)
        try write(StoredRecord(format: Self.format, sha256: sha256, size: size, wheel: wheel), to: recordPath)
        return wheel
    }

    func recordPath(sha256: String) -> String {
        "\(directory)/\(sha256.prefix(2))/\(sha256).json"
    }

    private struct StoredRecord: Codable {
        var format: Int
        var sha256: String
        var size: UInt64
        var wheel: VerifiedWheel
    }

    /// The record at `path`, or nil when there is none or it is torn, edited or unreadable.
    private func record(at path: String) -> StoredRecord? {
        guard let data = FileManager.default.contents(atPath: path),
              let newline = data.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let body = data[data.index(after: newline)...]
        guard String(decoding: data[..<newline], as: UTF8.self) == sha256Hex(body) else { return nil }
        return try? JSONDecoder().decode(StoredRecord.self, from: Data(body))
    }

    private func write(_ record: StoredRecord, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = try encoder.encode(record)
        do {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            throw FileAccessError(path: path, operation: "create the directory of", reason: error.localizedDescription)
        }
        try AtomicFile.write(Data((sha256Hex(body) + "\n").utf8) + body, to: path)
    }
}
