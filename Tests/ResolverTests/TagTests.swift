import Foundation
@testable import Resolver
import TestSupport
import Testing

/// One target spelling and what it means, stated as `packaging` inputs (interpreter version, ABI and
/// how the platform list is made); the oracle builds the expected tag list from those.
struct TargetCase: Encodable, CustomTestStringConvertible, Sendable {
    var platform: String
    var manylinux: String?
    var version: [Int]
    var abi: String
    var kind: String          // manylinux | musllinux | macos
    var arch: String
    var level: [Int]          // glibc (2, X), musl (1, X) or macOS (major, minor)
    var includeLinuxTag = false

    var testDescription: String { manylinux.map { "\(platform) --manylinux \($0)" } ?? platform }

    static let all: [TargetCase] = [
        .init(platform: "linux_x86_64-cp39", version: [3, 9], abi: "cp39", kind: "manylinux", arch: "x86_64", level: [2, 17]),
        .init(platform: "linux_aarch64-cp312", version: [3, 12], abi: "cp312", kind: "manylinux", arch: "aarch64", level: [2, 17]),
        .init(platform: "macosx_11_0_arm64-cp311", version: [3, 11], abi: "cp311", kind: "macos", arch: "arm64", level: [11, 0]),
        .init(platform: "musllinux_1_2_x86_64-cp312", version: [3, 12], abi: "cp312", kind: "musllinux", arch: "x86_64", level: [1, 2]),
        .init(platform: "linux_x86_64-cp-39-cp39", version: [3, 9], abi: "cp39", kind: "manylinux", arch: "x86_64", level: [2, 17]),
        .init(platform: "linux_x86_64-cp-3.9.16-cp39", version: [3, 9], abi: "cp39", kind: "manylinux", arch: "x86_64", level: [2, 17]),
        .init(platform: "linux-x86_64-cp-3.9.16-cp39", version: [3, 9], abi: "cp39", kind: "manylinux", arch: "x86_64", level: [2, 17]),
        .init(platform: "manylinux2014_aarch64-cp-312-cp312", version: [3, 12], abi: "cp312", kind: "manylinux", arch: "aarch64", level: [2, 17]),
        .init(platform: "linux_x86_64-cp-37-m", version: [3, 7], abi: "cp37m", kind: "manylinux", arch: "x86_64", level: [2, 17]),
        .init(platform: "linux_x86_64-cp38", manylinux: "manylinux_2_28", version: [3, 8], abi: "cp38", kind: "manylinux", arch: "x86_64", level: [2, 28]),
        .init(platform: "linux_x86_64-cp310", manylinux: "manylinux2010", version: [3, 10], abi: "cp310", kind: "manylinux", arch: "x86_64", level: [2, 12]),
        .init(platform: "linux_i686-cp38", manylinux: "manylinux1", version: [3, 8], abi: "cp38", kind: "manylinux", arch: "i686", level: [2, 5]),
        .init(platform: "manylinux_2_28_x86_64-cp313", version: [3, 13], abi: "cp313", kind: "manylinux", arch: "x86_64", level: [2, 28]),
        .init(platform: "manylinux_2_31_aarch64-cp311", version: [3, 11], abi: "cp311", kind: "manylinux", arch: "aarch64", level: [2, 31]),
        .init(platform: "macosx_10_9_x86_64-cp38", version: [3, 8], abi: "cp38", kind: "macos", arch: "x86_64", level: [10, 9]),
        .init(platform: "macosx_14_0_x86_64-cp312", version: [3, 12], abi: "cp312", kind: "macos", arch: "x86_64", level: [14, 0]),
        .init(platform: "musllinux_1_1_aarch64-cp310", version: [3, 10], abi: "cp310", kind: "musllinux", arch: "aarch64", level: [1, 1]),
        .init(platform: "linux_x86_64-cp-313-cp313t", version: [3, 13], abi: "cp313t", kind: "manylinux", arch: "x86_64", level: [2, 17]),
        .init(platform: "linux_ppc64le-cp311", version: [3, 11], abi: "cp311", kind: "manylinux", arch: "ppc64le", level: [2, 17]),
        .init(platform: "linux_s390x-cp312", manylinux: "manylinux_2_34", version: [3, 12], abi: "cp312", kind: "manylinux", arch: "s390x", level: [2, 34]),
        .init(platform: "linux_armv7l-cp39", manylinux: "manylinux_2_31_armv7l", version: [3, 9], abi: "cp39", kind: "manylinux", arch: "armv7l", level: [2, 31]),
        .init(platform: "manylinux_2_34_x86_64-cp314", version: [3, 14], abi: "cp314", kind: "manylinux", arch: "x86_64", level: [2, 34]),
        .init(platform: "MANYLINUX2014_X86_64-cp-3.11.4-cp311", version: [3, 11], abi: "cp311", kind: "manylinux", arch: "x86_64", level: [2, 17]),
        .init(platform: "linux_x86_64-cp311", version: [3, 11], abi: "cp311", kind: "manylinux", arch: "x86_64", level: [2, 17],
              includeLinuxTag: true),
        .init(platform: "musllinux_1_2_aarch64-cp313", version: [3, 13], abi: "cp313", kind: "musllinux", arch: "aarch64", level: [1, 2],
              includeLinuxTag: true),
    ]

