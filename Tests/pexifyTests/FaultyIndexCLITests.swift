import Foundation
import TestSupport
import Testing

/// The real `pexify` binary against a loopback index that stalls, and under SIGINT / SIGTERM: it fails
/// in bounded time without burning CPU, and an interrupt leaves no partial file behind.
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

        /// user + system seconds so far (the last sample before exit), and how many samples were read.
        private(set) var cpuSeconds = 0.0
        private(set) var cpuSamples = 0

        /// Samples the CPU time every 50 ms until the process exits; returns its status and stderr.
        func wait() -> (status: Int32, stderr: String, elapsed: Duration) {
            while process.isRunning {
                if let sample = Self.cpu(process.processIdentifier) {
                    cpuSeconds = sample
                    cpuSamples += 1
                }
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

        /// Polls `condition` every 20 ms for up to `seconds`.
        func waitFor(_ seconds: Double, _ condition: () -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if condition() { return true }
                if !process.isRunning { return false }
                usleep(20_000)
            }
            return false
        }
    }

    func buildArguments(_ server: LoopbackServer, _ directory: TemporaryDirectory, output: String) -> [String] {
        ["gamma", "--layout", "zip", "--runtime", "python3.12", "--index-url", server.baseURL + "/simple/",
         "--cache-dir", directory.child("cache"), "-o", output]
    }

    /// Files beside `output` and in the cache's tmp/ that a build must not leave behind.
    func leftovers(_ directory: TemporaryDirectory, output: String) -> [String] {
        let base = (output as NSString).lastPathComponent
        let beside = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let temporary = (try? FileManager.default.contentsOfDirectory(atPath: directory.child("cache/tmp"))) ?? []
        return beside.filter { $0.hasPrefix("." + base + ".") } + temporary.map { "cache/tmp/" + $0 }
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
        #expect(stderr.contains("--timeout SECONDS") && stderr.contains("PIP_DEFAULT_TIMEOUT"), "\(stderr)")
        #expect(fixture.requests() == Array(repeating: "GET /simple/gamma/ stall", count: 4))
        // 4 attempts × 2 s plus at most 0.5 + 1 + 2 s of back-off; the rest is slack for a loaded machine.
        #expect(elapsed >= .seconds(8) && elapsed < .seconds(20), "\(elapsed)")
        // Waiting costs no CPU: the whole run, start-up included, stays under a second.
        #expect(launch.cpuSamples > 10, "the CPU time was sampled")
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

    @Test(arguments: [(SIGINT, "SIGINT", Int32(130)), (SIGTERM, "SIGTERM", Int32(143))])
    func anInterruptDuringADownloadRemovesThePartialFile(signal: Int32, name: String, status: Int32) throws {
        let fixture = try IndexFixture([WheelSpec("gamma", "1.0")])
        let server = try fixture.simpleServer(plan: ["/files/\(Self.wheel)": ["partial-stall"]])
        defer { server.stop(); fixture.directory.remove() }
        let output = fixture.directory.child("out.zip")
        let launch = try Launch(buildArguments(server, fixture.directory, output: output) + ["--index-timeout", "60"])
        // The interrupt lands once half the wheel is in the cache's tmp/.
        let partial = launch.waitFor(30) {
            fixture.requests().contains("GET /files/\(Self.wheel) partial-stall") && !leftovers(fixture.directory, output: output).isEmpty
        }
        #expect(partial, "no partial download appeared: \(fixture.requests())")
        let signalled = ContinuousClock.now
        kill(launch.process.processIdentifier, signal)
        let result = launch.wait()
        #expect(result.status == status, "\(result.stderr)")
        #expect(ContinuousClock.now - signalled < .seconds(5))
        #expect(result.stderr.contains("interrupted by \(name); removed 1 partial file: \(fixture.directory.child("cache/tmp/"))"),
                "\(result.stderr)")
        #expect(leftovers(fixture.directory, output: output).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    /// `count` files of `size` seeded random bytes (incompressible, so deflating them takes a while).
    func randomSources(_ directory: String, count: Int, size: Int) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var generator = SeededGenerator(seed: 22)
        for index in 0..<count {
            var bytes = [UInt8](repeating: 0, count: size)
            bytes.withUnsafeMutableBytes { buffer in
                let words = buffer.bindMemory(to: UInt64.self)
                for position in words.indices { words[position] = generator.next() }
            }
            try Data(bytes).write(to: URL(fileURLWithPath: directory + "/blob\(index).bin"))
        }
    }

    @Test func anInterruptDuringTheWriteLeavesNothingAndTheNextBuildIsIdentical() throws {
        let directory = try TemporaryDirectory("pexify-interrupt")
        defer { directory.remove() }
        try randomSources(directory.child("src"), count: 16, size: 3 << 20)
        let output = directory.child("out.zip")
        func arguments(_ output: String) -> [String] {
            ["--layout", "zip", "--runtime", "python3.12", "-D", directory.child("src"), "--compress-level", "9",
             "--jobs", "1", "-o", output]
        }
        let launch = try Launch(arguments(output))
        let writing = launch.waitFor(60) { !leftovers(directory, output: output).isEmpty }
        #expect(writing, "the temporary output never appeared")
        kill(launch.process.processIdentifier, SIGINT)
        let interrupted = launch.wait()
        #expect(interrupted.status == 130, "\(interrupted.stderr)")
        #expect(interrupted.stderr.contains("interrupted by SIGINT; removed") && interrupted.stderr.contains("/.out.zip."),
                "\(interrupted.stderr)")
        #expect(leftovers(directory, output: output).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: output))

        try PexifyCLI.succeed(arguments(output))
        let reference = directory.child("reference.zip")
        try PexifyCLI.succeed(arguments(reference))
        #expect(FileManager.default.contents(atPath: output) == FileManager.default.contents(atPath: reference))
        #expect(leftovers(directory, output: output).isEmpty)
    }

    /// A killed build (SIGKILL cannot be caught) leaves its temporary output; the next build writing the
    /// same output removes exactly those of dead processes untouched for a minute, nothing else.
    @Test func theNextBuildRemovesWhatAKilledBuildLeft() throws {
        let directory = try TemporaryDirectory("pexify-stale")
        defer { directory.remove() }
        try directory.write("src/app.py", "print('hi')\n")
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let dead = finished.processIdentifier, alive = getpid()
        let old = Date().addingTimeInterval(-120)
        var expectedGone: [String] = [], expectedKept: [String] = []
        for (name, isDirectory, modified, gone) in [
            (".out.zip.\(dead)-0A1B2C3D-4E5.tmp", false, old, true),
            (".out.zip.\(dead)-0A1B2C3D-4E6.spill", true, old, true),
            (".out.zip.\(alive)-0A1B2C3D-4E7.tmp", false, old, false),  // a live build's
            (".out.zip.\(dead)-0A1B2C3D-4E8.tmp", false, Date(), false),  // touched just now
            (".out.zip.partial.tmp", false, old, false),  // not our name
            (".other.zip.\(dead)-0A1B2C3D-4E9.tmp", false, old, false),  // another output's
        ] {
            let path = directory.child(name)
            if isDirectory {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
                try directory.write(name + "/0.spill", "spilled")
            } else {
                try directory.write(name, "partial")
            }
            try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: path)
            if gone { expectedGone.append(name) } else { expectedKept.append(name) }
        }
        try PexifyCLI.succeed(["--layout", "zip", "--runtime", "python3.12", "-D", directory.child("src"), "-o",
                               directory.child("out.zip")])
        let present = Set(try FileManager.default.contentsOfDirectory(atPath: directory.path))
        #expect(expectedGone.filter(present.contains).isEmpty)
        #expect(expectedKept.filter { !present.contains($0) }.isEmpty)
    }
}
