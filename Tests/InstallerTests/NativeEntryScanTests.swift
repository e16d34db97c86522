@testable import Installer
@testable import ZipArchive
import TestSupport
import Testing

/// The build's native check reads a large library's far ELF structures in streaming passes; whatever
/// the prefix it starts from, it must find exactly what parsing the whole file finds.
@Suite struct NativeEntryScanTests {
    @Test(arguments: [256, 4096, 65536])
    func sparseReadsFindWhatWholeFilesFind(prefixBytes: Int) throws {
        let check = NativeCheck(target: NativeTarget(machine: .x86_64, glibc: GlibcVersion(2, 17), name: "glibc 2.17"))
        var compared = 0
        for wheel in try wheels(["numpy", "pydantic_core"], in: TestEnvironment.wheelhouse) {
            for entry in try WheelInstallPlan(wheelPath: wheel).entries(under: "")
            where WheelInstallPlan.isNativeLibrary(entry.path) {
                let whole = check.violations(path: entry.path, bytes: try entry.content.bytes())
                let sparse = try check.violations(of: entry, prefixBytes: prefixBytes)
                #expect(sparse.map(\.description) == whole.map(\.description), "\(entry.path)")
                compared += 1
            }
        }
        // numpy's extensions need glibc 2.27: the comparison covers violations, not only clean files.
        #expect(compared > 5)
    }
}
