import Foundation
@testable import Installer
import TestSupport
import Testing
import ZipArchive

/// ``ELFDebugStrip`` checked with binutils' `readelf` (no complaint about the result, the dynamic symbols
/// unchanged) and the loader (`ctypes.CDLL`, then a call).
@Suite struct ELFDebugStripTests {
    static let toolsAvailable = (try? run("gcc", ["--version"]).status) == 0 && (try? run("readelf", ["--version"]).status) == 0

    static func readelf(_ arguments: [String], _ path: String) throws -> ProcessResult {
        try run("readelf", arguments + ["--wide", path])
    }

    /// What readelf says about a stripped object: nothing on stderr for `-a`, and the same dynamic
    /// symbols and program headers as the original.
    static func expectSameForTheLoader(original: String, stripped: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let all = try readelf(["-a"], stripped)
        #expect(all.status == 0 && all.stderr.isEmpty, "readelf -a \(stripped): \(all.stderr)", sourceLocation: sourceLocation)
        for view in [["--dyn-syms"], ["-l"], ["-d"], ["-V"]] {
            let before = try readelf(view, original).stdout, after = try readelf(view, stripped).stdout
            #expect(before.replacingOccurrences(of: original, with: "") == after.replacingOccurrences(of: stripped, with: ""),
                    "readelf \(view) differs for \(stripped)", sourceLocation: sourceLocation)
        }
    }

    @Test(.enabled(if: toolsAvailable, "gcc and readelf (binutils) are needed"))
    func debugBuildLosesDebugSectionsAndStillLoads() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("t.c", "int twice(int x) { return 2 * x; }\nstatic int helper(int y) { return y + 1; }\nint call(int z) { return helper(z); }\n")
        let compiled = try run("gcc", ["-g", "-O0", "-shared", "-fPIC", "-o", directory.child("t.so"), directory.child("t.c")])
        try #require(compiled.status == 0, "\(compiled.summary)")
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory.child("t.so"))))
        guard case .stripped(let bytes) = ELFDebugStrip.strip(original) else {
            Issue.record("a gcc -g shared object was not stripped: \(ELFDebugStrip.strip(original))")
            return
        }
        #expect(bytes.count < original.count)
        try Data(bytes).write(to: URL(fileURLWithPath: directory.child("s.so")))
        let sections = try Self.readelf(["-S"], directory.child("s.so")).stdout
        #expect(!sections.contains(".debug_") && !sections.contains(".symtab") && !sections.contains(" .strtab"), "\(sections)")
        #expect(sections.contains(".dynsym") && sections.contains(".dynstr") && sections.contains(".shstrtab"))
        try Self.expectSameForTheLoader(original: directory.child("t.so"), stripped: directory.child("s.so"))
        let called = try python("import ctypes, sys; print(ctypes.CDLL(sys.argv[1]).twice(21))", arguments: [directory.child("s.so")])
        #expect(called == "42\n")
        // Stripping again finds nothing more to remove.
        #expect(ELFDebugStrip.strip(bytes) == .unchanged)
    }

    /// Every ELF object of the wheelhouse's numpy, pandas and pydantic-core: stripped ones keep what the
    /// loader reads; patchelf'd ones (auditwheel's repaired libraries) are left as they are, with the reason.
    /// pandas and pydantic-core ship already stripped objects; numpy's unrepaired ones keep a `.symtab`.
    @Test(.enabled(if: toolsAvailable, "readelf (binutils) is needed"),
          arguments: [("numpy-", true), ("pandas-", false), ("pydantic_core-", false)])
    func realWheelsObjects(_ prefix: String, someStripped: Bool) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let wheels = try FileManager.default.contentsOfDirectory(atPath: TestEnvironment.wheelhouse)
        let wheel = try #require(wheels.first { $0.hasPrefix(prefix) && $0.hasSuffix(".whl") }, "\(prefix) is not in the wheelhouse")
        let reader = try ZipReader(path: TestEnvironment.wheelhouse + "/" + wheel)
        var outcomes: [String: Int] = [:]
        for (index, entry) in reader.entries.enumerated() where WheelInstallPlan.isNativeLibrary(entry.name) {
            let original = try reader.contents(of: entry)
            switch ELFDebugStrip.strip(original) {
            case .stripped(let bytes):
                outcomes["stripped", default: 0] += 1
                #expect(bytes.count < original.count)
                let before = directory.child("\(index).orig.so"), after = directory.child("\(index).so")
                try Data(original).write(to: URL(fileURLWithPath: before))
                try Data(bytes).write(to: URL(fileURLWithPath: after))
                try Self.expectSameForTheLoader(original: before, stripped: after)
            case .unchanged:
                outcomes["unchanged", default: 0] += 1
            case .leftAsIs(let reason):
                outcomes["left", default: 0] += 1
                #expect(reason.contains("patchelf"), "\(entry.name): \(reason)")
            }
        }
        #expect(outcomes.values.reduce(0, +) > 0, "no shared object in \(wheel)")
        #expect((outcomes["stripped", default: 0] > 0) == someStripped, "\(outcomes)")
    }

    static func crossBinutils(_ triple: String) -> Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/\(triple)-as")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/\(triple)-ld") && toolsAvailable
    }

    /// A shared object for another machine, class or byte order, assembled with debug information
    /// (`as -g`) and linked by that machine's binutils.
    static func checkForeignObject(triple: String, function: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("f.s", ".text\n.globl twice\n.type twice, %function\ntwice:\n\(function)\n"
            + ".size twice, .-twice\nlocal_helper:\n\(function)\n")
        for (tool, arguments) in [("as", ["-g", "-o", directory.child("f.o"), directory.child("f.s")]),
                                  ("ld", ["-shared", "-o", directory.child("f.so"), directory.child("f.o")])] {
            let result = try run("/usr/bin/\(triple)-\(tool)", arguments)
            try #require(result.status == 0, "\(triple)-\(tool): \(result.summary)")
        }
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory.child("f.so"))))
        guard case .stripped(let bytes) = ELFDebugStrip.strip(original) else {
            Issue.record("\(triple): not stripped: \(ELFDebugStrip.strip(original))")
            return
        }
        try Data(bytes).write(to: URL(fileURLWithPath: directory.child("s.so")))
        let sections = try readelf(["-S"], directory.child("s.so")).stdout
        #expect(!sections.contains(".debug_") && !sections.contains(".symtab"), "\(triple): \(sections)")
        try expectSameForTheLoader(original: directory.child("f.so"), stripped: directory.child("s.so"))
    }

    @Test(.enabled(if: crossBinutils("aarch64-linux-gnu"), "binutils-aarch64-linux-gnu is needed"))
    func aarch64() throws { try Self.checkForeignObject(triple: "aarch64-linux-gnu", function: "add w0, w0, w0\nret") }

    /// Big-endian ELF64.
    @Test(.enabled(if: crossBinutils("s390x-linux-gnu"), "binutils-s390x-linux-gnu is needed"))
    func s390x() throws { try Self.checkForeignObject(triple: "s390x-linux-gnu", function: "ar %r2,%r2\nbr %r14") }

    /// ELF32.
    @Test(.enabled(if: crossBinutils("i686-linux-gnu"), "binutils-i686-linux-gnu is needed"))
    func i686() throws {
        try Self.checkForeignObject(triple: "i686-linux-gnu", function: "movl 4(%esp), %eax\naddl %eax, %eax\nret")
    }

    @Test func notELFIsLeftAsIs() {
        guard case .leftAsIs(let reason) = ELFDebugStrip.strip(Array("INPUT(-lfoo)\n".utf8)) else {
            Issue.record("a linker script was not left as it is")
            return
        }
        #expect(reason.contains("not an ELF object"))
    }
}
