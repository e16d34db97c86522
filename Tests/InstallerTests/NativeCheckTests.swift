import Foundation
@testable import Installer
@testable import Resolver
import TestSupport
import Testing

/// One ELF object taken out of a real wheel, with what independent tools say about it: the machine,
/// class and byte order from `packaging._elffile`, the version needs from binutils' `readelf -V`.
struct OracleELF: Decodable {
    var path: String
    var file: String
    /// A copy whose section header table was zeroed and whose header no longer points at it (like
    /// `sstrip`, but keeping the file's length: patchelf'd objects keep segments after the table);
    /// `readelf` finds no versions in it, the dynamic segment still has them.
    var stripped: String
    var machine: UInt16
    var capacity: Int
    var encoding: Int
    var needs: [Need]

    struct Need: Decodable, Equatable {
        var library: String
        var versions: [String]
    }

    var bytes: [UInt8] { get throws { [UInt8](try Data(contentsOf: URL(fileURLWithPath: file))) } }

    /// Every ELF object in `wheels`, with the oracles' view of it, extracted under `directory`.
    static func extract(_ wheels: [String], into directory: TemporaryDirectory) throws -> [OracleELF] {
        let output = try python("""
            import json, os, struct, subprocess, sys, zipfile
            from packaging._elffile import ELFFile

            def version_needs(path):
                text = subprocess.run(["readelf", "-V", "--wide", path], capture_output=True, text=True,
                                      check=True).stdout
                needs, inside = [], False
                for line in text.splitlines():
                    if line and not line.startswith(" "):
                        inside = line.startswith("Version needs section")
                    elif inside and "File:" in line:
                        needs.append({"library": line.split("File:")[1].split()[0], "versions": []})
                    elif inside and "Name:" in line:
                        needs[-1]["versions"].append(line.split("Name:")[1].split()[0])
                return needs

            out, found = sys.argv[1], []
            for wheel in sys.argv[2:]:
                with zipfile.ZipFile(wheel) as archive:
                    for info in archive.infolist():
                        data = archive.read(info)
                        if data[:4] != b"\\x7fELF":
                            continue
                        target = os.path.join(out, "%d.so" % len(found))
                        with open(target, "wb") as f:
                            f.write(data)
                        with open(target, "rb") as f:
                            elf = ELFFile(f)
                        order = "<" if elf.encoding == 1 else ">"
                        wide = elf.capacity == 2
                        shoff = struct.unpack_from(order + ("Q" if wide else "I"), data, 40 if wide else 32)[0]
                        shentsize, shnum = struct.unpack_from(order + "HH", data, 58 if wide else 46)
                        stripped = bytearray(data)
                        stripped[shoff:shoff + shentsize * shnum] = bytes(shentsize * shnum)
                        struct.pack_into(order + ("Q" if wide else "I"), stripped, 40 if wide else 32, 0)
                        struct.pack_into(order + "HHH", stripped, 58 if wide else 46, 0, 0, 0)
                        with open(target + ".stripped", "wb") as f:
                            f.write(stripped)
                        assert version_needs(target + ".stripped") == []
                        found.append({"path": wheel.rsplit("/", 1)[-1] + ":" + info.filename, "file": target,
                                      "stripped": target + ".stripped", "machine": elf.machine,
                                      "capacity": elf.capacity, "encoding": elf.encoding,
                                      "needs": version_needs(target)})
            print(json.dumps(found))
            """, arguments: [directory.path] + wheels)
        return try JSONDecoder().decode([OracleELF].self, from: Data(output.utf8))
    }

    /// The newest GLIBC_x.y among the needs, compared by `packaging.version` (an oracle for the order).
    static func newestGlibc(_ objects: [OracleELF]) throws -> [String?] {
        let names = objects.map { $0.needs.flatMap(\.versions).filter { $0.hasPrefix("GLIBC_2") } }
        let output = try python("""
            import json, sys
            from packaging.version import Version
            names = json.loads(sys.stdin.read())
            print(json.dumps([max(n, key=lambda v: Version(v[6:])) if n else None for n in names]))
            """, stdin: Array(try JSONEncoder().encode(names)))
        return try JSONDecoder().decode([String?].self, from: Data(output.utf8))
    }
}

func wheels(_ prefixes: [String], in directory: String) throws -> [String] {
    let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    let found = names.filter { name in name.hasSuffix(".whl") && prefixes.contains { name.hasPrefix($0 + "-") } }
    try #require(found.count >= prefixes.count, "wheels \(prefixes) missing from \(directory); run scripts/setup-test-env.sh")
    return found.map { directory + "/" + $0 }
}

