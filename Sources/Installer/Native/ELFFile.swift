/// The `e_machine` of an ELF object (System V ABI, *ELF header*): the instruction set it was built for.
public struct ELFMachine: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let i386 = ELFMachine(rawValue: 3)
    public static let ppc64 = ELFMachine(rawValue: 21)
    public static let s390 = ELFMachine(rawValue: 22)
    public static let arm = ELFMachine(rawValue: 40)
    public static let x86_64 = ELFMachine(rawValue: 62)
    public static let aarch64 = ELFMachine(rawValue: 183)
    public static let riscv = ELFMachine(rawValue: 243)

    private static let names: [(ELFMachine, [String])] = [
        (.x86_64, ["x86_64"]), (.aarch64, ["aarch64", "arm64"]), (.i386, ["i686", "i386"]),
        (.arm, ["armv7l", "arm"]), (.ppc64, ["ppc64le", "ppc64"]), (.s390, ["s390x"]), (.riscv, ["riscv64"]),
    ]

    /// The machine for a PEP 508 `platform_machine` / wheel platform tag architecture (`x86_64`,
    /// `aarch64`, Lambda's `arm64`, `i686`, `armv7l`, `ppc64le`, `s390x`, `riscv64`); nil when unknown.
    public init?(platformMachine: String) {
        guard let known = Self.names.first(where: { $0.1.contains(platformMachine) }) else { return nil }
        self = known.0
    }

    /// The architecture name used in wheel tags, or `ELF machine N` for one we do not name.
    public var description: String {
        Self.names.first(where: { $0.0 == self })?.1[0] ?? "ELF machine \(rawValue)"
    }
}

/// A shared library's requirement on another one's symbol versions (one `Elf_Verneed` with its
/// `Elf_Vernaux` entries), e.g. `libc.so.6` → `GLIBC_2.2.5`, `GLIBC_2.34`.
public struct ELFVersionNeed: Sendable, Hashable {
    public var library: String
    public var versions: [String]
}

/// What the native-code check needs from an ELF object: its machine and the symbol versions the dynamic
/// loader will demand.
///
/// The requirements are read the way the loader finds them: program headers → `PT_DYNAMIC` →
/// `DT_VERNEED`/`DT_VERNEEDNUM`/`DT_STRTAB` (System V ABI and the LSB *Symbol Versioning* chapter), with
/// addresses mapped to file offsets through the `PT_LOAD` segments. Section headers are never consulted,
/// so objects whose section headers were stripped are read just as well. ELF32 and ELF64, little and big
/// endian.
public struct ELFInfo: Sendable, Hashable {
    public var machine: ELFMachine
    public var is64Bit: Bool
    public var isLittleEndian: Bool
    /// `e_type`: 1 relocatable, 2 executable, 3 shared object (or position-independent executable).
    public var fileType: UInt16
    /// The version requirements in file order; empty for static or unversioned objects.
    public var versionNeeds: [ELFVersionNeed]

    /// The newest `GLIBC_x.y` version required from any library (libc, libm, libpthread, ld.so, ...), or
    /// nil when the object needs no versioned glibc symbol.
    public var requiredGlibc: GlibcVersion? {
        versionNeeds.lazy.flatMap(\.versions).compactMap { GlibcVersion(symbolVersion: $0) }.max()
    }

    /// True when `prefix` starts with the ELF magic `\x7fELF`.
    public static func isELF(_ prefix: some Collection<UInt8>) -> Bool {
        prefix.starts(with: [0x7F, 0x45, 0x4C, 0x46])
    }

    /// Parses an ELF object held in memory.
    public init(parsing bytes: [UInt8]) throws(ELFError) {
        try self.init(size: bytes.count) { offset, count in Array(bytes[offset..<offset + count]) }
    }

    /// Parses an ELF object through positional reads, so a large file need not be loaded whole.
    /// - Parameters:
    ///   - size: the object's size in bytes; no read goes beyond it.
    ///   - read: returns exactly `count` bytes at `offset` (called with in-bounds ranges only).
    public init(size: Int, read: (_ offset: Int, _ count: Int) throws -> [UInt8]) throws(ELFError) {
        self = try withoutActuallyEscaping(read) { read throws(ELFError) in
            try ELFInfo(ELFReader(size: size, read: read))
        }
    }

