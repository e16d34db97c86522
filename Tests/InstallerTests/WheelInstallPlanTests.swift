import Foundation
@testable import Installer
@testable import Resolver
import TestSupport
import Testing
@testable import ZipArchive

/// The install plan is checked against `pip install --target`, which is the layout it promises.
@Suite struct WheelInstallPlanTests {
    static let demo = TestWheel(
        name: "demo-pkg",
        files: [
            "demo_pkg/__init__.py": "X=1\n",
            "demo_pkg/cli.py": "def main():\n    return 0\n",
            "demo_pkg-1.0.data/purelib/demo_pure_extra.py": "PURE = 1\n",
            "demo_pkg-1.0.data/platlib/demo_plat_extra.py": "PLAT = 1\n",
            "demo_pkg-1.0.data/scripts/demo-script": "#!python\nprint('hi')\n",
            "demo_pkg-1.0.data/scripts/plain-script": "#!/bin/sh\necho plain\n",
            "demo_pkg-1.0.data/headers/demo.h": "int demo(void);\n",
            "demo_pkg-1.0.data/data/share/demo/data.txt": "data\n",
        ],
        executables: ["demo_pkg-1.0.data/scripts/demo-script"],
        entryPoints: "[console_scripts]\ndemo-cli = demo_pkg.cli:main\n\n[other]\nx = y:z\n")

    /// Files pip writes that are not in the wheel: installer bookkeeping and generated console-script
    /// wrappers (the pex layout generates its own; Lambda layouts do not need them).
    static func pipOnly(_ path: String, distInfo: String, scripts: [String: String]) -> Bool {
        [distInfo + "/INSTALLER", distInfo + "/REQUESTED", distInfo + "/direct_url.json"].contains(path)
            || scripts.keys.contains { path == "bin/" + $0 }
    }

    /// `pip install --target` into a fresh directory; returns path → (sha256 hex, mode).
    static func pipInstall(_ wheels: [String], in directory: TemporaryDirectory) throws -> [String: [String]] {
        let target = directory.child("pip-target")
        let listing = try python("""
            import hashlib, json, os, subprocess, sys
            target = sys.argv[1]
            subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-compile", "--no-index",
                            "--target", target] + sys.argv[2:], check=True)
            out = {}
            for root, dirs, files in os.walk(target):
                for f in files:
                    p = os.path.join(root, f)
                    out[os.path.relpath(p, target)] = [hashlib.sha256(open(p, "rb").read()).hexdigest(),
                                                       oct(os.stat(p).st_mode & 0o777)]
            print(json.dumps(out))
            """, arguments: [target] + wheels)
        return try JSONDecoder().decode([String: [String]].self, from: Data(listing.utf8))
    }

    static func sha256(_ bytes: [UInt8]) throws -> String {
        try python("import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())", stdin: bytes)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func mapsEveryDataSchemeWherePipInstallsIt() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let wheelPath = try Self.demo.write(into: directory.path)
        let pythonVersion = try python("import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let plan = try WheelInstallPlan(wheelPath: wheelPath, pythonVersion: pythonVersion)
        let pip = try Self.pipInstall([wheelPath], in: directory)

        #expect(plan.consoleScripts == ["demo-cli": "demo_pkg.cli:main"])
        #expect(plan.hasNativeCode == false)
        #expect(plan.distInfoDirectory == "demo_pkg-1.0.dist-info")
        let expected = pip.keys.filter { !Self.pipOnly($0, distInfo: plan.distInfoDirectory, scripts: plan.consoleScripts) }
        #expect(Set(plan.installedPaths) == Set(expected))
        #expect(plan.installedPaths.count == Set(plan.installedPaths).count)

        let reader = try ZipReader(path: wheelPath)
        for file in plan.files {
            let bytes = try reader.contents(of: file.source)
            if !bytes.starts(with: Array("#!python".utf8)) {  // pip rewrites '#!python' to the host interpreter
                #expect(try Self.sha256(bytes) == pip[file.path]?[0], "\(file.path)")
            }
            #expect((file.executable ? "0o755" : "0o644") == pip[file.path]?[1], "\(file.path)")
        }
    }

    @Test func rewritesRecordForMovedEntriesAndEveryRowMatchesItsFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let wheelPath = try Self.demo.write(into: directory.path)
        let plan = try WheelInstallPlan(wheelPath: wheelPath, pythonVersion: "3.11")
        let record = try #require(plan.record.rewritten)
        let reader = try ZipReader(path: wheelPath)
        var contents: [String: [UInt8]] = [:]
        for file in plan.files { contents[file.path] = try reader.contents(of: file.source) }
        let files = Dictionary(uniqueKeysWithValues: contents.map { ($0.key, $0.value.map(String.init).joined(separator: " ")) })
        let payload = try JSONSerialization.data(withJSONObject: [
            "record": String(decoding: record, as: UTF8.self), "files": files])
        // Python's csv module and hashlib check that each RECORD row names an installed file with its hash.
        let verdict = try python("""
            import base64, csv, hashlib, io, json, sys
            spec = json.load(sys.stdin)
            files = {k: bytes(int(b) for b in v.split()) for k, v in spec["files"].items()}
            rows = list(csv.reader(io.StringIO(spec["record"])))
            seen = set()
            for path, digest, size in rows:
                if path.endswith("/RECORD"):
                    assert digest == "" and size == "", path
                    continue
                data = files[path]
                want = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                assert digest == want and int(size) == len(data), path
                seen.add(path)
            assert seen == set(files), sorted(set(files) ^ seen)
            print("ok", len(rows))
            """, stdin: Array(payload))
        #expect(verdict.hasPrefix("ok"))
        #expect(String(decoding: record, as: UTF8.self).contains("bin/demo-script,"))
    }