var foreignWheelhouse: String {
    (TestEnvironment.wheelhouse as NSString).deletingLastPathComponent + "/wheelhouse-foreign"
}

@Suite struct ELFFileTests {
    /// Real objects of both classes and byte orders: numpy, pandas, pydantic_core and charset_normalizer
    /// for x86_64, charset_normalizer for aarch64, s390x (64-bit big-endian) and armv7l (32-bit).
    static func realObjects(in directory: TemporaryDirectory) throws -> [OracleELF] {
        try OracleELF.extract(
            try wheels(["numpy", "pandas", "pydantic_core", "charset_normalizer"], in: TestEnvironment.wheelhouse)
                + wheels(["charset_normalizer"], in: foreignWheelhouse),
            into: directory)
    }

    @Test func agreesWithReadelfAndPackagingOnRealWheels() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let objects = try Self.realObjects(in: directory)
        #expect(Set(objects.map { "\($0.capacity)/\($0.encoding)" }) == ["1/1", "2/1", "2/2"])
        #expect(Set(objects.map(\.machine)).isSuperset(of: [62, 183, 22, 40]))
        let newest = try OracleELF.newestGlibc(objects)
        for (object, newest) in zip(objects, newest) {
            let bytes = try object.bytes
            let info = try ELFInfo(parsing: bytes)
            #expect(info.machine.rawValue == object.machine, "\(object.path)")
            #expect(info.is64Bit == (object.capacity == 2), "\(object.path)")
            #expect(info.isLittleEndian == (object.encoding == 1), "\(object.path)")
            #expect(info.versionNeeds.map { OracleELF.Need(library: $0.library, versions: $0.versions) }
                    == object.needs, "\(object.path)")
            #expect(info.requiredGlibc?.symbolVersion == newest, "\(object.path)")

            let stripped = try ELFInfo(parsing: [UInt8](try Data(contentsOf: URL(fileURLWithPath: object.stripped))))
            #expect(stripped.versionNeeds == info.versionNeeds, "\(object.path) without section headers")
        }
    }

    @Test func positionalReadsGiveTheSameAnswer() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let object = try #require(try OracleELF.extract(
            try wheels(["numpy"], in: TestEnvironment.wheelhouse), into: directory)
            .first { $0.path.contains("_multiarray_umath") })
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: object.file))
        defer { try? handle.close() }
        let size = Int(try handle.seekToEnd())
        nonisolated(unsafe) var reads = 0
        let info = try ELFInfo(size: size) { offset, count in
            reads += 1
            try handle.seek(toOffset: UInt64(offset))
            return [UInt8](try handle.read(upToCount: count) ?? Data())
        }
        #expect(info == (try ELFInfo(parsing: try object.bytes)))
        #expect(reads > 0)
    }

    @Test func rejectsBytesThatAreNotAWholeELFObject() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let object = try #require(try OracleELF.extract(
            try wheels(["pydantic_core"], in: TestEnvironment.wheelhouse), into: directory).first)
        let bytes = try object.bytes
        #expect(throws: ELFError.notELF) { try ELFInfo(parsing: Array("#!/bin/sh\n".utf8)) }
        #expect(throws: ELFError.truncated("the ELF header")) { try ELFInfo(parsing: Array(bytes.prefix(40))) }
        // Cut inside the data that the dynamic segment points to.
        #expect(throws: (any Error).self) { try ELFInfo(parsing: Array(bytes.prefix(bytes.count / 2))) }
        var badClass = bytes
        badClass[4] = 7
        #expect(throws: ELFError.unsupported("ELF class 7")) { try ELFInfo(parsing: badClass) }
    }

    /// Damaged objects must be refused with an error, never crash the build: thousands of copies of a
    /// real object with bytes overwritten in the headers and in the dynamic segment (seeded, repeatable).
    @Test func damagedHeadersThrowInsteadOfTrapping() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let object = try #require(try OracleELF.extract(
            try wheels(["charset_normalizer"], in: TestEnvironment.wheelhouse), into: directory).first)
        let original = try object.bytes
        let dynamic = try #require(Self.dynamicSegmentRange(original))
        var generator = SeededGenerator(seed: 0x5EED)
        var failures = 0
        for round in 0..<3000 {
            var bytes = original
            for _ in 0..<(1 + round % 4) {
                let region = generator.next() % 2 == 0 ? 0..<min(bytes.count, 32768) : dynamic
                let index = region.lowerBound + Int(generator.next() % UInt64(region.count))
                bytes[index] = UInt8(truncatingIfNeeded: generator.next())
            }
            do { _ = try ELFInfo(parsing: bytes) } catch { failures += 1 }
        }
        #expect(failures > 0)
    }

    /// The file range of PT_DYNAMIC in a 64-bit little-endian object (read independently of ELFInfo).
    static func dynamicSegmentRange(_ bytes: [UInt8]) -> Range<Int>? {
        func integer(_ at: Int, _ width: Int) -> Int {
            (0..<width).reversed().reduce(0) { $0 << 8 | Int(bytes[at + $1]) }
        }
        let programHeaders = integer(32, 8), count = integer(56, 2), size = integer(54, 2)
        for index in 0..<count where integer(programHeaders + index * size, 4) == 2 {
            let base = programHeaders + index * size
            return integer(base + 8, 8)..<integer(base + 8, 8) + integer(base + 32, 8)
        }
        return nil
    }

    @Test(arguments: [
        ("GLIBC_2.34", GlibcVersion(2, 34)), ("GLIBC_2.2.5", GlibcVersion(2, 2, 5)), ("GLIBC_2.3", GlibcVersion(2, 3)),
        ("GLIBC_PRIVATE", nil), ("GLIBCXX_3.4.21", nil), ("GCC_3.0", nil), ("GLIBC_2", nil), ("GLIBC_2.+4", nil),
        ("GLIBC_2..4", nil), ("GLIBC_2.4.1.1", nil),
    ] as [(String, GlibcVersion?)])
    func glibcSymbolVersions(name: String, version: GlibcVersion?) {
        #expect(GlibcVersion(symbolVersion: name) == version)
        if let version { #expect(version.symbolVersion == name) }
    }

    @Test func glibcOrderIsNumeric() {
        #expect(GlibcVersion(2, 2, 5) < GlibcVersion(2, 3))
        #expect(GlibcVersion(2, 9) < GlibcVersion(2, 26))
        #expect(GlibcVersion(2, 26) < GlibcVersion(2, 34))
    }
}

