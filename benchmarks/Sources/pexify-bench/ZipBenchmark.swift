import Foundation
import ZipArchive

/// The zip engine: raw copy of the biggest local wheel against `cp`, deflate of many small files with
/// one worker and with all cores, CPython's zipfile writing the same content, and peak RSS while
/// writing a ~1 GiB archive.
enum ZipBenchmark {
    static let section = BenchmarkSection(name: "zip", run: run, children: [
        "rawcopy": { arguments in
            // wheel output copies [write: time only the writing, once the plan is built]
            let wheel = arguments[0], copies = Int(arguments[2])!
            // As for cp: the previous run's output goes before the clock starts, not in a rename over it.
            unlink(arguments[1])
            BenchmarkSection.restartClock()
            let reader = try ZipReader(path: wheel)
            var plan = ArchivePlan()
            plan.reserveCapacity(copies * reader.entries.count)
            for copy in 0..<copies {
                let prefix = "copy\(copy)/"
                for entry in reader.entries where !entry.isDirectory {
                    try plan.add(ArchiveEntry(path: prefix + entry.name, content: .rawCopy(archive: wheel, entry: entry),
                                              executable: entry.isExecutable))
                }
            }
            if arguments.count > 3 && arguments[3] == "write" { BenchmarkSection.restartClock() }
            try ZipWriter.write(plan, to: arguments[1])
        },
        "deflate": { arguments in
            // corpus output jobs
            let corpus = arguments[0], jobs = Int(arguments[2])!
            unlink(arguments[1])
            BenchmarkSection.restartClock()
            var plan = ArchivePlan()
            for relative in try corpusFiles(corpus) {
                try plan.add(ArchiveEntry(path: relative, content: .file(path: corpus + "/" + relative)))
            }
            try ZipWriter.write(plan, to: arguments[1], policy: ArchivePolicy(compressionLevel: 6, jobs: jobs))
        },
    ])