    @Test func unchangedWheelsAreRawCopiedEntirely() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let wheel = TestWheel(name: "plain", files: ["plain/__init__.py": "", "plain/core.so": "not really elf"])
        let plan = try WheelInstallPlan(wheelPath: try wheel.write(into: directory.path))
        #expect(plan.record.rewritten == nil)
        #expect(plan.hasNativeCode)
        let entries = plan.entries(under: "python/")
        #expect(entries.map(\.path).sorted() == plan.installedPaths.map { "python/" + $0 }.sorted())
        for entry in entries {
            guard case .rawCopy = entry.content else { Issue.record("\(entry.path) is not raw-copied"); continue }
        }
    }

    @Test(arguments: [
        ("unknown scheme", TestWheel(name: "bad", files: ["bad-1.0.data/lib/x.py": ""]), "unknown install scheme 'lib'"),
        ("clash", TestWheel(name: "bad", files: ["x.py": "1", "bad-1.0.data/purelib/x.py": "2"]), "installs both"),
    ])
    func rejectsWheelsPipWouldReject(label: String, wheel: TestWheel, message: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try wheel.write(into: directory.path)
        #expect(throws: (any Error).self, "\(label)") { try WheelInstallPlan(wheelPath: path) }
        do { _ = try WheelInstallPlan(wheelPath: path) } catch {
            #expect("\(error)".contains(message), "\(error)")
            #expect("\(error)".contains(wheel.filename))
        }
    }

    /// Damage one generated file of a good wheel (rewrite the zip with Python) and expect a named error.
    @Test(arguments: [
        ("RECORD", "omit", "which its RECORD does not list"),
        ("WHEEL", "Wheel-Version: 2.0\nRoot-Is-Purelib: true\n", "Wheel-Version '2.0'"),
        ("RECORD", "size", "with size"),
    ])
    func rejectsDamagedMetadata(file: String, damage: String, message: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let wheel = TestWheel(name: "dmg", files: ["dmg/__init__.py": "X = 1\n"])
        let path = try wheel.write(into: directory.path)
        _ = try python("""
            import sys, zipfile
            path, target, damage = sys.argv[1:]
            entries = {}
            with zipfile.ZipFile(path) as z:
                for info in z.infolist():
                    entries[info.filename] = (info, z.read(info))
            name = next(n for n in entries if n.endswith("/" + target))
            info, data = entries[name]
            if damage == "omit":
                data = b"".join(l + b"\\n" for l in data.splitlines() if not l.startswith(b"dmg/__init__"))
            elif damage == "size":
                data = data.replace(b",6\\n", b",7\\n")
            else:
                data = damage.encode()
            entries[name] = (info, data)
            with zipfile.ZipFile(path, "w") as z:
                for info, data in entries.values():
                    z.writestr(info, data)
            """, arguments: [path, file, damage])
        do {
            _ = try WheelInstallPlan(wheelPath: path)
            Issue.record("a damaged \(file) was accepted")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
            #expect("\(error)".contains(wheel.filename), "\(error)")
        }
    }

    /// Every real wheel of the test wheelhouse installs to exactly the files pip installs.
    @Test func realWheelsMatchPip() throws {
        let wheelhouse = TestEnvironment.wheelhouse
        let wheels = try FileManager.default.contentsOfDirectory(atPath: wheelhouse)
            .filter { $0.hasSuffix(".whl") }.sorted().map { wheelhouse + "/" + $0 }
        try #require(wheels.count >= 5, "run scripts/setup-test-env.sh to fill \(wheelhouse)")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pip = try Self.pipInstall(wheels, in: directory)
        var ours: Set<String> = []
        var pipOnly: (String) -> Bool = { _ in false }
        for wheel in wheels {
            let plan = try WheelInstallPlan(wheelPath: wheel, pythonVersion: "3.11")
            ours.formUnion(plan.installedPaths)
            let previous = pipOnly
            pipOnly = { previous($0) || Self.pipOnly($0, distInfo: plan.distInfoDirectory, scripts: plan.consoleScripts) }
        }
        let expected = Set(pip.keys.filter { !pipOnly($0) })
        #expect(ours == expected, "only ours: \(ours.subtracting(expected).sorted().prefix(5)), only pip: \(expected.subtracting(ours).sorted().prefix(5))")
    }
}
