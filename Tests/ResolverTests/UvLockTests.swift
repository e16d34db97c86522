import Foundation
import Resolver
import TestSupport
import Testing

/// uv.lock entries that only a build frontend could install are refused, naming the entry and why.
@Suite struct UvLockTests {
    static let root = """
        version = 1
        revision = 3
        requires-python = ">=3.11"

        [[package]]
        name = "app"
        version = "0.1.0"
        source = { virtual = "." }
        dependencies = [{ name = "dep" }]

        [[package]]
        name = "dep"
        version = "1.0"

        """

    @Test(arguments: [
        ("source = { git = \"http://127.0.0.1:9/dep.git?rev=main#0123456789abcdef\" }", "a vcs source"),
        ("source = { directory = \"../dep\" }", "a directory source"),
        ("source = { registry = \"http://127.0.0.1:9/simple/\" }\n"
            + "sdist = { url = \"http://127.0.0.1:9/dep-1.0.tar.gz\", hash = \"sha256:00\", size = 1 }",
         "a source distribution"),
    ])
    func entriesOnlyABuildFrontendInstallsAreNamed(source: String, kind: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("uv.lock", Self.root + source + "\n")
        let target = try TargetPlatform.lambda(runtime: "python3.12", architecture: "x86_64")
        #expect {
            _ = try LockFile.read(path: path, target: target)
        } throws: { error in
            let text = String(describing: error)
            return text.contains("[[package]] dep 1.0") && text.contains(kind) && text.contains("build frontend")
        }
    }

    @Test func aTargetOutsideTheLocksPythonIsRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("uv.lock", Self.root.replacingOccurrences(of: ">=3.11", with: ">=3.13"))
        let target = try TargetPlatform.lambda(runtime: "python3.12", architecture: "x86_64")
        #expect {
            _ = try LockFile.read(path: path, target: target)
        } throws: { error in
            String(describing: error).contains("requires Python >=3.13")
        }
    }
}