    static func run(quick: Bool) throws -> String {
        let repeats = quick ? 1 : 3
        let scratch = FileManager.default.temporaryDirectory.path + "/pexify-bench-zip-\(getpid())"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let loadBefore = loadAverage()
        var rows: [String] = []
        func row(_ name: String, bytes: UInt64, _ outcome: BenchmarkSection.Outcome, rss: Bool = true, note: String = "") {
            let rate = String(format: "%.1f", Double(bytes) / outcome.seconds / 1_000_000)
            let cpuRate = String(format: "%.1f", Double(bytes) / outcome.cpuSeconds / 1_000_000)
            let rssText = rss ? String(format: "%.1f MiB", outcome.peakRSSMiB) : "—"
            rows.append("| \(name) | \(String(format: "%.3f s", outcome.seconds)) | \(rate) MB/s | "
                + "\(String(format: "%.3f s", outcome.cpuSeconds)) | \(cpuRate) MB/s | \(rssText) | \(note) |")
        }

        // Raw copy of the biggest wheel vs cp of the same file.
        let wheel = try biggestWheel()
        let wheelSize = try fileSize(wheel)
        let wheelName = (wheel as NSString).lastPathComponent
        let rawOutput = scratch + "/raw.zip"
        // Five runs each: a copy of ~0.1 s is easily disturbed by other jobs on a shared machine.
        let copyRepeats = quick ? 1 : 5
        let raw = try BenchmarkSection.measure("rawcopy", [wheel, rawOutput, "1"], repeats: copyRepeats)
        let entryCount = try ZipReader(path: wheel).entries.count
        row("raw copy \(wheelName) (\(entryCount) entries): read, plan, write", bytes: wheelSize, raw)
        let rawWrite = try BenchmarkSection.measure("rawcopy", [wheel, rawOutput, "1", "write"], repeats: copyRepeats)
        row("the same, writing alone (\(entryCount) headers + data; plan built before the clock starts)",
            bytes: wheelSize, rawWrite)
        let cp = try BenchmarkSection.measureProcess(Self.python, ["-c", cpScript, wheel, scratch + "/cp.whl"],
                                                     repeats: copyRepeats)
        row("cp of the same wheel", bytes: wheelSize, cp, rss: false, note: "timed around cp's own process")
        let rawVsCp = cp.seconds / raw.seconds, writeVsCp = cp.seconds / rawWrite.seconds

        var bigArchive: (size: UInt64, rss: Double)?
        if !quick {
            let copies = max(1, Int((1 << 30) / wheelSize) + 1)
            let bigOutput = scratch + "/big.zip"
            let big = try BenchmarkSection.measure("rawcopy", [wheel, bigOutput, "\(copies)"], repeats: 1)
            let size = try fileSize(bigOutput)
            row("raw copy \(copies)× into one archive", bytes: size, big, note: String(format: "%.2f GiB archive", Double(size) / Double(1 << 30)))
            bigArchive = (size, big.peakRSSMiB)
            try FileManager.default.removeItem(atPath: bigOutput)
        }

        // Deflate of many small files: the uncompressed contents of the test wheelhouse.
        let corpus = scratch + "/corpus"
        let (fileCount, corpusBytes) = try makeCorpus(at: corpus)
        // Five runs each: the scaling figure is the one most disturbed by other jobs on a shared machine.
        let deflateRepeats = quick ? 1 : 5
        let one = try BenchmarkSection.measure("deflate", [corpus, scratch + "/d1.zip", "1"], repeats: deflateRepeats)
        row("deflate -6, 1 worker (\(fileCount) files)", bytes: corpusBytes, one)
        let all = try BenchmarkSection.measure("deflate", [corpus, scratch + "/dN.zip", "\(cores)"], repeats: deflateRepeats)
        row("deflate -6, \(cores) workers", bytes: corpusBytes, all,
            note: String(format: "%.2f× wall vs 1 worker; CPU %.2f× of 1 worker's", one.seconds / all.seconds,
                         all.cpuSeconds / one.cpuSeconds))
        let sameBytes = try Data(contentsOf: URL(fileURLWithPath: scratch + "/d1.zip"))
            == Data(contentsOf: URL(fileURLWithPath: scratch + "/dN.zip"))
        let zipfile = try BenchmarkSection.measureProcess(Self.python, ["-c", pythonZipfileScript, corpus, scratch + "/py.zip"],
                                                         repeats: repeats)
        row("CPython zipfile, ZIP_DEFLATED -6, same files", bytes: corpusBytes, zipfile)
        let ourSize = try fileSize(scratch + "/d1.zip"), pythonSize = try fileSize(scratch + "/py.zip")

        var report = """
        # zip benchmark (\(ISO8601DateFormatter().string(from: Date())))

        Machine: \(cores) active cores, \(ProcessInfo.processInfo.operatingSystemVersionString); load average
        \(loadBefore) before and \(loadAverage()) after (other jobs share the machine). Best wall time and median
        CPU time of \(repeats) run(s) (\(quick ? 1 : 5) for deflate, raw copy and cp);
        each measurement runs in its own process, so peak RSS (getrusage) is that measurement's own.
        The first raw-copy row covers reading and checking the wheel's central directory and local headers,
        planning the archive and writing it; the second only `ZipWriter.write` (its CPU column likewise);
        cp's covers cp's own process from start to exit.
        MB/s = input bytes (wheel size, or uncompressed corpus bytes) per second. Corpus: \(fileCount) files under
        1 MiB, \(String(format: "%.1f", Double(corpusBytes) / 1e6)) MB, extracted from the wheels in the test wheelhouse.

        | Case | Wall | Wall MB/s | CPU (user+sys) | MB per CPU-second | Peak RSS | Note |
        |---|---|---|---|---|---|---|

        """
        report += rows.joined(separator: "\n") + "\n\n"
        report += "Targets:\n\n"
        report += String(format: "- raw copy at ≥ 50%% of cp throughput: %.0f%% from wheel to archive, %.0f%% for the"
            + " writing alone (wall)\n", rawVsCp * 100, writeVsCp * 100)
        report += String(format: "- deflate scaling ≥ 1.8× on 2 cores: %.2f× wall on %d cores; the %d workers used %.2f× the"
            + " CPU of one, so on an otherwise idle machine the bound is %.2f×\n", one.seconds / all.seconds, cores, cores,
            all.cpuSeconds / one.cpuSeconds, Double(cores) * one.cpuSeconds / all.cpuSeconds)
        if let bigArchive {
            report += String(format: "- peak RSS < 64 MiB writing a 1 GiB archive: %.1f MiB for %.2f GiB\n",
                             bigArchive.rss, Double(bigArchive.size) / Double(1 << 30))
        }
        report += "- 1 worker and \(cores) workers wrote byte-identical archives: \(sameBytes)\n"
        let autogroup = (try? String(contentsOfFile: "/proc/sys/kernel/sched_autogroup_enabled", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if autogroup == "1" {
            report += "- note: the kernel's scheduler autogroups are on, so when other sessions keep the cores busy this"
                + " benchmark's session gets a fixed CPU share however many threads it runs; then only the CPU column"
                + " (and the idle-machine bound derived from it) says how well deflate scales\n"
        }
        report += String(format: "- archive size: ours %.1f MB, CPython zipfile %.1f MB\n", Double(ourSize) / 1e6, Double(pythonSize) / 1e6)
        return report
    }

    /// The 1/5/15-minute load averages, to judge how noisy the figures are.
    static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?"
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    /// The biggest wheel in pip's find-links directories ($PIP_FIND_LINKS) or the test wheelhouse.
    static func biggestWheel() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        var directories = (environment["PIP_FIND_LINKS"] ?? "").split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        directories.append(wheelhouse)
        var best: (path: String, size: UInt64)?
        for directory in directories {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasSuffix(".whl") {
                let path = directory + "/" + name
                let size = try fileSize(path)
                if size > best?.size ?? 0 { best = (path, size) }
            }
        }
        guard let best else { throw BenchmarkFailure(message: "no wheel found in \(directories)") }
        return best.path
    }

    static var wheelhouse: String {
        ProcessInfo.processInfo.environment["PEXIFY_TEST_WHEELHOUSE"]
            ?? URL(fileURLWithPath: #filePath).appendingPathComponent("../../../../.venv-test/wheelhouse").standardized.path
    }

    static var python: String {
        ProcessInfo.processInfo.environment["PEXIFY_TEST_PYTHON"] ?? "/usr/bin/python3"
    }

    /// Extracts every entry under 1 MiB of the test wheelhouse's wheels into `directory`.
    static func makeCorpus(at directory: String) throws -> (files: Int, bytes: UInt64) {
        var files = 0
        var bytes: UInt64 = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: wheelhouse).sorted() where name.hasSuffix(".whl") {
            let reader = try ZipReader(path: wheelhouse + "/" + name)
            for entry in reader.entries where !entry.isDirectory && entry.uncompressedSize < 1 << 20 {
                let target = directory + "/" + name + "/" + entry.name
                try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent,
                                                        withIntermediateDirectories: true)
                try Data(try reader.contents(of: entry)).write(to: URL(fileURLWithPath: target))
                files += 1
                bytes += entry.uncompressedSize
            }
        }
        return (files, bytes)
    }