    private init(_ file: ELFReader) throws(ELFError) {
        guard Self.isELF(try file.bytes(0, min(file.size, 4), "the ELF magic")) else { throw .notELF }
        let ident = try file.bytes(0, 16, "the ELF identification")
        guard ident[4] == 1 || ident[4] == 2 else { throw .unsupported("ELF class \(ident[4])") }
        guard ident[5] == 1 || ident[5] == 2 else { throw .unsupported("ELF data encoding \(ident[5])") }
        let layout = ELFLayout(is64Bit: ident[4] == 2, isLittleEndian: ident[5] == 1)
        is64Bit = layout.is64Bit
        isLittleEndian = layout.isLittleEndian
        // Elf64_Ehdr / Elf32_Ehdr: e_type 16, e_machine 18, e_phoff 32 / 28, e_phentsize 54 / 42, e_phnum 56 / 44.
        let header = try file.record(at: 0, layout.is64Bit ? 64 : 52, "the ELF header", layout)
        fileType = header.u16(16)
        machine = ELFMachine(rawValue: header.u16(18))
        let programHeaders = header.word(layout.is64Bit ? 32 : 28)
        let entrySize = Int(header.u16(layout.is64Bit ? 54 : 42))
        let count = Int(header.u16(layout.is64Bit ? 56 : 44))
        let minimumEntrySize = layout.is64Bit ? 56 : 32
        guard count == 0 || entrySize >= minimumEntrySize else {
            throw .malformed("program header entries are \(entrySize) bytes, fewer than \(minimumEntrySize)")
        }
        var segments: [ELFSegment] = []
        for index in 0..<count {
            let offset = try checkedOffset(programHeaders, plus: index * entrySize)
            segments.append(ELFSegment(try file.record(at: offset, minimumEntrySize, "program header \(index)", layout)))
        }
        versionNeeds = try Self.versionNeeds(file, segments, layout)
    }

    private static func versionNeeds(_ file: ELFReader, _ segments: [ELFSegment], _ layout: ELFLayout)
        throws(ELFError) -> [ELFVersionNeed]
    {
        guard let dynamicSegment = segments.first(where: { $0.type == 2 }) else { return [] }
        let entrySize = layout.is64Bit ? 16 : 8
        var dynamic: [UInt64: UInt64] = [:]
        for index in 0..<(try checkedSize(dynamicSegment.fileSize)) / entrySize {
            let offset = try checkedOffset(dynamicSegment.offset, plus: index * entrySize)
            let entry = try file.record(at: offset, entrySize, "dynamic entry \(index)", layout)
            let tag = entry.word(0), value = entry.word(entrySize / 2)
            if tag == 0 { break }
            if dynamic[tag] == nil { dynamic[tag] = value }
        }
        // DT_VERNEED / DT_VERNEEDNUM / DT_STRTAB / DT_STRSZ
        guard let verneed = dynamic[0x6fff_fffe], let needCount = dynamic[0x6fff_ffff], needCount > 0 else { return [] }
        guard let stringsAddress = dynamic[5], let stringsSize = dynamic[10] else {
            throw .malformed("DT_VERNEED without DT_STRTAB/DT_STRSZ")
        }
        let strings = try file.bytes(try fileOffset(stringsAddress, segments), try checkedSize(stringsSize),
                                     "the dynamic string table")
        func string(_ index: UInt32) throws(ELFError) -> String {
            let start = Int(index)
            guard start < strings.count, let end = strings[start...].firstIndex(of: 0) else {
                throw .malformed("string index \(index) outside the dynamic string table")
            }
            return String(decoding: strings[start..<end], as: UTF8.self)
        }
        var needs: [ELFVersionNeed] = []
        var needOffset = try fileOffset(verneed, segments)
        for needIndex in 0..<Int(min(needCount, 4096)) {
            let need = try file.record(at: needOffset, 16, "version need \(needIndex)", layout)
            var versions: [String] = []
            var auxOffset = try checkedOffset(needOffset, plus: Int(need.u32(8)))
            for auxIndex in 0..<Int(need.u16(2)) {
                let aux = try file.record(at: auxOffset, 16, "version need \(needIndex) entry \(auxIndex)", layout)
                versions.append(try string(aux.u32(8)))
                guard aux.u32(12) != 0 else { break }
                auxOffset = try checkedOffset(auxOffset, plus: Int(aux.u32(12)))
            }
            needs.append(ELFVersionNeed(library: try string(need.u32(4)), versions: versions))
            guard need.u32(12) != 0 else { break }
            needOffset = try checkedOffset(needOffset, plus: Int(need.u32(12)))
        }
        return needs
    }