@Suite struct NativeCheckTests {
    static let python311x86 = NativeTarget(machine: .x86_64, glibc: GlibcVersion(2, 26), name: "python3.11-x86_64")
    static let python312x86 = NativeTarget(machine: .x86_64, glibc: GlibcVersion(2, 34), name: "python3.12-x86_64")

    /// numpy 2.x ships a `manylinux_2_27` wheel: its core extension needs GLIBC_2.27, one more than
    /// Lambda python3.11 (Amazon Linux 2, glibc 2.26) has. The check must find exactly the objects that
    /// readelf says need more than 2.26, and nothing for python3.12 (glibc 2.34).
    @Test func findsTheObjectsOfRealWheelsThatNeedANewerGlibc() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let objects = try OracleELF.extract(
            try wheels(["numpy", "pandas", "pydantic_core"], in: TestEnvironment.wheelhouse), into: directory)
        let files = try objects.map { (path: $0.path, bytes: try $0.bytes) }
        let newest = try OracleELF.newestGlibc(objects)
        let expected = zip(objects, newest).compactMap { object, name -> NativeViolation? in
            guard let name, let version = GlibcVersion(symbolVersion: name), version > GlibcVersion(2, 26) else { return nil }
            return .glibcTooNew(path: object.path, required: version, target: Self.python311x86)
        }
        #expect(expected.contains { $0.path.contains("_multiarray_umath") })
        #expect(NativeCheck(target: Self.python311x86).violations(in: files) == expected)
        #expect(NativeCheck(target: Self.python312x86).violations(in: files) == [])
    }

    @Test func findsObjectsForAnotherMachine() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let objects = try OracleELF.extract(try wheels(["charset_normalizer"], in: foreignWheelhouse), into: directory)
        let files = try objects.map { (path: $0.path, bytes: try $0.bytes) }
        let arm64 = NativeTarget(machine: .aarch64, glibc: GlibcVersion(2, 34), name: "python3.12-arm64")
        let violations = NativeCheck(target: arm64).violations(in: files)
        let expected = objects.filter { $0.machine != 183 }.map(\.path)
        #expect(!expected.isEmpty)
        #expect(violations.map(\.path) == expected)
        for violation in violations {
            guard case .wrongMachine(_, let found, _) = violation else { Issue.record("\(violation)"); continue }
            #expect(found != .aarch64)
        }
        let message = try #require(violations.first { $0.path.contains("s390x") }).description
        #expect(message.contains("is built for s390x, but the target python3.12-arm64 runs aarch64"))
    }

    /// Tiny objects built here with gcc: one calling `pidfd_open`, which glibc exports only at GLIBC_2.36,
    /// and one calling `strlen`, the baseline GLIBC_2.2.5 on x86_64.
    @Test func gccBuiltObjects() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("new.c", "#define _GNU_SOURCE\n#include <sys/pidfd.h>\nint f(int pid) { return pidfd_open(pid, 0); }\n")
        try directory.write("old.c", "#include <string.h>\nsize_t g(const char *s) { return strlen(s); }\n")
        for name in ["new", "old"] {
            let result = try run("gcc", ["-shared", "-fPIC", "-O1", "-o", directory.child("lib\(name).so"),
                                         directory.child("\(name).c")])
            try #require(result.status == 0, "\(result.summary)")
        }
        let machine = try python("import platform; print(platform.machine())").trimmingCharacters(in: .whitespacesAndNewlines)
        let host = try #require(ELFMachine(platformMachine: machine))
        let target = NativeTarget(machine: host, glibc: GlibcVersion(2, 26), name: "python3.11-\(machine)")
        let newer = try Data(contentsOf: URL(fileURLWithPath: directory.child("libnew.so")))
        let older = try Data(contentsOf: URL(fileURLWithPath: directory.child("libold.so")))
        #expect(try ELFInfo(parsing: [UInt8](newer)).requiredGlibc == GlibcVersion(2, 36))
        let violations = NativeCheck(target: target).violations(in: [
            (path: "libnew.so", bytes: [UInt8](newer)), (path: "libold.so", bytes: [UInt8](older)),
            (path: "README.txt", bytes: Array("not native".utf8)),
        ])
        #expect(violations == [.glibcTooNew(path: "libnew.so", required: GlibcVersion(2, 36), target: target)])
        #expect(violations.first?.description == "'libnew.so' requires glibc 2.36 (symbol version GLIBC_2.36), but "
                + "the target python3.11-\(machine) has glibc 2.26; use a wheel tagged manylinux_2_26 or older, "
                + "or pass --no-native-check.")
    }

    @Test func aDamagedObjectIsReportedNotSkipped() {
        let check = NativeCheck(target: Self.python311x86)
        let header: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1] + Array(repeating: 0, count: 20)
        #expect(check.violations(path: "lib/broken.so", bytes: header)
                == [.unreadable(path: "lib/broken.so", error: .truncated("the ELF header"))])
    }

    @Test(arguments: [("x86_64", ELFMachine.x86_64), ("aarch64", .aarch64), ("arm64", .aarch64), ("s390x", .s390),
                      ("armv7l", .arm), ("i686", .i386)] as [(String, ELFMachine)])
    func platformMachines(name: String, machine: ELFMachine) {
        #expect(ELFMachine(platformMachine: name) == machine)
    }
}

