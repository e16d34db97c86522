import Foundation

/// A Python server from `Tests/Fixtures/index_servers.py`, listening on 127.0.0.1 at a free port.
/// It exits by itself after `lifetime` seconds; `stop()` ends it earlier.
public final class LoopbackServer: @unchecked Sendable {
    public let port: Int
    public let process: Process
    /// The server's stderr, for diagnosing a failed test.
    public let errorLog: String
    /// `http`, or `https` for a server given a certificate.
    public let scheme: String
    public var baseURL: String { "\(scheme)://127.0.0.1:\(port)" }

    /// Starts `index_servers.py <kind> <arguments…>` and waits for its `PORT n` line.
    public init(_ kind: String, _ arguments: [String], lifetime: Int = 1200, scheme: String = "http") throws {
        self.scheme = scheme
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [TestEnvironment.python, TestEnvironment.packageRoot + "/Tests/Fixtures/index_servers.py",
                             kind, "--lifetime", String(lifetime)] + arguments
        let output = Pipe()
        process.standardOutput = output
        let errorLog = FileManager.default.temporaryDirectory.path + "/pexify-server-\(UUID().uuidString).err"
        _ = FileManager.default.createFile(atPath: errorLog, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: errorLog)
        self.errorLog = errorLog
        try process.run()
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            process.terminate()
            throw ServerFailure(description: "the \(kind) server did not start (it printed \"\(text)\")")
        }
        self.port = port
    }

    /// SIGKILL: the child inherits the test runner's blocked-signal mask, so SIGTERM may never land.
    public func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }

    public struct ServerFailure: Error, CustomStringConvertible { public var description: String }
}
