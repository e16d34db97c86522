/// What loading an ELF object on a target depends on, reduced from ``ELFInfo`` so that it can be
/// recorded once when its wheel is verified and trusted by the wheel's sha256 afterwards
/// (docs/ARCHITECTURE.md, "Verify once, then trust the hash").
public struct ELFFacts: Sendable, Hashable, Codable {
    public var machine: ELFMachine
    /// ELF class: 64-bit (ELFCLASS64) or 32-bit.
    public var is64Bit: Bool
    /// The newest `GLIBC_x.y` symbol version required, if any.
    public var requiredGlibc: GlibcVersion?
    /// The newest `GLIBCXX_x.y.z` (libstdc++) symbol version required, e.g. `3.4.29`.
    public var requiredGLIBCXX: String?
    /// The newest `CXXABI_x.y.z` (C++ runtime ABI) symbol version required, e.g. `1.3.13`.
    public var requiredCXXABI: String?

    public init(_ info: ELFInfo) {
        machine = info.machine
        is64Bit = info.is64Bit
        requiredGlibc = info.requiredGlibc
        let versions = info.versionNeeds.flatMap(\.versions)
        requiredGLIBCXX = Self.newest(versions, prefix: "GLIBCXX_")
        requiredCXXABI = Self.newest(versions, prefix: "CXXABI_")
    }

    /// The highest `x.y.z` after `prefix`, compared number by number (`GLIBCXX_3.4.9` < `GLIBCXX_3.4.29`);
    /// names with anything but digits and dots after the prefix are not versions (`CXXABI_TM_1`).
    static func newest(_ names: [String], prefix: String) -> String? {
        names.compactMap { name -> (String, [Int])? in
            guard name.hasPrefix(prefix) else { return nil }
            let version = String(name.dropFirst(prefix.count))
            let parts = version.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
            guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else { return nil }
            return (version, parts.compactMap { $0 })
        }.max { $0.1.lexicographicallyPrecedes($1.1) }?.0
    }
}

/// The native-code facts of one file: an ELF object, or bytes that start like one but cannot be read.
/// Files that are not ELF have none.
public enum NativeFacts: Sendable, Hashable, Codable {
    case elf(ELFFacts)
    case unreadable(ELFError)

    /// The facts of a file held in memory; nil when it is not ELF.
    public init?(bytes: [UInt8]) {
        guard ELFInfo.isELF(bytes) else { return nil }
        do { self = .elf(ELFFacts(try ELFInfo(parsing: bytes))) } catch { self = .unreadable(error) }
    }
}
