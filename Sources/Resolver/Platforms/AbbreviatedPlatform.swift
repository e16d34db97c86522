extension TargetPlatform {
    /// Builds a target from a platform string.
    ///
    /// Accepted spellings:
    /// - abbreviated `PLATFORM-cpXY`: `linux_x86_64-cp39`, `linux_aarch64-cp312`,
    ///   `macosx_11_0_arm64-cp311`, `musllinux_1_2_x86_64-cp312`, `manylinux_2_28_x86_64-cp312`;
    /// - pex's four fields `PLATFORM-IMPL-VERSION-ABI`: `linux_x86_64-cp-39-cp39`,
    ///   `linux_x86_64-cp-3.9.16-cp39` (a dotted version fills `python_full_version`),
    ///   `manylinux2014_aarch64-cp-312-cp312`, `linux_x86_64-cp-37-m` (an ABI not starting with `cpXY`
    ///   gets that prefix: `cp37m`). The platform may use `-` or `.` for `_` (`linux-x86_64`).
    ///
    /// `linux_ARCH` means the manylinux tags up to glibc 2.17 (`manylinux2014`), or up to the standard
    /// named by `manylinux` (`manylinux_2_28`, `manylinux2010`, …). Plain `linux_ARCH` tags (wheels
    /// that only run where they were built) are left out unless `includeLinuxTag` is set; then they come
    /// first, as `packaging` 26.3 orders them for a host. A `manylinux…` platform names its
    /// glibc itself. The marker environment is synthesised: `python_full_version` is the dotted
    /// version when given, else `X.Y.0` (as pip pads it); `platform_release`/`platform_version` are `""`.
    /// Only CPython (`cp`) is supported.
    /// - Throws: ``PlatformError`` quoting the spelling, with accepted examples.
    public static func parse(platform: String, manylinux: String? = nil,
                             includeLinuxTag: Bool = false) throws(PlatformError) -> TargetPlatform {
        let fields = platform.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        func isVersion(_ s: String) -> Bool {
            !s.isEmpty && s.allSatisfy { ($0.isASCII && $0.isNumber) || $0 == "." } && s.first != "." && s.last != "."
        }
        var platformPart: [String], implementation: String, versionText: String, abi: String?
        if fields.count >= 4, fields[fields.count - 3].allSatisfy({ $0.isASCII && $0.isLetter }),
           !fields[fields.count - 3].isEmpty, isVersion(fields[fields.count - 2]) {
            platformPart = Array(fields.dropLast(3))
            implementation = fields[fields.count - 3].lowercased()
            versionText = fields[fields.count - 2]
            abi = fields[fields.count - 1].lowercased()
        } else if fields.count >= 2 {
            let last = fields[fields.count - 1].lowercased()
            let letters = last.prefix(while: { $0.isASCII && $0.isLetter })
            let digits = last.dropFirst(letters.count)
            guard !letters.isEmpty, isVersion(String(digits)), !digits.contains(".") else {
                throw .unknownPlatform(platform, reason: "\"\(fields[fields.count - 1])\" is not an interpreter such as cp39")
            }
            platformPart = Array(fields.dropLast())
            implementation = String(letters)
            versionText = String(digits)
            abi = nil
        } else {
            throw .unknownPlatform(platform, reason: "it has no interpreter part such as -cp39")
        }
        guard implementation == "cp" else {
            throw .unknownPlatform(platform, reason: "only CPython (cp) targets are supported, not \"\(implementation)\"")
        }

        // Python version: "39" → 3.9, "312" → 3.12, "3.9.16" → 3.9 with full version 3.9.16.
        let major: Int, minor: Int, fullVersion: String
        if versionText.contains(".") {
            let numbers = versionText.split(separator: ".").compactMap { Int($0) }
            guard numbers.count >= 2 else { throw .unknownPlatform(platform, reason: "\"\(versionText)\" is not a Python version") }
            (major, minor) = (numbers[0], numbers[1])
            fullVersion = versionText
        } else {
            guard versionText.count >= 2, let m = Int(versionText.prefix(1)), let n = Int(versionText.dropFirst()) else {
                throw .unknownPlatform(platform, reason: "\"\(versionText)\" is not a Python version such as 39 or 312")
            }
            (major, minor) = (m, n)
            fullVersion = "\(m).\(n).0"
        }
        let nodot = "\(major)\(minor)"
        var abiTag = abi ?? "cp\(nodot)"
        if !abiTag.hasPrefix("cp\(nodot)") { abiTag = "cp\(nodot)" + abiTag }

        let platformName = platformPart.joined(separator: "_").lowercased()
            .map { $0 == "-" || $0 == "." ? "_" : $0 }.reduce(into: "") { $0.append($1) }
        var platforms: [String], machine: String, system: String, sysPlatform: String
        var glibc: (major: Int, minor: Int)?
        if platformName.hasPrefix("linux_") {
            machine = String(platformName.dropFirst("linux_".count))
            var standard: (major: Int, minor: Int) = (2, 17)
            if let manylinux { standard = try manylinuxGlibc(manylinux, arch: machine) }
            glibc = standard
            platforms = TagGeneration.manylinuxPlatforms(glibcMinor: standard.minor, arch: machine)
            (system, sysPlatform) = ("Linux", "linux")
        } else if let tag = ManylinuxPlatform(platformName) {
            machine = tag.arch
            glibc = tag.glibc
            platforms = TagGeneration.manylinuxPlatforms(glibcMinor: tag.glibc.minor, arch: machine)
            (system, sysPlatform) = ("Linux", "linux")
        } else if platformName.hasPrefix("musllinux_") {
            let parts = platformName.dropFirst("musllinux_".count).split(separator: "_", maxSplits: 2)
            guard parts.count == 3, let muslMajor = Int(parts[0]), let muslMinor = Int(parts[1]) else {
                throw .unknownPlatform(platform, reason: "\"\(platformName)\" is not musllinux_X_Y_ARCH")
            }
            machine = String(parts[2])
            platforms = TagGeneration.musllinuxPlatforms(major: muslMajor, minor: muslMinor, arch: machine)
            (system, sysPlatform) = ("Linux", "linux")
        } else if platformName.hasPrefix("macosx_") {
            let parts = platformName.dropFirst("macosx_".count).split(separator: "_", maxSplits: 2)
            guard parts.count == 3, let macMajor = Int(parts[0]), let macMinor = Int(parts[1]),
                  parts[2] == "arm64" || parts[2] == "x86_64" else {
                throw .unknownPlatform(platform, reason: "\"\(platformName)\" is not macosx_X_Y_arm64 or macosx_X_Y_x86_64")
            }
            machine = String(parts[2])
            platforms = TagGeneration.macPlatforms(version: (macMajor, macMinor), arch: machine)
            (system, sysPlatform) = ("Darwin", "darwin")
        } else {
            throw .unknownPlatform(platform, reason: "\"\(platformName)\" is not a linux, manylinux, musllinux or macosx platform")
        }
        guard !platforms.isEmpty else {
            throw .unknownPlatform(platform, reason: "no manylinux tags exist for \(machine) at that glibc version "
                                   + "(the oldest is glibc 2.\(TagGeneration.manylinuxFloor(arch: machine)))")
        }
        if includeLinuxTag && sysPlatform == "linux" { platforms.insert("linux_\(machine)", at: 0) }
        let environment = MarkerEnvironment(
            implementationName: "cpython", implementationVersion: fullVersion, osName: "posix",
            platformMachine: machine, platformPythonImplementation: "CPython", platformRelease: "",
            platformSystem: system, platformVersion: "", pythonFullVersion: fullVersion,
            pythonVersion: "\(major).\(minor)", sysPlatform: sysPlatform)
        let tags = TagGeneration.cpython(version: (major, minor), abis: [abiTag], platforms: platforms)
        return TargetPlatform(name: platform, markerEnvironment: environment, tags: CompatibleTags(tags),
                              pythonVersion: (major, minor), glibc: glibc, machine: machine)
    }

    /// The glibc version a `--manylinux` value names: `manylinux1`, `manylinux2010`, `manylinux2014`,
    /// `manylinux_2_X` (an `_ARCH` suffix is allowed).
    static func manylinuxGlibc(_ text: String, arch: String) throws(PlatformError) -> (major: Int, minor: Int) {
        let lowered = text.lowercased()
        let withArch = lowered.hasSuffix("_" + arch) ? lowered : lowered + "_" + arch
        guard let tag = ManylinuxPlatform(withArch), tag.arch == arch, tag.glibc.major == 2 else {
            throw .invalidManylinux(text)
        }
        return tag.glibc
    }
}
