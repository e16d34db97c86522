import Foundation

/// Runs the PEP 517 driver (Resources/driver/pexify_pep517.py, embedded) under a build interpreter.
///
/// The child runs with `-S -s` and without `PYTHON*` variables, so neither the interpreter's
/// site-packages nor the user's are importable: only the standard library and the build environments
/// the request names (PEP 517's isolated build). Its stdout and stderr go to a log whose end is shown
/// when a hook fails.
enum DriverProcess {
    static let source = String(decoding: PackageResources.pexify_pep517_py, as: UTF8.self)

    struct Failure: Error, CustomStringConvertible {
        var status: Int32
        var log: String
        var description: String { "it exited with status \(status): \(log)" }
    }

    /// Runs one driver request and returns the driver's JSON answer.
    /// - Throws: ``Failure`` with the end of the output when the driver fails.
    static func run(interpreter: String, request: [String: Any]) throws -> [String: Any] {
        let scratch = FileManager.default.temporaryDirectory.path + "/pexify-pep517-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var request = request
        request["result"] = scratch + "/result.json"
        let requestPath = scratch + "/request.json"
        try JSONSerialization.data(withJSONObject: request).write(to: URL(fileURLWithPath: requestPath))
        let logPath = scratch + "/log.txt"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        defer { try? log.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = ["-S", "-s", "-c", source, requestPath]
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PYTHON") }
        // Reproducible wheels where the backend honours it (zip timestamps), and no bytecode in sources.
        environment["SOURCE_DATE_EPOCH"] = environment["SOURCE_DATE_EPOCH"] ?? "315532800"
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let data = FileManager.default.contents(atPath: scratch + "/result.json"),
              let answer = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Failure(status: process.terminationStatus, log: tail(of: logPath))
        }
        return answer
    }

    /// The last 40 lines of a log.
    static func tail(of path: String) -> String {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(40).joined(separator: "\n")
    }
}
