import Foundation

/// One benchmark area: a report-producing `run`, plus measurements that run in a child process (this
/// executable re-invoked as `--child NAME ARGS...`) so each peak RSS figure is that measurement's own.
struct BenchmarkSection: Sendable {
    var name: String
    var run: @Sendable (_ quick: Bool) async throws -> String
    var children: [String: @Sendable ([String]) throws -> Void] = [:]

    struct Outcome {
        var seconds: Double
        var peakRSSMiB: Double
        /// User + system CPU time: unlike wall time, barely affected by other jobs on the machine.
        var cpuSeconds: Double
    }

    /// Runs child measurement `name` `repeats` times; returns the best wall time, the median CPU time and
    /// the largest peak RSS.
    static func measure(_ name: String, _ arguments: [String], repeats: Int) throws -> Outcome {
        try measureProcess(selfExecutable, ["--child", name] + arguments, repeats: repeats)
    }

    /// Runs a program that prints "seconds peakRSSMiB cpuSeconds" `repeats` times.
    static func measureProcess(_ executable: String, _ arguments: [String], repeats: Int) throws -> Outcome {
        var times: [Double] = [], cpu: [Double] = []
        var peak = 0.0
        for _ in 0..<repeats {
            let output = try runProcess(executable, arguments)
            let fields = output.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
            guard fields.count == 3 else { throw BenchmarkFailure(message: "\(arguments) printed '\(output)'") }
            times.append(fields[0])
            peak = max(peak, fields[1])
            cpu.append(fields[2])
        }
        // Best wall time: on a shared machine the fastest run is the one least disturbed by other jobs.
        return Outcome(seconds: times.min()!, peakRSSMiB: peak, cpuSeconds: cpu.sorted()[cpu.count / 2])
    }

    /// The child side: runs the named measurement, then prints "seconds peakRSSMiB cpuSeconds".
    static func runChild(_ arguments: ArraySlice<String>, in sections: [BenchmarkSection]) throws {
        guard let name = arguments.first, let body = sections.lazy.compactMap({ $0.children[name] }).first else {
            throw BenchmarkFailure(message: "unknown child measurement \(arguments)")
        }
        restartClock()
        try body(Array(arguments.dropFirst()))
        print("\(Double(DispatchTime.now().uptimeNanoseconds - clock.wall) / 1e9) \(peakRSSMiB()) \(cpuSeconds() - clock.cpu)")
    }

    /// Where a child's measurement starts: when the child begins, or where it restarts the clock after
    /// a set-up that is not to be measured (peak RSS still covers the whole process).
    nonisolated(unsafe) private static var clock = (wall: UInt64(0), cpu: 0.0)

    static func restartClock() {
        clock = (DispatchTime.now().uptimeNanoseconds, cpuSeconds())
    }

    /// Writes `report` to results/<section>-<date>.md next to this package's sources.
    static func saveResult(_ report: String, section: String) throws -> String {
        let stamp = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!,
                                                formatOptions: [.withFullDate])
        let results = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../results").standardized.path
        let file = results + "/\(section)-\(stamp).md"
        try report.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Runs a program to completion and returns its stdout; throws when it fails.
@discardableResult
func runProcess(_ executable: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable.contains("/") ? executable : "/usr/bin/env")
    process.arguments = executable.contains("/") ? arguments : [executable] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw BenchmarkFailure(message: "\(executable) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
    }
    return String(decoding: data, as: UTF8.self)
}

/// This executable, for re-invoking it as a child (argv[0] may be relative).
let selfExecutable: String = {
    #if os(Linux)
    return (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    #else
    return CommandLine.arguments[0]
    #endif
}()
