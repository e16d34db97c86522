/// Which file formats may be used per project: pip's `--only-binary`, `--no-binary` and
/// `--prefer-binary`, with `:all:`, `:none:` and comma-separated names, applied in order as pip's
/// `FormatControl` does (a later option for a name overrides an earlier one; `:none:` clears).
/// https://pip.pypa.io/en/stable/cli/pip_install/#cmdoption-only-binary
public struct BinaryPolicy: Sendable, Equatable {
    /// `:all:` or normalised project names.
    private var onlyBinaryNames: Set<String> = []
    private var noBinaryNames: Set<String> = []
    /// `--prefer-binary`: a version with a fitting wheel wins over newer versions that only have an sdist.
    public var preferBinary = false

    public init() {}

    /// Applies one `--only-binary VALUE`.
    public mutating func onlyBinary(_ value: String) { Self.apply(value, to: &onlyBinaryNames, other: &noBinaryNames) }

    /// Applies one `--no-binary VALUE`.
    public mutating func noBinary(_ value: String) { Self.apply(value, to: &noBinaryNames, other: &onlyBinaryNames) }

    /// Whether a source distribution of `name` may be built (pip's `get_allowed_formats`).
    public func allowsSource(_ name: PackageName) -> Bool {
        if onlyBinaryNames.contains(name.rawValue) { return false }
        if noBinaryNames.contains(name.rawValue) { return true }
        return !onlyBinaryNames.contains(":all:")
    }

    /// Whether wheels of `name` may be used.
    public func allowsWheels(_ name: PackageName) -> Bool {
        if onlyBinaryNames.contains(name.rawValue) { return true }
        if noBinaryNames.contains(name.rawValue) { return false }
        return !noBinaryNames.contains(":all:")
    }

    /// Another policy's options applied after this one's (the command line after a requirements file).
    public mutating func merge(_ later: BinaryPolicy) {
        for name in later.onlyBinaryNames.sorted() { onlyBinary(name) }
        for name in later.noBinaryNames.sorted() { noBinary(name) }
        preferBinary = preferBinary || later.preferBinary
    }

    private static func apply(_ value: String, to target: inout Set<String>, other: inout Set<String>) {
        var items = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }[...]
        while let all = items.firstIndex(of: ":all:") {
            other.removeAll()
            target = [":all:"]
            items = items[(all + 1)...]
            if !items.contains(":none:") { return }
        }
        for item in items where !item.isEmpty {
            if item == ":none:" {
                target.removeAll()
                continue
            }
            let name = (try? PackageName(item))?.rawValue ?? item.lowercased()
            other.remove(name)
            target.insert(name)
        }
    }
}
