import Foundation

/// The moto server of `Tests/Fixtures/deploy/moto_fixture.py`, started once for all deploy tests on
/// 127.0.0.1 (a free port) and driven through JSON lines. It exits when the test process closes its
/// stdin, so it never outlives the run.
public final class MotoFixture: @unchecked Sendable {
    public let endpoint: String
    private let process: Process
    private let input: FileHandle
    private let output: FileHandle
    private var buffer = Data()
    private let lock = NSLock()

    /// Started on first use; a failure to start is reported by every test that needs it.
    public static let shared: Result<MotoFixture, any Error> = Result { try MotoFixture() }

    private init() throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: TestEnvironment.python)
        process.arguments = [TestEnvironment.packageRoot + "/Tests/Fixtures/deploy/moto_fixture.py"]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        input = stdin.fileHandleForWriting
        output = stdout.fileHandleForReading
        guard let port = Self.readLine(from: output, buffer: &buffer), Int(port) != nil else {
            throw FixtureError(message: "moto_fixture.py did not start (is moto[server] installed in \(TestEnvironment.python)?)")
        }
        endpoint = "http://127.0.0.1:\(port)"
    }

    deinit {
        try? input.close()
        process.waitUntilExit()
    }

    private static func readLine(from output: FileHandle, buffer: inout Data) -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...newline)
                return line
            }
            let chunk = output.availableData
            if chunk.isEmpty { return nil }
            buffer.append(chunk)
        }
    }

    /// Sends one command and returns its `ok` value.
    public func command(_ fields: [String: String]) throws -> Any {
        lock.lock()
        defer { lock.unlock() }
        input.write(try JSONSerialization.data(withJSONObject: fields) + Data("\n".utf8))
        guard let line = Self.readLine(from: output, buffer: &buffer),
              let reply = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw FixtureError(message: "moto_fixture.py stopped answering")
        }
        if let error = reply["error"] { throw FixtureError(message: "moto fixture: \(error)") }
        return reply["ok"] as Any
    }

    /// The requests the server received that were signed with `accessKeyId`, since the last call.
    public func requests(signedBy accessKeyId: String) throws -> [[String: Any]] {
        try command(["cmd": "log", "key": accessKeyId]) as? [[String: Any]] ?? []
    }

    public func function(_ name: String) throws -> [String: Any] {
        try command(["cmd": "function", "name": name]) as? [String: Any] ?? [:]
    }

    struct FixtureError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
