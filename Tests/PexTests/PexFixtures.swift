import Foundation
@testable import Pex
import Testing
import TestSupport

/// Builds PEXes from real and generated wheels with our own layout and writer, for the runtime tests.
enum PexFixtures {
    /// A wheel's entries as a PEX distribution, raw-copied. The wheels used here have no `.data/`
    /// directory, so the root of the wheel is the installation; the layout helper's WheelInstallPlan does
    /// the full mapping in the CLI.
    static func distribution(wheel path: String) throws -> PexDistribution {
        let reader = try ZipReader(path: path)
        var consoleScripts: [String: String] = [:]
        var entries: [ArchiveEntry] = []
        for entry in reader.entries where !entry.isDirectory {
            #expect(!entry.name.contains(".data/"), "fixture wheels must not need .data mapping: \(entry.name)")
            entries.append(ArchiveEntry(path: entry.name, content: .rawCopy(archive: path, entry: entry),
                                        executable: entry.isExecutable))
            if entry.name.hasSuffix(".dist-info/entry_points.txt") {
                var section = ""
                for line in String(decoding: try reader.contents(of: entry), as: UTF8.self).split(separator: "\n") {
                    let line = line.trimmingCharacters(in: .whitespaces)
                    if line.hasPrefix("[") { section = line; continue }
                    let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    if section == "[console_scripts]", parts.count == 2 { consoleScripts[parts[0]] = parts[1] }
                }
            }
        }
        let native = entries.contains { $0.path.hasSuffix(".so") || $0.path.contains(".so.") }
        let bytes = try #require(FileManager.default.contents(atPath: path))
        return PexDistribution(wheelFilename: (path as NSString).lastPathComponent, sha256: sha256Hex([UInt8](bytes)),
                               entries: entries, consoleScripts: consoleScripts, extract: native)
    }

    /// The wheelhouse wheel of `project` (file name prefix, e.g. `charset_normalizer`).
    static func wheelhouse(_ project: String) throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: TestEnvironment.wheelhouse)
        let name = try #require(names.first { $0.hasPrefix(project + "-") && $0.hasSuffix(".whl") },
                                "no \(project) wheel in \(TestEnvironment.wheelhouse); run scripts/setup-test-env.sh")
        return TestEnvironment.wheelhouse + "/" + name
    }

    /// Writes a pure-Python wheel with Python's zipfile: `files` plus minimal `.dist-info`, with fixed
    /// timestamps so the same files make the same wheel.
    static func generatedWheel(in directory: String, name: String, files: [String: String]) throws -> String {
        let path = directory + "/\(name)-1.0-py3-none-any.whl"
        let data = try JSONSerialization.data(withJSONObject: files)
        _ = try python("""
            import json, sys, zipfile
            files = json.loads(sys.argv[2])
            info = "%s-1.0.dist-info/" % sys.argv[3]
            files[info + "METADATA"] = "Metadata-Version: 2.1\\nName: %s\\nVersion: 1.0\\n" % sys.argv[3]
            files[info + "WHEEL"] = "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
            files[info + "RECORD"] = ""
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as wheel:
                for name in sorted(files):
                    entry = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
                    entry.external_attr = 0o100644 << 16
                    wheel.writestr(entry, files[name], zipfile.ZIP_DEFLATED)
            """, arguments: [path, String(decoding: data, as: UTF8.self), name])
        return path
    }

    /// Writes `files` (path → text) as user sources and returns them as archive entries.
    static func sources(in directory: TemporaryDirectory, _ files: [String: String]) throws -> [ArchiveEntry] {
        try files.keys.sorted().map { name in
            ArchiveEntry(path: name, content: .file(path: try directory.write("src/" + name, files[name]!)))
        }
    }

    /// The user code most runtime tests run.
    static let userCode: [String: String] = [
        "app/__init__.py": "",
        "app/main.py": """
            import sys
            def main():
                import requests
                print("argv=%r requests=%s" % (sys.argv[1:], requests.__version__))
                return int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 0
            if __name__ == "__main__":
                print("as-main", sys.argv[1:])
            """,
        "app/lam.py": """
            import nspkg.dep_mod, nspkg.user_mod
            def handler(event, context):
                return [nspkg.dep_mod.WHO, nspkg.user_mod.WHO, event]
            """,
        "app/layered.py": """
            import layermod, requests
            def handler(event, context):
                return {"layer": layermod.VALUE, "requests": requests.__name__}
            """,
        "nspkg/user_mod.py": "WHO = 'user'\n",
    ]

    /// requests and its dependencies (charset_normalizer has native code and the `normalizer` console
    /// script), a generated wheel contributing to the namespace package `nspkg`, and `userCode`.
    static func build(in directory: TemporaryDirectory, name: String, entryPoint: String? = nil,
                      consoleScript: String? = nil, inheritPath: PexInfo.InheritPath = .fallback) throws -> String {
        var distributions = try ["requests", "urllib3", "idna", "certifi", "charset_normalizer"].map {
            try distribution(wheel: try wheelhouse($0))
        }
        distributions.append(try distribution(wheel: try generatedWheel(
            in: directory.path, name: "nsdep", files: ["nspkg/dep_mod.py": "WHO = 'dep'\n"])))
        let archive = try PexLayout.assemble(
            distributions: distributions, sources: try sources(in: directory, userCode),
            options: PexOptions(entryPoint: entryPoint, consoleScript: consoleScript, requirements: ["requests"],
                                inheritPath: inheritPath, pythonVersion: "3.11"))
        let output = directory.child(name)
        try archive.write(to: output)
        return output
    }

    /// The environment for running a PEX hermetically: its own PEX_ROOT and temp dir, verbose level 1 so
    /// extractions are logged.
    static func environment(root: String, _ extra: [String: String] = [:]) -> [String: String] {
        ["PEX_ROOT": root, "PEX_VERBOSE": "1", "TMPDIR": root + "-tmp"].merging(extra) { $1 }
    }

    /// Runs `pex` with the test interpreter (the shebang names python3.11, which need not be on PATH).
    static func run(_ pex: String, _ arguments: [String], environment: [String: String],
                    stdin: [UInt8]? = nil) throws -> ProcessResult {
        try TestSupport.run(TestEnvironment.python, [pex] + arguments, environment: environment, stdin: stdin)
    }

    /// Lines of stderr reporting an extraction into PEX_ROOT.
    static func extractions(_ result: ProcessResult) -> Int {
        result.stderr.split(separator: "\n").filter { $0.hasPrefix("pexify: extracted ") }.count
    }
}