    /// Maps a virtual address to a file offset through the `PT_LOAD` segment that contains it.
    private static func fileOffset(_ address: UInt64, _ segments: [ELFSegment]) throws(ELFError) -> Int {
        guard let load = segments.first(where: {
            $0.type == 1 && address >= $0.virtualAddress && address - $0.virtualAddress < $0.fileSize
        }) else { throw .malformed("address 0x\(String(address, radix: 16)) is in no loadable segment") }
        return try checkedOffset(load.offset, plus: try checkedSize(address - load.virtualAddress))
    }
}

/// Why bytes could not be read as an ELF object.
public enum ELFError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    case notELF
    case unsupported(String)
    case truncated(String)
    case malformed(String)
    case unreadable(String)

    public var description: String {
        switch self {
        case .notELF: "The file is not an ELF object (it does not start with \\x7fELF)."
        case .unsupported(let what): "The ELF object uses an unsupported \(what)."
        case .truncated(let what): "The ELF object is truncated: \(what) extends past the end of the file."
        case .malformed(let what): "The ELF object is malformed: \(what)."
        case .unreadable(let what): "The ELF object could not be read at \(what)."
        }
    }
}

private struct ELFLayout {
    var is64Bit: Bool
    var isLittleEndian: Bool
}

private struct ELFSegment {
    var type: UInt32
    var offset: UInt64
    var virtualAddress: UInt64
    var fileSize: UInt64

    init(_ record: ELFRecord) {
        type = record.u32(0)
        // Elf64_Phdr: type, flags, offset, vaddr, paddr, filesz; Elf32_Phdr: type, offset, vaddr, paddr, filesz.
        let step = record.layout.is64Bit ? 8 : 4
        offset = record.word(step)
        virtualAddress = record.word(2 * step)
        fileSize = record.word(4 * step)
    }
}

private struct ELFRecord {
    var bytes: [UInt8]
    var layout: ELFLayout

    func u16(_ at: Int) -> UInt16 { UInt16(integer(at, 2)) }
    func u32(_ at: Int) -> UInt32 { UInt32(integer(at, 4)) }
    /// An address, offset or `Elf_Dyn` field: 8 bytes in ELF64, 4 in ELF32.
    func word(_ at: Int) -> UInt64 { integer(at, layout.is64Bit ? 8 : 4) }

    private func integer(_ at: Int, _ width: Int) -> UInt64 {
        let field = bytes[at..<at + width]
        let ordered = layout.isLittleEndian ? Array(field.reversed()) : Array(field)
        return ordered.reduce(0) { $0 << 8 | UInt64($1) }
    }
}

private struct ELFReader {
    var size: Int
    var read: (Int, Int) throws -> [UInt8]

    func bytes(_ offset: Int, _ count: Int, _ what: String) throws(ELFError) -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else { throw .truncated(what) }
        let result: [UInt8]
        do { result = try read(offset, count) } catch { throw .unreadable("\(what): \(error)") }
        guard result.count == count else { throw .truncated(what) }
        return result
    }

    func record(at offset: Int, _ count: Int, _ what: String, _ layout: ELFLayout) throws(ELFError) -> ELFRecord {
        ELFRecord(bytes: try bytes(offset, count, what), layout: layout)
    }
}

private func checkedSize(_ value: UInt64) throws(ELFError) -> Int {
    guard value <= UInt64(Int.max) else { throw .malformed("size \(value) is out of range") }
    return Int(value)
}

private func checkedOffset(_ base: some BinaryInteger, plus delta: Int) throws(ELFError) -> Int {
    guard let start = Int(exactly: base) else { throw .malformed("offset \(base) is out of range") }
    let (sum, overflow) = start.addingReportingOverflow(delta)
    guard !overflow else { throw .malformed("offset \(base) + \(delta) is out of range") }
    return sum
}