    /// Builds, for each case, `cpython_tags(version, [abi], P) + compatible_tags(version, "cpXY", P)`
    /// with P from packaging's own manylinux/musllinux/macOS platform generators, patched to the
    /// target's glibc, musl and architecture instead of the host's.
    static let oracleScript = """
        from packaging import tags, _manylinux, _musllinux
        def platforms(t):
            level = t["level"]
            if t["kind"] == "manylinux":
                _manylinux._have_compatible_abi = lambda executable, archs: True
                _manylinux._get_glibc_version = lambda: _manylinux._GLibCVersion(level[0], level[1])
                _manylinux._get_manylinux_module = lambda: None
                return list(_manylinux.platform_tags([t["arch"]]))
            if t["kind"] == "musllinux":
                _musllinux._get_musl_version = lambda executable: _musllinux._MuslVersion(level[0], level[1])
                return list(_musllinux.platform_tags([t["arch"]]))
            return list(tags.mac_platforms(tuple(level), t["arch"]))
        def tag_list(t):
            version, p = tuple(t["version"]), platforms(t)
            if t["includeLinuxTag"]: p = ["linux_" + t["arch"]] + p  # packaging 26.3's _linux_platforms order
            return [str(x) for x in tags.cpython_tags(version, [t["abi"]], p)] + \\
                   [str(x) for x in tags.compatible_tags(version, "cp%d%d" % version, p)]

        """
}

