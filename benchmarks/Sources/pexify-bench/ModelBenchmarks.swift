import Foundation
import Resolver

/// The `model` section: the packaging-model operations that run for every candidate file during
/// resolution — PEP 440 parsing and comparison, specifier checks, wheel file name parsing and tag
/// ranking against a Lambda target.
enum ModelBenchmarks {
    static let section = BenchmarkSection(name: "model", run: run)

    /// Runs the section and returns its report, a Markdown table of rates.
    static func run(quick: Bool) throws -> String {
        let scale = quick ? 1 : 10
        let repeats = quick ? 3 : 5
        var results: [Measurement] = []

        // A realistic mix of version spellings, as index pages list them.
        let base = ["1.26.4", "2.31.0", "1.0rc1", "2.0.0b3", "0.9.post2", "3.12.0.dev4", "1!2.0", "24.1.1",
                    "2023.10.3", "1.2.3+local.7", "v2.0", "1.0-1", "5.0.0a1.dev2", "0.18", "10.1.0.post0"]
        let texts = (0..<(20_000 * scale)).map { base[$0 % base.count] }
        var parsed: [Version] = []
        let parse = median(repeats: repeats) { parsed = texts.compactMap { Version($0) } }
        results.append(rate("version parse", parse, count: texts.count, unit: "versions"))

        var shuffled = parsed
        var generator = SystemRandomNumberGenerator()
        shuffled.shuffle(using: &generator)
        var comparisons = 0
        let sort = median(repeats: repeats) {
            comparisons = 0
            _ = shuffled.sorted { comparisons += 1; return $0 < $1 }
        }
        results.append(rate("version compare (sort)", sort, count: comparisons, unit: "comparisons"))

        let specifiers = try VersionSpecifiers(">=1.0,<3,!=2.0.*,~=1.2")
        var kept = 0
        let filter = median(repeats: repeats) { kept = specifiers.filter(parsed).count }
        results.append(rate("specifier filter", filter, count: parsed.count, unit: "versions", note: "\(kept) kept"))

        // Wheel names as a numpy-like project publishes them: many platforms per version.
        let platforms = ["manylinux_2_17_x86_64.manylinux2014_x86_64", "manylinux_2_17_aarch64.manylinux2014_aarch64",
                         "musllinux_1_1_x86_64", "macosx_10_9_x86_64", "macosx_11_0_arm64", "win_amd64", "win32",
                         "manylinux_2_28_x86_64", "any"]
        let pythons = ["cp39-cp39", "cp310-cp310", "cp311-cp311", "cp312-cp312", "cp313-cp313", "cp313-cp313t", "cp37-abi3", "py3-none"]
        var names: [String] = []
        for i in 0..<(2_000 * scale) {
            let python = pythons[i % pythons.count], platform = platforms[(i / pythons.count) % platforms.count]
            names.append("numpy-1.\(i % 30).0-\(python)-\(python.hasPrefix("py") ? "any" : platform).whl")
        }
        var wheels: [WheelFilename] = []
        let wheelParse = median(repeats: repeats) { wheels = names.compactMap { try? WheelFilename($0) } }
        results.append(rate("wheel filename parse", wheelParse, count: names.count, unit: "names"))

        let target = try TargetPlatform.lambda(runtime: "python3.12", architecture: "x86_64")
        var compatible = 0
        let rank = median(repeats: repeats) {
            compatible = wheels.reduce(0) { $0 + (target.tags.compatibility(of: $1).isCompatible ? 1 : 0) }
        }
        results.append(rate("tag ranking (Lambda python3.12 x86_64, \(target.tags.count) tags)", rank, count: wheels.count,
                            unit: "wheels", note: "\(compatible) compatible"))

        let build = try median(repeats: repeats) { _ = try TargetPlatform.parse(platform: "linux_x86_64-cp-3.12.3-cp312", manylinux: "manylinux_2_34") }
        results.append(Measurement(name: "target tag list build (cp312, glibc 2.34)", seconds: build, bytes: nil))
        return Measurement.report("model benchmark", note: "Median of \(repeats) runs in one process; load average "
            + "\(ZipBenchmark.loadAverage()).", results)
    }

    private static func rate(_ name: String, _ seconds: Double, count: Int, unit: String, note: String = "") -> Measurement {
        let perSecond = Double(count) / seconds
        let text = perSecond >= 1e6 ? String(format: "%.2f M %@/s", perSecond / 1e6, unit) : String(format: "%.0f k %@/s", perSecond / 1e3, unit)
        return Measurement(name: name, seconds: seconds, bytes: nil, note: ([text] + (note.isEmpty ? [] : [note])).joined(separator: "; "))
    }
}
