/// Builds ordered tag lists exactly as `packaging.tags` 26.3 does for a given interpreter, ABI and
/// platform list ([PEP 425](https://packaging.python.org/specifications/platform-compatibility-tags/)),
/// and the platform lists for manylinux ([PEP 600](https://peps.python.org/pep-0600/) with the
/// PEP 513/571/599 aliases), musllinux ([PEP 656](https://peps.python.org/pep-0656/)) and macOS.
public enum TagGeneration {
    /// `cpython_tags(version, abis, platforms)` followed by `compatible_tags(version, "cpXY", platforms)`:
    /// the list a CPython interpreter accepts, best first.
    public static func cpython(version: (major: Int, minor: Int), abis: [String], platforms: [String]) -> [Tag] {
        cpythonTags(version: version, abis: abis, platforms: platforms)
            + compatibleTags(version: version, interpreter: "cp\(version.major)\(version.minor)", platforms: platforms)
    }

    /// `packaging.tags.cpython_tags`: `cpXY-<abi>-p`, then the stable ABI (`abi3`, or `abi3t` for a
    /// free-threaded ABI) and `none` for `cpXY`, then the stable ABI for older minors down to 3.2.
    public static func cpythonTags(version: (major: Int, minor: Int), abis: [String], platforms: [String]) -> [Tag] {
        let interpreter = "cp\(version.major)\(version.minor)"
        let threaded = abis.first.map(isThreadedCPython) ?? false
        let explicit: Set<String> = threaded ? ["abi3", "abi3t", "none"] : ["abi3", "none"]
        var out: [Tag] = []
        for abi in abis where !explicit.contains(abi) {
            for p in platforms { out.append(Tag(lowercased: interpreter, abi: abi, platform: p)) }
        }
        let stableABIApplies = (version.major, version.minor) >= (3, 2)
        let useABI3 = stableABIApplies && !threaded, useABI3t = stableABIApplies && threaded
        if useABI3 { for p in platforms { out.append(Tag(lowercased: interpreter, abi: "abi3", platform: p)) } }
        if useABI3t { for p in platforms { out.append(Tag(lowercased: interpreter, abi: "abi3t", platform: p)) } }
        for p in platforms { out.append(Tag(lowercased: interpreter, abi: "none", platform: p)) }
        if useABI3 || useABI3t {
            for minor in stride(from: version.minor - 1, to: 1, by: -1) {
                let older = "cp\(version.major)\(minor)"
                for p in platforms {
                    if useABI3 { out.append(Tag(lowercased: older, abi: "abi3", platform: p)) }
                    if useABI3t { out.append(Tag(lowercased: older, abi: "abi3t", platform: p)) }
                }
            }
        }
        return out
    }

    /// `packaging.tags.compatible_tags`: `pyXY`, `pyX`, `py{X}{Y-1}` … `py{X}0` with `none` on each
    /// platform, then `<interpreter>-none-any`, then the same Python tags with `none-any`.
    public static func compatibleTags(version: (major: Int, minor: Int), interpreter: String?,
                                      platforms: [String]) -> [Tag] {
        var pythons = ["py\(version.major)\(version.minor)", "py\(version.major)"]
        for minor in stride(from: version.minor - 1, through: 0, by: -1) { pythons.append("py\(version.major)\(minor)") }
        var out: [Tag] = []
        for python in pythons {
            for p in platforms { out.append(Tag(lowercased: python, abi: "none", platform: p)) }
        }
        if let interpreter { out.append(Tag(lowercased: interpreter, abi: "none", platform: "any")) }
        for python in pythons { out.append(Tag(lowercased: python, abi: "none", platform: "any")) }
        return out
    }

    /// `_is_threaded_cpython`: a `cpNN…t…` ABI marks a free-threaded build.
    static func isThreadedCPython(_ abi: String) -> Bool {
        guard abi.hasPrefix("cp") else { return false }
        let flags = abi.dropFirst(2).drop(while: { $0.isASCII && $0.isNumber })
        guard flags.count < abi.count - 2 else { return false }
        return flags.contains("t")
    }

    /// The lowest glibc minor `packaging` generates for `arch`: 2.5 on x86_64/i686, 2.17 elsewhere.
    public static func manylinuxFloor(arch: String) -> Int { arch == "x86_64" || arch == "i686" ? 5 : 17 }

    /// `manylinux_2_G_arch` down to the architecture's floor, each legacy alias (`manylinux2014`,
    /// `manylinux2010`, `manylinux1`) right after its `manylinux_2_X` twin (only x86_64 and i686 reach 2.12 and 2.5).
    public static func manylinuxPlatforms(glibcMinor: Int, arch: String) -> [String] {
        var out: [String] = []
        let floor = manylinuxFloor(arch: arch)
        guard glibcMinor >= floor else { return out }
        for minor in stride(from: glibcMinor, through: floor, by: -1) {
            out.append("manylinux_2_\(minor)_\(arch)")
            switch minor {
            case 17: out.append("manylinux2014_\(arch)")
            case 12: out.append("manylinux2010_\(arch)")
            case 5: out.append("manylinux1_\(arch)")
            default: break
            }
        }
        return out
    }

    /// `musllinux_X_Y_arch` for Y from the target's minor down to 0.
    public static func musllinuxPlatforms(major: Int, minor: Int, arch: String) -> [String] {
        stride(from: minor, through: 0, by: -1).map { "musllinux_\(major)_\($0)_\(arch)" }
    }

    /// `packaging.tags.mac_platforms(version, arch)` for `arm64` and `x86_64`.
    public static func macPlatforms(version: (major: Int, minor: Int), arch: String) -> [String] {
        var out: [String] = []
        func add(_ major: Int, _ minor: Int) {
            for format in macBinaryFormats(version: (major, minor), arch: arch) {
                out.append("macosx_\(major)_\(minor)_\(format)")
            }
        }
        if version.major == 10 {
            for minor in stride(from: version.minor, through: 0, by: -1) { add(10, minor) }
        } else if version.major >= 11 {
            for major in stride(from: version.major, to: 10, by: -1) { add(major, 0) }
            for minor in stride(from: 16, to: 3, by: -1) {
                if arch == "x86_64" { add(10, minor) } else { out.append("macosx_10_\(minor)_universal2") }
            }
        }
        return out
    }

    private static func macBinaryFormats(version: (Int, Int), arch: String) -> [String] {
        var formats = [arch]
        if arch == "x86_64" {
            if version < (10, 4) { return [] }
            formats += ["intel", "fat64", "fat3"]
        }
        if arch == "arm64" || arch == "x86_64" { formats.append("universal2") }
        if arch == "x86_64" { formats.append("universal") }
        return formats
    }
}
