import Basics
import Foundation
import Installer
import ZipArchive

/// `pexify inspect`: what an archive holds, read from its central directory and `.dist-info/RECORD`s.
///
/// Each installed distribution is found by its `RECORD`, wherever it sits (the root of a Lambda zip,
/// `python/` in a layer, `.deps/<wheel>/` in a PEX); the files its rows name are counted as its own.
public struct ArchiveInspection: Sendable, Codable, MachineReadable {
    public struct DistributionUsage: Sendable, Codable, Equatable {
        /// `name version` from the `.dist-info` directory, or `(not from a distribution)` for files no RECORD lists.
        public var name: String
        public var files: Int
        public var unzippedBytes: UInt64
        public var zippedBytes: UInt64
    }

    /// The archive against AWS Lambda's quotas (docs/formats/lambda-layout.md).
    public struct Budget: Sendable, Codable, Equatable {
        public var directUploadLimit: Int
        public var unzippedLimit: Int
        /// What exceeds a quota, as full sentences; empty when the archive fits.
        public var problems: [String]
    }

    public struct File: Sendable, Codable, Equatable {
        public var path: String
        public var unzippedBytes: UInt64
        public var zippedBytes: UInt64
    }

    public var path: String
    public var bytes: UInt64
    public var entries: Int
    public var unzippedBytes: UInt64
    /// Largest first.
    public var distributions: [DistributionUsage]
    /// The ten largest files, largest first.
    public var largestFiles: [File]
    /// The files that came from the sources directories: those no distribution's `RECORD` lists and
    /// pexify did not generate (the PEX runtime, a generated `lambda_function.py`), sorted.
    public var sourceFiles: [String]
    /// The `PEX-INFO` JSON text, for a PEX.
    public var pexInfo: String?
    /// What the archive was built for, from its comment; `nil` when pexify did not write it.
    public var stamp: ArchiveStamp?
    public var budget: Budget

    /// Reads the archive at `path` with the strict reader.
    public init(path: String) throws {
        let reader = try ZipReader(path: path)
        let files = reader.entries.filter { !$0.isDirectory }
        self.path = path
        bytes = UInt64(FileStatus(path: path)?.size ?? 0)
        entries = reader.entries.count
        unzippedBytes = files.reduce(0) { $0 + $1.uncompressedSize }

        var owner: [String: String] = [:]
        for record in files where record.name.hasSuffix(".dist-info/RECORD") {
            let distInfo = String(record.name.dropLast("/RECORD".count))
            let root = distInfo.split(separator: "/").dropLast().map { $0 + "/" }.joined()
            let label = Self.distributionLabel(String(distInfo.split(separator: "/").last ?? ""))
            owner[record.name] = label
            guard let parsed = try? RecordFile(parsing: reader.contents(of: record), wheel: path, entry: record.name)
            else { continue }
            for row in parsed.rows { owner[root + row.path] = label }
        }
        var usage: [String: DistributionUsage] = [:]
        for file in files {
            let name = owner[file.name] ?? "(not from a distribution)"
            usage[name, default: DistributionUsage(name: name, files: 0, unzippedBytes: 0, zippedBytes: 0)].files += 1
            usage[name]!.unzippedBytes += file.uncompressedSize
            usage[name]!.zippedBytes += file.compressedSize
        }
        distributions = usage.values.sorted { ($0.unzippedBytes, $1.name) > ($1.unzippedBytes, $0.name) }
        largestFiles = files
            .sorted { ($0.uncompressedSize, $1.name) > ($1.uncompressedSize, $0.name) }
            .prefix(10)
            .map { File(path: $0.name, unzippedBytes: $0.uncompressedSize, zippedBytes: $0.compressedSize) }
        stamp = ArchiveStamp(comment: reader.comment)
        pexInfo = try reader.entry(named: "PEX-INFO").map { String(decoding: try reader.contents(of: $0), as: UTF8.self) }
        // What pexify wrote itself: a function zip's handler shim; a PEX's runtime (`__main__.py`, PEX-INFO,
        // its directories). Their bytecode (`--compile`) sits in the root `__pycache__/`.
        var generatedPaths: Set<String> = []
        var generatedPrefixes: [String] = []
        if let shim = reader.entry(named: LambdaHandler.shimPath),
           try reader.contents(of: shim).starts(with: Array(LambdaHandler.generatedMarker.utf8)) {
            generatedPaths.insert(shim.name)
            generatedPrefixes.append("__pycache__/lambda_function.")
        }
        if pexInfo != nil {
            generatedPaths.formUnion(PexLayout.reservedPaths)
            generatedPrefixes += PexLayout.reservedDirectories + ["__pycache__/__main__."]
        }
        sourceFiles = files.map(\.name).filter { name in
            owner[name] == nil && !generatedPaths.contains(name) && !generatedPrefixes.contains(where: name.hasPrefix)
        }.sorted()
        let parts = distributions.map { LambdaBudget.Part(name: $0.name, unzippedBytes: Int($0.unzippedBytes)) }
        let report = LambdaBudget.checkUnzipped(parts: parts)
        budget = Budget(directUploadLimit: LambdaQuotas.directUploadBytes, unzippedLimit: LambdaQuotas.unzippedBytes,
                        problems: (report.error.map { ["\($0)"] } ?? [])
                            + [LambdaBudget.uploadWarning(zippedBytes: Int(bytes), parts: parts)].compactMap { $0 })
    }

    /// `numpy-2.4.6.dist-info` → `numpy 2.4.6`.
    static func distributionLabel(_ distInfo: String) -> String {
        let stem = distInfo.dropLast(".dist-info".count)
        guard let dash = stem.lastIndex(of: "-") else { return String(stem) }
        return "\(stem[..<dash]) \(stem[stem.index(after: dash)...])"
    }

    public func text() -> String {
        var lines = ["\(path): \(ByteCount.format(bytes)) zipped, \(ByteCount.format(unzippedBytes)) "
            + "unzipped, \(entries) entries"]
        lines.append("Built: " + (stamp?.summary ?? "no pexify stamp in the archive comment"))
        lines.append("Distributions (files, unzipped, zipped):")
        for usage in distributions {
            lines.append("  \(usage.name): \(usage.files), \(ByteCount.format(usage.unzippedBytes)), "
                + ByteCount.format(usage.zippedBytes))
        }
        lines.append("Largest files:")
        for file in largestFiles { lines.append("  \(ByteCount.format(file.unzippedBytes))  \(file.path)") }
        lines.append("From the sources: \(sourceFiles.count) files")
        let shown = 20
        for file in sourceFiles.prefix(shown) { lines.append("  \(file)") }
        if sourceFiles.count > shown { lines.append("  … and \(sourceFiles.count - shown) more (--json lists all)") }
        if let pexInfo { lines.append("PEX-INFO: \(pexInfo)") }
        lines.append("Lambda budget: " + (budget.problems.isEmpty
            ? "fits (\(ByteCount.format(UInt64(budget.directUploadLimit))) zipped for direct upload, "
                + "\(ByteCount.format(UInt64(budget.unzippedLimit))) unzipped)"
            : budget.problems.joined(separator: "\n  ")))
        return lines.joined(separator: "\n") + "\n"
    }
}
