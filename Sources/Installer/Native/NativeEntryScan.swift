import ZipArchive

extension NativeCheck {
    /// How much of a wheel entry is inflated first: the ELF header, program headers and version needs that
    /// the check reads sit near the start of a shared object.
    public static let elfPrefixBytes = 1 << 20

    /// How much is kept from where the parser first reads past what was inflated (a dynamic segment or a
    /// version table is a few KiB).
    static let elfWindowBytes = 1 << 16

    /// The violations of one archive entry. A wheel entry larger than `prefixBytes` is inflated only that
    /// far and parsed from there; what the parser asks for beyond it (the dynamic segment of a large
    /// library follows its code) is inflated in further streaming passes that keep only those ranges, so
    /// even libtorch is checked in little memory. Smaller entries and files on disk are read whole.
    public func violations(of entry: ArchiveEntry, prefixBytes: Int = elfPrefixBytes) throws -> [NativeViolation] {
        guard case let .rawCopy(archive, zipEntry) = entry.content,
              zipEntry.uncompressedSize > UInt64(prefixBytes) else {
            return violations(path: entry.path, bytes: try entry.content.bytes())
        }
        let prefix = try zipEntry.inflated(in: archive, limit: prefixBytes)
        guard ELFInfo.isELF(prefix) else { return [] }
        var pieces: [Range<Int>: [UInt8]] = [0..<prefix.count: prefix]
        for _ in 0..<4 {
            var missing: Set<Range<Int>> = []
            let info = try? ELFInfo(size: Int(zipEntry.uncompressedSize)) { offset, count in
                let wanted = offset..<offset + count
                for (range, bytes) in pieces where range.lowerBound <= wanted.lowerBound
                    && wanted.upperBound <= range.lowerBound + bytes.count {
                    return Array(bytes[(wanted.lowerBound - range.lowerBound)..<(wanted.upperBound - range.lowerBound)])
                }
                // The parser walks a table an entry at a time; a window takes in the rest of it in this pass.
                missing.insert(wanted.lowerBound..<wanted.lowerBound + max(count, Self.elfWindowBytes))
                throw PrefixExhausted()
            }
            if let info, missing.isEmpty { return violations(path: entry.path, info: info) }
            if missing.isEmpty { break }
            pieces.merge(try zipEntry.inflated(in: archive, ranges: missing)) { kept, _ in kept }
        }
        return violations(path: entry.path, bytes: try entry.content.bytes())
    }

    /// Whether an archive entry is a candidate for the check: every shared object (`*.so`, `*.so.N`) and
    /// every executable file; the check itself reads whether it is ELF.
    public static func isCandidate(_ entry: ArchiveEntry) -> Bool {
        !entry.isDirectory && (WheelInstallPlan.isNativeLibrary(entry.path) || entry.executable)
    }

    private struct PrefixExhausted: Error {}
}