@Suite struct NativeTargetTests {
    /// Every embedded Lambda platform: glibc 2.26 on Amazon Linux 2 (python3.8–3.11), 2.34 on Amazon Linux
    /// 2023 (3.12+), and the machine its file is named for (docs/formats/targets.md).
    @Test func lambdaPlatforms() throws {
        let directory = TestEnvironment.packageRoot + "/platforms/lambda"
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }
        #expect(files.count == 14)
        for file in files {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/" + file)))
            let tags = try #require((json as? [String: Any])?["compatible_tags"] as? [String])
            let name = String(file.dropLast(".json".count))
            let minor = try #require(Int(name.split(separator: "-")[0].split(separator: ".")[1]))
            let target = try #require(NativeTarget(platformTags: tags, name: name))
            #expect(target.glibc == (minor <= 11 ? GlibcVersion(2, 26) : GlibcVersion(2, 34)), "\(name)")
            #expect(target.machine == (name.hasSuffix("-arm64") ? .aarch64 : .x86_64), "\(name)")
        }
    }

    /// The legacy aliases as `packaging.tags` maps them, and the newest of several tags wins.
    @Test func legacyAliasesAndCompressedTags() throws {
        let output = try python("""
            from packaging.tags import _manylinux
            for (major, minor), alias in sorted(_manylinux._LEGACY_MANYLINUX_MAP.items()):
                print(alias, major, minor)
            """)
        let rows = output.split(separator: "\n").map { $0.split(separator: " ") }
        #expect(rows.count == 3)
        for row in rows {
            let target = NativeTarget(platformTags: ["cp39-cp39-\(row[0])_aarch64"], name: "t")
            #expect(target?.glibc == GlibcVersion(Int(row[1])!, Int(row[2])!), "\(row[0])")
            #expect(target?.machine == .aarch64)
        }
        let compressed = NativeTarget(
            platformTags: ["cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64",
                           "py3-none-any", "cp311-cp311-musllinux_1_2_x86_64"], name: "t")
        #expect(compressed?.glibc == GlibcVersion(2, 28))
        #expect(NativeTarget(platformTags: ["py3-none-any", "cp311-cp311-linux_x86_64"], name: "t") == nil)
    }
}
