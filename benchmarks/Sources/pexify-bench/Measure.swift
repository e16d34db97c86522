import Foundation

/// One measured figure, printed as a Markdown table row.
struct Measurement {
    var name: String
    var seconds: Double
    var bytes: Int?
    var note: String = ""

    /// A report: a title with the time, a note on how it was measured, and one table row per measurement.
    static func report(_ title: String, note: String, _ measurements: [Measurement]) -> String {
        """
        # \(title) (\(ISO8601DateFormatter().string(from: Date())))

        \(note)

        | Case | time | rate | note |
        |---|---|---|---|

        """ + measurements.map(\.row).joined(separator: "\n") + "\n"
    }

    var row: String {
        let rate = bytes.map { String(format: "%.1f MB/s", Double($0) / seconds / 1_000_000) } ?? ""
        return "| \(name) | \(String(format: "%.3f s", seconds)) | \(rate) | \(note) |"
    }
}

/// Runs `body` `repeats` times and returns the median wall-clock time in seconds.
func median(repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    var times: [Double] = []
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return times.sorted()[times.count / 2]
}

/// Peak resident set size of this process so far, in MiB (from `getrusage`, which reports KiB on Linux).
func peakRSSMiB() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// User plus system CPU time of this process, in seconds.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
