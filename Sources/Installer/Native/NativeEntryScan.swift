import ZipArchive

extension NativeCheck {
    /// How much of a wheel entry is inflated first: the ELF header, program headers and version needs that
    /// the check reads sit near the start of a shared object.
    public static let elfPrefixBytes = 1 << 20

    /// How much is kept from where the parser first reads past what was inflated (a dynamic segment or a
    /// version table is a few KiB).
    static let elfWindowBytes = 1 << 16

    /// The violations of one archive entry, read as ``NativeFacts/read(_:in:prefix:captured:)`` reads a wheel
    /// entry: a wheel entry larger than `prefixBytes` is inflated only that far, then only the ranges the
    /// parser asks for. Smaller entries and files on disk are read whole.
    public func violations(of entry: ArchiveEntry, prefixBytes: Int = elfPrefixBytes) throws -> [NativeViolation] {
        let facts: NativeFacts?
        if case let .rawCopy(archive, zipEntry) = entry.content, zipEntry.uncompressedSize > UInt64(prefixBytes) {
            facts = try NativeFacts.read(zipEntry, in: archive,
                                         prefix: try zipEntry.inflated(in: archive, limit: prefixBytes))
        } else {
            facts = NativeFacts(bytes: try entry.content.bytes())
        }
        return facts.map { violations(path: entry.path, facts: $0) } ?? []
    }

    /// Whether an archive entry is a candidate for the check: every shared object (`*.so`, `*.so.N`) and
    /// every executable file; the check itself reads whether it is ELF.
    public static func isCandidate(_ entry: ArchiveEntry) -> Bool {
        !entry.isDirectory && (WheelInstallPlan.isNativeLibrary(entry.path) || entry.executable)
    }
}

extension NativeFacts {
    /// The facts of a wheel entry whose first bytes, `prefix`, are already inflated (the whole entry
    /// when it is that small), with whatever later ranges were `captured` in the same pass; nil when it
    /// is not ELF. What the parser asks for beyond those (the version tables of a large library) is
    /// inflated in further streaming passes that keep only those ranges, so even libtorch is read in
    /// little memory.
    public static func read(_ zipEntry: ZipEntry, in archive: String, prefix: [UInt8],
                            captured: [Range<Int>: [UInt8]] = [:]) throws -> NativeFacts? {
        guard ELFInfo.isELF(prefix) else { return nil }
        guard UInt64(prefix.count) < zipEntry.uncompressedSize else { return NativeFacts(bytes: prefix) }
        var pieces = captured.merging([0..<prefix.count: prefix]) { kept, _ in kept }
        for _ in 0..<4 {
            switch parse(size: Int(zipEntry.uncompressedSize), pieces: pieces) {
            case .facts(let facts): return facts
            case .needs(let missing):
                pieces.merge(try zipEntry.inflated(in: archive, ranges: missing)) { kept, _ in kept }
            }
        }
        return NativeFacts(bytes: try zipEntry.inflated(in: archive))
    }

    /// The ranges past `prefix` that the parser reads first (a library's dynamic segment, which lies
    /// after its code): a pass that inflates the whole entry anyway can keep them on the way.
    public static func rangesWanted(after prefix: [UInt8], size: Int) -> Set<Range<Int>> {
        guard ELFInfo.isELF(prefix), prefix.count < size,
              case .needs(let missing) = parse(size: size, pieces: [0..<prefix.count: prefix]) else { return [] }
        return missing.filter { $0.lowerBound >= prefix.count }
    }

    private enum Attempt {
        case facts(NativeFacts)
        case needs(Set<Range<Int>>)
    }

    /// Parses from the inflated `pieces`; when the parser reads outside them, the ranges to inflate next.
    private static func parse(size: Int, pieces: [Range<Int>: [UInt8]]) -> Attempt {
        var missing: Set<Range<Int>> = []
        do {
            return .facts(.elf(ELFFacts(try ELFInfo(size: size) { offset, count in
                let wanted = offset..<offset + count
                for (range, bytes) in pieces where range.lowerBound <= wanted.lowerBound
                    && wanted.upperBound <= range.lowerBound + bytes.count {
                    return Array(bytes[(wanted.lowerBound - range.lowerBound)..<(wanted.upperBound - range.lowerBound)])
                }
                // The parser walks a table an entry at a time; a window takes in the rest of it in one pass.
                missing.insert(wanted.lowerBound..<wanted.lowerBound + max(count, NativeCheck.elfWindowBytes))
                throw PrefixExhausted()
            })))
        } catch {
            return missing.isEmpty ? .facts(.unreadable(error)) : .needs(missing)
        }
    }

    private struct PrefixExhausted: Error {}
}
