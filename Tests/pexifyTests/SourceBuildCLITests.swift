import Foundation
import TestSupport
import Testing

/// The build-from-source flags on the command line: `pexify .` in a project with a PEP 735 group, a
/// PEX that runs the project, and the same bytes from another cache.
@Suite(.enabled(if: SourceProjects.prepared, "needs .venv-test/build-wheelhouse from scripts/setup-test-env.sh"))
struct SourceBuildCLITests {
    @Test func projectInTheCurrentDirectoryWithAGroup() throws {
        let directory = try TemporaryDirectory("pexify-cli-project")
        defer { directory.remove() }
        let project = try SourceProjects.writeProject(in: directory, at: "app", backend: "pdm", answer: "cli")
        try directory.write("app/pyproject.toml", (try String(contentsOfFile: project + "/pyproject.toml", encoding: .utf8))
            + "\n[dependency-groups]\nruntime = [\"six>=1.16\"]\n")
        func build(_ output: String, cache: String) throws {
            try PexifyCLI.succeed([".", "--group", "runtime", "--layout", "pex",
                                   "--platform", "linux_x86_64-cp311", "--find-links", SourceProjects.backendWheels,
                                   "--no-index", "--cache-dir", cache, "-o", output], currentDirectory: project)
        }
        let first = directory.child("first.pex"), second = directory.child("second.pex")
        try build(first, cache: directory.child("cache-a"))
        try build(second, cache: directory.child("cache-b"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: first)) == Data(contentsOf: URL(fileURLWithPath: second)))
        let info = try python("import json, sys, zipfile; print(json.dumps(json.loads(zipfile.ZipFile(sys.argv[1]).read('PEX-INFO'))['requirements']))",
                              arguments: [first])
        #expect(info.trimmingCharacters(in: .whitespacesAndNewlines) == #"["acme-pdm==1.0", "six>=1.16"]"#)
        let run = try TestSupport.run(TestEnvironment.python, [first, "-c", "import acme_pdm, six; print(acme_pdm.answer(), six.__version__)"])
        #expect(run.stdout.contains("cli 1.17.0"), "\(run.summary)")
    }

    @Test func onlyBinaryRefusesAProjectWithoutWheels() throws {
        let directory = try TemporaryDirectory("pexify-cli-only-binary")
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.child("links"), withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(atPath: SourceProjects.sdists) {
            try FileManager.default.copyItem(atPath: SourceProjects.sdists + "/" + file, toPath: directory.child("links/" + file))
        }
        let result = try PexifyCLI.run(["docopt", "--only-binary", ":all:", "--layout", "zip", "--runtime", "python3.11",
                                        "--find-links", directory.child("links"), "--no-index",
                                        "--cache-dir", directory.child("cache"), "-o", directory.child("out.zip")])
        #expect(result.status == 1)
        #expect(result.stderr.contains("docopt-0.6.2.tar.gz is a source distribution, and --only-binary forbids building it"),
                "\(result.summary)")
        #expect(!FileManager.default.fileExists(atPath: directory.child("out.zip")))
    }
}
