@testable import Basics
import Foundation
@testable import Installer
@testable import Pex
import TestSupport
import Testing
@testable import ZipArchive

/// Builds PEXes from real and generated wheels with our own layout and writer, for the runtime tests.
enum PexFixtures {
    /// A wheel installed by the layout's WheelInstallPlan, as the CLI puts it into a PEX.
    static func distribution(wheel path: String) throws -> PexDistribution {
        let plan = try WheelInstallPlan(wheelPath: path)
        let bytes = try #require(FileManager.default.contents(atPath: path))
        return PexDistribution(wheelFilename: plan.filename.filename, sha256: sha256Hex([UInt8](bytes)),
                               entries: plan.entries(under: ""), consoleScripts: plan.consoleScripts,
                               extract: plan.hasNativeCode)
    }

    /// The wheelhouse wheel of `project` (file name prefix, e.g. `charset_normalizer`).
    static func wheelhouse(_ project: String) throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: TestEnvironment.wheelhouse)
        let name = try #require(names.first { $0.hasPrefix(project + "-") && $0.hasSuffix(".whl") },
                                "no \(project) wheel in \(TestEnvironment.wheelhouse); run scripts/setup-test-env.sh")
        return TestEnvironment.wheelhouse + "/" + name
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
        distributions.append(try distribution(wheel: try TestWheel(
            name: "nsdep", files: ["nspkg/dep_mod.py": "WHO = 'dep'\n"]).write(into: directory.path)))
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
