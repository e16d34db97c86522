import Foundation

/// One emulated Lambda execution environment on disk, in a fresh temporary directory:
///
/// - `task/`: the function zip extracted with its stored modes, then sealed read-only (`/var/task`);
/// - `opt/`: the layers extracted in order, later files replacing earlier ones, sealed (`/opt`);
/// - `tmp/`: writable, `TMPDIR` (`/tmp`); `home/`: an empty `HOME` nobody may write to;
/// - `harness/`: the embedded `invoke.py` and `check.py` that serve the Runtime API and drive the runtime.
///
/// The runtime directory (`/var/runtime`) is the cached installation of the runtime interface client.
struct Sandbox {
    let root: String
    var taskRoot: String { root + "/task" }
    var optDirectory: String { root + "/opt" }
    var temporaryDirectory: String { root + "/tmp" }
    var homeDirectory: String { root + "/home" }
    var harness: String { root + "/harness" }

    init(function: String, layers: [String]) throws {
        root = FileManager.default.temporaryDirectory.path + "/pexify-invoke-" + UUID().uuidString.prefix(12)
        do {
            for directory in [root + "/task", root + "/opt", root + "/tmp", root + "/home", root + "/harness"] {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            try SandboxFiles.write(PackageResources.invoke_py, to: harness + "/invoke.py", mode: 0o644)
            try SandboxFiles.write(PackageResources.check_py, to: harness + "/check.py", mode: 0o644)
            try SandboxFiles.extract(function, into: taskRoot)
            for layer in layers { try SandboxFiles.extract(layer, into: optDirectory) }
        } catch {
            remove()
            throw error
        }
        SandboxFiles.seal(taskRoot)
        SandboxFiles.seal(optDirectory)
        SandboxFiles.seal(homeDirectory)
        chmod(temporaryDirectory, 0o1777)
    }

    func remove() {
        for tree in [taskRoot, optDirectory, homeDirectory] { SandboxFiles.unseal(tree) }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// What `invoke.py` reads on stdin.
    struct HarnessRequest: Encodable {
        var taskRoot: String
        var optDir: String
        var runtimeDir: String
        var tmpDir: String
        var homeDir: String
        var handler: String
        var events: [String]
        var timeout: Double
        var initTimeout: Double
        var environment: [String: String]
        var functionName: String
        var memorySize: Int
        var logPath: String?
        var check: Bool
    }

    /// Runs `invoke.py` with `interpreter` and returns what it printed on stdout. Its stderr (the
    /// function's log unless `request.logPath` is set) goes to this process's stderr as it comes.
    func runHarness(interpreter: String, _ request: HarnessRequest) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = ["-S", harness + "/invoke.py"]
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        do { try process.run() } catch {
            throw InvokeError.harnessFailed(detail: "'\(interpreter)' cannot be started (\(error.localizedDescription))")
        }
        input.fileHandleForWriting.write(try JSONEncoder().encode(request))
        try? input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw InvokeError.harnessFailed(detail: "invoke.py exited with status \(process.terminationStatus)")
        }
        return data
    }
}
