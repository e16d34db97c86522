import Foundation

/// Where the test suite finds the tools that `scripts/test.sh` installed.
public enum TestEnvironment {
    /// The root of the package checkout (found from this source file's location).
    public static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The Python interpreter of the test venv (`PEXIFY_TEST_PYTHON`), with `packaging`,
    /// `awslambdaric` and the index servers installed; `python3` when unset.
    public static var python: String {
        ProcessInfo.processInfo.environment["PEXIFY_TEST_PYTHON"] ?? "python3"
    }

    /// Whether the test interpreter can be run: a path that is executable, or a name found on the PATH.
    public static var hasPython: Bool {
        let name = python
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) }
        return (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .contains { FileManager.default.isExecutableFile(atPath: $0 + "/" + name) }
    }

    /// The wheelhouse of real PyPI wheels that `scripts/test.sh` downloaded for cp311 manylinux x86_64.
    public static var wheelhouse: String {
        ProcessInfo.processInfo.environment["PEXIFY_TEST_WHEELHOUSE"] ?? packageRoot + "/.venv-test/wheelhouse"
    }

    /// The `pexify` executable built with the tests: next to the test bundle (`<scratch>/debug/pexify`),
    /// else in the package's `.build/debug`.
    public static let pexify: String = {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        let candidates = [bundleDirectory + "/pexify", packageRoot + "/.build/debug/pexify"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[1]
    }()

    /// `awslambdaric` and its dependencies for the test venv's interpreter (`scripts/setup-test-env.sh`),
    /// from which `pexify invoke` installs the Lambda runtime interface client offline.
    public static var runtimeWheelhouse: String {
        ProcessInfo.processInfo.environment["PEXIFY_TEST_RUNTIME_WHEELHOUSE"] ?? packageRoot + "/.venv-test/wheelhouse-runtime"
    }
}

/// A fresh directory under the system temp folder, removed when the value is released with `remove()`.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(_ label: String = "pexify-test") throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func child(_ name: String) -> String { path + "/" + name }

    /// Writes `contents` to `name` under the directory, creating parent directories.
    @discardableResult
    public func write(_ name: String, _ contents: String) throws -> String {
        let target = child(name)
        try FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try contents.write(toFile: target, atomically: false, encoding: .utf8)
        return target
    }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}