    static func corpusFiles(_ corpus: String) throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: corpus) else { return [] }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: corpus + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(relative)
            }
        }
        return files
    }

    static func fileSize(_ path: String) throws -> UInt64 {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value ?? 0
    }

    /// Times `cp` from just before its start to its exit (Foundation's Process would add ~60 ms of its own
    /// to cp's ~80); prints "seconds peakRSSMiB cpuSeconds" with cp's CPU time.
    static let cpScript = """
    import os, resource, subprocess, sys, time
    source, target = sys.argv[1], sys.argv[2]
    if os.path.exists(target):
        os.unlink(target)
    start = time.perf_counter()
    subprocess.run(["cp", source, target], check=True)
    elapsed = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(elapsed, 0, usage.ru_utime + usage.ru_stime)
    """

    /// Writes the same files, sorted, with zipfile at level 6; prints "seconds peakRSSMiB cpuSeconds".
    static let pythonZipfileScript = """
    import os, resource, sys, time, zipfile
    corpus, output = sys.argv[1], sys.argv[2]
    if os.path.exists(output):
        os.unlink(output)
    files = sorted(os.path.relpath(os.path.join(d, f), corpus) for d, _, fs in os.walk(corpus) for f in fs)
    start = time.perf_counter()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for name in files:
            z.write(os.path.join(corpus, name), name)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(time.perf_counter() - start, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)
    """
}