@Suite struct TagTests {
    /// The complete ordered tag list of every target spelling equals the list packaging 26.3 builds.
    @Test func targetTagListsMatchPackaging() throws {
        let cases = TargetCase.all
        let expected = try PackagingOracle.run(TargetCase.oracleScript + "print(json.dumps([tag_list(t) for t in data]))",
                                               input: cases, as: [[String]].self)
        #expect(cases.count >= 20)
        for (target, tags) in zip(cases, expected) {
            let ours = try TargetPlatform.parse(platform: target.platform, manylinux: target.manylinux,
                                                includeLinuxTag: target.includeLinuxTag)
            let mine = ours.tags.tags.map(\.description)
            let difference = zip(mine, tags).enumerated().first { $1.0 != $1.1 }.map { "\($0.offset): \($0.element)" } ?? "the end"
            #expect(mine == tags, "\(target.testDescription): \(mine.count) tags vs packaging's \(tags.count); first difference at \(difference)")
            #expect(mine.contains { $0.hasSuffix("-linux_\(target.arch)") } == target.includeLinuxTag,
                    "plain linux_* tags for \(target.platform) only when asked")
            #expect(ours.pythonVersion == (target.version[0], target.version[1]))
        }
    }

    /// A wheel's rank is its best tag's index in packaging's list; incompatible wheels agree too.
    @Test func wheelRanksMatchPackaging() throws {
        let wheelhouse = (try? FileManager.default.contentsOfDirectory(atPath: TestEnvironment.wheelhouse)) ?? []
        let wheels = wheelhouse.filter { $0.hasSuffix(".whl") } + WheelFilenameTests.generated(count: 400, seed: 425)
            .filter { (try? WheelFilename($0)) != nil } + [
            "numpy-1.26.4-cp39-cp39-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "a-1.0-cp39-cp39-manylinux_2_5_x86_64.manylinux1_x86_64.whl",
            "a-1.0-cp39-none-manylinux2014_x86_64.whl", "a-1.0-cp37-abi3-manylinux_2_24_x86_64.whl", "a-1.0-py3-none-any.whl",
            "a-1.0-cp39-cp39-manylinux_2_28_x86_64.whl", "a-1.0-cp313-abi3-manylinux_2_17_aarch64.whl", "a-1.0-cp37-abi3-manylinux_2_17_aarch64.whl",
            "a-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl", "a-1.0-py2.py3-none-manylinux1_x86_64.manylinux2014_x86_64.whl",
        ]
        let targets = [TargetCase.all[0], TargetCase.all[1], TargetCase.all[12], TargetCase.all[17], TargetCase.all[2]]
        struct Input: Encodable { var targets: [TargetCase]; var wheels: [String] }
        let ranks = try PackagingOracle.run(TargetCase.oracleScript + """
            from packaging.utils import parse_wheel_filename
            out = []
            for t in data["targets"]:
                index = {}
                for i, tag in enumerate(tag_list(t)): index.setdefault(tag, i)
                out.append([min((index[str(x)] for x in parse_wheel_filename(w)[3] if str(x) in index), default=-1) for w in data["wheels"]])
            print(json.dumps(out))
            """, input: Input(targets: targets, wheels: wheels), as: [[Int]].self)
        var compared = 0
        for (target, expected) in zip(targets, ranks) {
            let platform = try TargetPlatform.parse(platform: target.platform, manylinux: target.manylinux)
            for (wheel, rank) in zip(wheels, expected) {
                let ours = platform.tags.compatibility(of: try WheelFilename(wheel))
                if rank >= 0 { #expect(ours == .compatible(rank: rank), "\(wheel) on \(target.platform)") }
                else { #expect(!ours.isCompatible, "\(wheel) on \(target.platform): \(ours)") }
                compared += 1
            }
        }
        #expect(compared > 1000)
    }

    @Test(arguments: [
        ("a-1.0-cp310-cp310-manylinux_2_17_x86_64.whl", IncompatibleTag.python),
        ("a-1.0-cp39-cp39m-manylinux_2_17_x86_64.whl", .abi),
        ("a-1.0-cp39-cp39-manylinux_2_17_aarch64.whl", .platform),
        ("a-1.0-cp39-cp39-manylinux_2_28_x86_64.whl", .platform),
        ("a-1.0-cp310.cp39-cp310.cp39-musllinux_1_1_x86_64.win_amd64.whl", .platform),
        ("a-1.0-cp310.cp39-cp39-manylinux_2_28_x86_64.whl", .platform),
    ] as [(String, IncompatibleTag)])
    func incompatibleWheelsNameTheMostSpecificReason(wheel: String, reason: IncompatibleTag) throws {
        let target = try TargetPlatform.parse(platform: "linux_x86_64-cp39")
        #expect(target.tags.compatibility(of: try WheelFilename(wheel)) == .incompatible(reason))
    }

    @Test func compatibilityOrdersBestFirstUnderMax() {
        let values: [TagCompatibility] = [.incompatible(.python), .compatible(rank: 30), .incompatible(.platform), .compatible(rank: 3)]
        #expect(values.max() == .compatible(rank: 3))
        #expect([TagCompatibility.incompatible(.abi), .incompatible(.platform), .incompatible(.python)].max() == .incompatible(.platform))
    }
}
