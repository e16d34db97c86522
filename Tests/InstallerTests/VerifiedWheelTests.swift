import Foundation
@testable import Installer
import TestSupport
import Testing
@testable import ZipArchive

/// What verification records about real wheels, checked against tools we did not write.
@Suite struct VerifiedWheelTests {
    /// Every ELF object of the wheel, as binutils' `readelf` sees it: machine, class and the newest
    /// GLIBC / GLIBCXX / CXXABI version needed (from the version-needs section).
    static func readelfFacts(_ wheel: String) throws -> [String: [String: String]] {
        let json = try python("""
            import json, os, re, subprocess, sys, tempfile, zipfile
            def newest(names, prefix):
                found = [n[len(prefix):] for n in names
                         if n.startswith(prefix) and re.fullmatch(r"[0-9]+(\\.[0-9]+)*", n[len(prefix):])]
                return max(found, key=lambda v: [int(p) for p in v.split(".")], default="")
            out = {}
            with zipfile.ZipFile(sys.argv[1]) as z, tempfile.TemporaryDirectory() as tmp:
                for info in z.infolist():
                    data = z.read(info)
                    if not data.startswith(b"\\x7fELF"):
                        continue
                    path = os.path.join(tmp, "object")
                    open(path, "wb").write(data)
                    header = subprocess.run(["readelf", "-h", path], capture_output=True, text=True, check=True).stdout
                    needs = subprocess.run(["readelf", "-V", "--wide", path], capture_output=True, text=True).stdout
                    section = needs.split("Version needs section", 1)[1] if "Version needs section" in needs else ""
                    names = re.findall(r"Name: (\\S+)\\s+Flags", section)
                    out[info.filename] = {
                        "class": re.search(r"Class:\\s+(\\S+)", header).group(1),
                        "machine": re.search(r"Machine:\\s+(.+)", header).group(1).strip(),
                        "glibc": newest(names, "GLIBC_"), "glibcxx": newest(names, "GLIBCXX_"),
                        "cxxabi": newest(names, "CXXABI_"),
                    }
            print(json.dumps(out))
            """, arguments: [wheel])
        return try JSONDecoder().decode([String: [String: String]].self, from: Data(json.utf8))
    }

    static let readelfMachines: [String: ELFMachine] = ["Advanced Micro Devices X86-64": .x86_64, "AArch64": .aarch64]

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/readelf"), "needs binutils' readelf"),
          arguments: ["numpy", "pydantic_core", "charset_normalizer", "pandas"])
    func elfFactsMatchReadelf(project: String) throws {
        let wheel = try #require(try wheels([project], in: TestEnvironment.wheelhouse).first,
                                 "run scripts/setup-test-env.sh to fill the wheelhouse")
        let verified = try VerifiedWheel(verifying: wheel)
        let expected = try Self.readelfFacts(wheel)
        try #require(!expected.isEmpty)
        #expect(Set(verified.nativeFacts.keys) == Set(expected.keys))
        for (entry, oracle) in expected {
            guard case let .elf(facts) = verified.nativeFacts[entry] else {
                Issue.record("\(entry): \(String(describing: verified.nativeFacts[entry]))")
                continue
            }
            #expect(facts.is64Bit == (oracle["class"] == "ELF64"), "\(entry)")
            #expect(facts.machine == Self.readelfMachines[oracle["machine"] ?? ""], "\(entry)")
            #expect(facts.requiredGlibc?.description ?? "" == oracle["glibc"], "\(entry)")
            #expect(facts.requiredGLIBCXX ?? "" == oracle["glibcxx"], "\(entry)")
            #expect(facts.requiredCXXABI ?? "" == oracle["cxxabi"], "\(entry)")
        }
    }

    /// One verification pass: every file entry decoded once; an ELF object larger than the prefix may
    /// be decoded again only as far as its far tables.
    @Test func verificationDecodesEachEntryOnceForSmallWheels() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let wheel = try TestWheel(name: "small", files: ["small/__init__.py": "X = 1\n", "small/data.txt": "data\n"])
            .write(into: directory.path)
        let before = EntryDecodeCount.count(in: wheel)
        _ = try VerifiedWheel(verifying: wheel)
        let files = try ZipReader(path: wheel).entries.filter { !$0.isDirectory }.count
        // The three metadata files are read before the pass (WHEEL, METADATA, RECORD).
        #expect(EntryDecodeCount.count(in: wheel) - before == files + 3)
    }
}
