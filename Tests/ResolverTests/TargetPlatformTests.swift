import Foundation
import Platforms
@testable import Resolver
import TestSupport
import Testing

@Suite struct TargetPlatformTests {
    static let runtimes = (8...14).map { "python3.\($0)" }

    /// The embedded Lambda files: each parses; its tags start with the runtime's best manylinux tag
    /// (glibc 2.26 for 3.8–3.11, 2.34 for 3.12+) and hold no linux_*/musllinux_* tags; its marker
    /// environment matches the file name; and the list equals packaging 26.3's for that runtime.
    @Test func lambdaPlatformFilesAreConsistent() throws {
        var cases: [TargetCase] = []
        var targets: [TargetPlatform] = []
        for runtime in Self.runtimes {
            for architecture in ["x86_64", "arm64"] {
                let minor = Int(runtime.dropFirst("python3.".count))!
                let machine = architecture == "arm64" ? "aarch64" : "x86_64"
                let glibc = minor >= 12 ? 34 : 26
                let target = try TargetPlatform.lambda(runtime: runtime, architecture: architecture)
                let tags = target.tags.tags.map(\.description)
                #expect(tags.first == "cp3\(minor)-cp3\(minor)-manylinux_2_\(glibc)_\(machine)", "\(runtime) \(architecture)")
                #expect(!tags.contains { $0.contains("-linux_") || $0.contains("musllinux_") })
                #expect(target.markerEnvironment.pythonVersion == "3.\(minor)")
                #expect(target.markerEnvironment.platformMachine == machine)
                #expect(target.markerEnvironment.pythonFullVersion.hasPrefix("3.\(minor)."))
                #expect(target.pythonVersion == (3, minor) && target.machine == machine)
                #expect(target.glibc.map { $0 == (2, glibc) } == true)
                cases.append(TargetCase(platform: runtime, version: [3, minor], abi: "cp3\(minor)", kind: "manylinux",
                                        arch: machine, level: [2, glibc]))
                targets.append(target)
            }
        }
        #expect(LambdaPlatforms.json.count == 14)
        let expected = try PackagingOracle.run(TargetCase.oracleScript + "print(json.dumps([tag_list(t) for t in data]))",
                                               input: cases, as: [[String]].self)
        for (target, tags) in zip(targets, expected) {
            #expect(target.tags.tags.map(\.description) == tags, "\(target.name)")
        }
    }

    @Test func lambdaDefaultsToX86AndAcceptsAarch64() throws {
        #expect(try TargetPlatform.lambda(runtime: "python3.12").machine == "x86_64")
        #expect(try TargetPlatform.lambda(runtime: "python3.12", architecture: "aarch64").machine == "aarch64")
        let error = #expect(throws: PlatformError.self) { try TargetPlatform.lambda(runtime: "python3.7") }
        #expect(error?.description.contains("\"python3.7\"") == true && error?.description.contains("python3.14-arm64") == true)
    }

    @Test func abbreviatedPlatformsSynthesiseMarkerEnvironment() throws {
        let dotted = try TargetPlatform.parse(platform: "linux_x86_64-cp-3.9.16-cp39")
        #expect(dotted.markerEnvironment.pythonFullVersion == "3.9.16" && dotted.markerEnvironment.pythonVersion == "3.9")
        #expect(dotted.markerEnvironment.sysPlatform == "linux" && dotted.markerEnvironment.platformMachine == "x86_64")
        #expect(dotted.glibc.map { $0 == (2, 17) } == true)
        let short = try TargetPlatform.parse(platform: "linux_aarch64-cp312")
        #expect(short.markerEnvironment.pythonFullVersion == "3.12.0" && short.machine == "aarch64")
        let mac = try TargetPlatform.parse(platform: "macosx_11_0_arm64-cp311")
        #expect(mac.markerEnvironment.sysPlatform == "darwin" && mac.markerEnvironment.platformSystem == "Darwin" && mac.glibc == nil)
        #expect(try Requirement(#"pkg; python_version < "3.10" and sys_platform == "linux""#).applies(to: dotted.markerEnvironment))
        #expect(!(try Requirement(#"pkg; python_version < "3.10""#).applies(to: short.markerEnvironment)))
    }

    @Test(arguments: ["linux_x86_64", "linux_x86_64-py39", "win_amd64-cp39", "linux_x86_64-pp-39-pypy39_pp73",
                      "linux_aarch64-cp39-extra", "macosx_11_0_ppc-cp39", "musllinux_x_y_x86_64-cp312", "-cp39"])
    func unknownSpellingsShowAcceptedExamples(platform: String) {
        let error = #expect(throws: PlatformError.self) { try TargetPlatform.parse(platform: platform) }
        #expect(error?.description.contains("\"\(platform)\"") == true)
        #expect(error?.description.contains("linux_x86_64-cp39") == true)
    }

    @Test func manylinuxOptionIsValidated() throws {
        let error = #expect(throws: PlatformError.self) { try TargetPlatform.parse(platform: "linux_x86_64-cp39", manylinux: "manylinux3000") }
        #expect(error?.description.contains("manylinux_2_28") == true)
        #expect(throws: PlatformError.self) { try TargetPlatform.parse(platform: "linux_aarch64-cp39", manylinux: "manylinux1") }
    }

    /// A pex complete platform (file or inline) gives exactly its tags and marker environment.
    @Test func completePlatformFromFileAndInline() throws {
        let json = #"{"marker_environment": {"python_version": "3.11", "platform_machine": "x86_64", "sys_platform": "linux"}, "compatible_tags": ["cp311-cp311-manylinux_2_36_x86_64", "cp311-abi3-manylinux2014_x86_64", "py3-none-any"], "path": "/usr/bin/python3"}"#
        let directory = try TemporaryDirectory("complete-platform")
        defer { directory.remove() }
        let path = try directory.write("platform.json", json)
        for target in [try TargetPlatform.completePlatform(json), try TargetPlatform.completePlatform(path)] {
            #expect(target.tags.tags.map(\.description) == ["cp311-cp311-manylinux_2_36_x86_64", "cp311-abi3-manylinux2014_x86_64", "py3-none-any"])
            #expect(target.pythonVersion == (3, 11) && target.glibc.map { $0 == (2, 36) } == true)
            #expect(target.markerEnvironment.osName == "" && target.markerEnvironment.sysPlatform == "linux")
        }
        let bad = #expect(throws: PlatformError.self) {
            try TargetPlatform.completePlatform(#"{"marker_environment": {"python_versio": "3.11"}, "compatible_tags": ["py3-none-any"]}"#)
        }
        #expect(bad?.description.contains("\"python_versio\"") == true)
        #expect(throws: PlatformError.self) { try TargetPlatform.completePlatform(directory.child("missing.json")) }
    }

    @Test func requiresPythonUsesTheTargetVersion() throws {
        let lambda = try TargetPlatform.lambda(runtime: "python3.12")
        #expect(lambda.satisfies(requiresPython: try VersionSpecifiers(">=3.12.1,<4")))
        #expect(!lambda.satisfies(requiresPython: try VersionSpecifiers(">=3.13")))
        let short = try TargetPlatform.parse(platform: "linux_x86_64-cp312")
        #expect(!short.satisfies(requiresPython: try VersionSpecifiers(">=3.12.1")))
    }
}
