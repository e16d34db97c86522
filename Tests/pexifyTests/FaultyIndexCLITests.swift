import Foundation
import TestSupport
import Testing

/// The real `pexify` binary against a loopback index that stalls: it fails in bounded time, says how to
/// wait longer, and burns no CPU while it waits.
@Suite(.serialized) struct FaultyIndexCLITests {
    static let wheel = "gamma-1.0-py3-none-any.whl"

    /// A running `pexify` whose CPU time is sampled from `/proc/<pid>/stat` until it exits.
    final class Launch: @unchecked Sendable {
        let process = Process()
        let started = ContinuousClock.now
        private let errors = Pipe()
        private var errorBytes = Data()
        private let reader = DispatchGroup()

        init(_ arguments: [String], environment: [String: String] = [:]) throws {
            process.executableURL = URL(fileURLWithPath: PexifyCLI.executable)
            process.arguments = arguments
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = errors
            try process.run()
            reader.enter()
            DispatchQueue.global().async { [self] in
                errorBytes = errors.fileHandleForReading.readDataToEndOfFile()
                reader.leave()
            }
        }

        /// user + system seconds so far (the last sample before exit).
        private(set) var cpuSeconds = 0.0

        /// Samples the CPU time every 50 ms until the process exits; returns its status and stderr.
        func wait() -> (status: Int32, stderr: String, elapsed: Duration) {
            while process.isRunning {
                if let sample = Self.cpu(process.processIdentifier) { cpuSeconds = sample }
                usleep(50_000)
            }
            process.waitUntilExit()
            reader.wait()
            return (process.terminationStatus, String(decoding: errorBytes, as: UTF8.self), ContinuousClock.now - started)
        }

        static func cpu(_ pid: pid_t) -> Double? {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            // Fields after "(comm)": state is field 3, utime 14 and stime 15 (proc(5)).
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
            return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
        }
    }

    func buildArguments(_ server: LoopbackServer, _ directory: TemporaryDirectory, output: String) -> [String] {
        ["gamma", "--layout", "zip", "--runtime", "python3.12", "--index-url", server.baseURL + "/simple/",
         "--cache-dir", directory.child("cache"), "-o", output]
    }

    @Test func aStalledIndexFailsWithinTimeoutTimesAttemptsWithoutSpinning() throws {
        let fixture = try IndexFixture([WheelSpec("gamma", "1.0")])
        let server = try fixture.simpleServer(plan: ["/simple/gamma/": Array(repeating: "stall", count: 4)])
        defer { server.stop(); fixture.directory.remove() }
        let output = fixture.directory.child("out.zip")
        let launch = try Launch(buildArguments(server, fixture.directory, output: output) + ["--timeout", "2"])
        let (status, stderr, elapsed) = launch.wait()

        #expect(status == 1, "\(stderr)")
        #expect(stderr.contains("Timed out after 2 s waiting for data from \(server.baseURL)/simple/gamma/"), "\(stderr)")
        #expect(stderr.contains("--timeout") && stderr.contains("PIP_DEFAULT_TIMEOUT"), "\(stderr)")
        #expect(fixture.requests() == Array(repeating: "GET /simple/gamma/ stall", count: 4))
        // 4 attempts × 2 s plus at most 0.5 + 1 + 2 s of back-off; the rest is slack for a loaded machine.
        #expect(elapsed >= .seconds(8) && elapsed < .seconds(20), "\(elapsed)")
        // Waiting costs no CPU: the whole run, start-up included, stays under a second.
        #expect(launch.cpuSeconds < 1.0, "\(launch.cpuSeconds) s of CPU in \(elapsed)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func pipDefaultTimeoutSetsTheStallTimeout() throws {
        let fixture = try IndexFixture([WheelSpec("gamma", "1.0")])
        let server = try fixture.simpleServer(plan: ["/simple/gamma/": Array(repeating: "stall", count: 4)])
        defer { server.stop(); fixture.directory.remove() }
        let launch = try Launch(buildArguments(server, fixture.directory, output: fixture.directory.child("out.zip")),
                                environment: ["PIP_DEFAULT_TIMEOUT": "1"])
        let (status, stderr, _) = launch.wait()
        #expect(status == 1 && stderr.contains("Timed out after 1 s waiting for data"), "\(stderr)")
    }
}
