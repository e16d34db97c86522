/// A glibc release such as 2.26, as named by the `GLIBC_x.y[.z]` symbol versions that an ELF object
/// requires and by manylinux tags (PEP 600: `manylinux_x_y` means "glibc x.y or newer").
public struct GlibcVersion: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int

    public init(_ major: Int, _ minor: Int, _ patch: Int = 0) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// Parses a symbol version name: `GLIBC_2.34` → 2.34, `GLIBC_2.2.5` → 2.2.5; nil for anything else
    /// (`GLIBC_PRIVATE`, `GCC_3.0`, `GLIBCXX_3.4`).
    public init?(symbolVersion name: String) {
        guard name.hasPrefix("GLIBC_") else { return nil }
        let parts = name.dropFirst("GLIBC_".count).split(separator: ".", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count),
              parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { ("0"..."9").contains($0) } })
        else { return nil }
        let numbers = parts.compactMap { Int($0) }
        guard numbers.count == parts.count else { return nil }
        self.init(numbers[0], numbers[1], numbers.count == 3 ? numbers[2] : 0)
    }

    /// The symbol version name, e.g. `GLIBC_2.34`.
    public var symbolVersion: String { "GLIBC_\(self)" }

    public var description: String { patch == 0 ? "\(major).\(minor)" : "\(major).\(minor).\(patch)" }

    public static func < (lhs: GlibcVersion, rhs: GlibcVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }
}
