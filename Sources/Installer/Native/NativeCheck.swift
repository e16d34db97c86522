/// The machine and C library of the platform an archive is built for, e.g. Lambda python3.11 on x86_64:
/// x86_64 with glibc 2.26 (docs/formats/targets.md).
public struct NativeTarget: Sendable, Hashable {
    public var machine: ELFMachine
    public var glibc: GlibcVersion
    /// How messages name the target, e.g. `python3.11-x86_64`.
    public var name: String

    public init(machine: ELFMachine, glibc: GlibcVersion, name: String) {
        self.machine = machine
        self.glibc = glibc
        self.name = name
    }

    /// The target described by a platform's compatible tags (full `cp311-cp311-manylinux_2_26_x86_64`
    /// triples or bare platform tags, compressed sets allowed): the newest glibc of its manylinux tags
    /// (PEP 600 `manylinux_x_y_arch`; the PEP 513/571/599 aliases `manylinux1`, `manylinux2010`,
    /// `manylinux2014` are glibc 2.5, 2.12 and 2.17) and their architecture. Nil without manylinux tags.
    public init?(platformTags: [String], name: String) {
        let legacy = ["manylinux1_": GlibcVersion(2, 5), "manylinux2010_": GlibcVersion(2, 12),
                      "manylinux2014_": GlibcVersion(2, 17)]
        var best: (GlibcVersion, ELFMachine)?
        for tag in platformTags {
            for platform in tag.split(separator: "-").last?.split(separator: ".") ?? [] {
                let found: (GlibcVersion, Substring)?
                if let (prefix, version) = legacy.first(where: { platform.hasPrefix($0.key) }) {
                    found = (version, platform.dropFirst(prefix.count))
                } else if platform.hasPrefix("manylinux_") {
                    let parts = platform.dropFirst("manylinux_".count).split(separator: "_", maxSplits: 2)
                    guard parts.count == 3, let major = Int(parts[0]), let minor = Int(parts[1]) else { continue }
                    found = (GlibcVersion(major, minor), parts[2])
                } else {
                    found = nil
                }
                guard let (glibc, arch) = found, let machine = ELFMachine(platformMachine: String(arch)) else { continue }
                if best.map({ glibc > $0.0 }) ?? true { best = (glibc, machine) }
            }
        }
        guard let (glibc, machine) = best else { return nil }
        self.init(machine: machine, glibc: glibc, name: name)
    }
}

/// An ELF object in the archive that cannot load on the target.
public enum NativeViolation: Sendable, Hashable, CustomStringConvertible {
    /// Built for another instruction set.
    case wrongMachine(path: String, found: ELFMachine, target: NativeTarget)
    /// Requires glibc symbol versions newer than the target's glibc.
    case glibcTooNew(path: String, required: GlibcVersion, target: NativeTarget)
    /// Starts like an ELF object but cannot be read as one.
    case unreadable(path: String, error: ELFError)

    public var path: String {
        switch self {
        case .wrongMachine(let path, _, _), .glibcTooNew(let path, _, _), .unreadable(let path, _): path
        }
    }

    public var description: String {
        switch self {
        case .wrongMachine(let path, let found, let target):
            "'\(path)' is built for \(found), but the target \(target.name) runs \(target.machine); "
                + "use wheels for \(target.machine) or pass --no-native-check."
        case .glibcTooNew(let path, let required, let target):
            "'\(path)' requires glibc \(required) (symbol version \(required.symbolVersion)), but the target "
                + "\(target.name) has glibc \(target.glibc); use a wheel tagged manylinux_\(target.glibc.major)_"
                + "\(target.glibc.minor) or older, or pass --no-native-check."
        case .unreadable(let path, let error):
            "'\(path)' looks like native code but cannot be checked: \(error) Pass --no-native-check to skip it."
        }
    }
}

/// Checks that every ELF object in an archive can be loaded on the target: same machine, and no
/// `GLIBC_x.y` symbol version newer than the target's glibc (the PEP 600 manylinux rule, applied to the
/// files themselves rather than trusted from wheel tags). Files that are not ELF are ignored.
public struct NativeCheck: Sendable {
    public var target: NativeTarget

    public init(target: NativeTarget) { self.target = target }

    /// The violations of one archive file; empty when it is fine or is not an ELF object.
    public func violations(path: String, bytes: [UInt8]) -> [NativeViolation] {
        NativeFacts(bytes: bytes).map { violations(path: path, facts: $0) } ?? []
    }

    /// The violations of a file whose facts were recorded when its wheel was verified.
    public func violations(path: String, facts: NativeFacts) -> [NativeViolation] {
        let elf: ELFFacts
        switch facts {
        case .unreadable(let error): return [.unreadable(path: path, error: error)]
        case .elf(let facts): elf = facts
        }
        var found: [NativeViolation] = []
        if elf.machine != target.machine {
            found.append(.wrongMachine(path: path, found: elf.machine, target: target))
        }
        if let required = elf.requiredGlibc, required > target.glibc {
            found.append(.glibcTooNew(path: path, required: required, target: target))
        }
        return found
    }

    /// The violations of all `files` (archive path and contents), in the order given.
    public func violations(in files: [(path: String, bytes: [UInt8])]) -> [NativeViolation] {
        files.flatMap { violations(path: $0.path, bytes: $0.bytes) }
    }
}
