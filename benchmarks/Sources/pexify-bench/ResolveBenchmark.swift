import Foundation
import Resolver

/// Resolve + download times for real requirement sets against the default index (the one the local
/// pip reports), cold and warm cache, side by side with `uv pip install --target` for the same target
/// (uv from PyPI: `UV=/path/to/uv`, else `uv` on PATH; its rows are skipped when it is missing).
/// The ratio column is pexify's time over uv's.
enum ResolveBenchmark {
    /// Needs the network (the configured index); there is no quick variant.
    static let section = BenchmarkSection(name: "resolve") { _ in
        Measurement.report("resolve benchmark", note: "One cold and one warm run per case against the configured "
            + "index; load average \(ZipBenchmark.loadAverage()).", try await run())
    }

    struct Case {
        var label: String
        var requirements: [String]
        var runtime: String
        var architecture: String
        /// uv's `--python-platform` nearest to the Lambda runtime (uv has no manylinux_2_26).
        var uvPlatform: String
    }

    static let cases = [
        Case(label: "pandas pydantic requests", requirements: ["pandas", "pydantic", "requests"],
             runtime: "python3.12", architecture: "arm64", uvPlatform: "aarch64-manylinux_2_34"),
        Case(label: "boto3 fastapi", requirements: ["boto3", "fastapi"],
             runtime: "python3.11", architecture: "x86_64", uvPlatform: "x86_64-manylinux2014"),
    ]

    static func run() async throws -> [Measurement] {
        let index = try IndexConfiguration.resolved()
        var rows: [Measurement] = []
        for benchmark in cases {
            let scratch = FileManager.default.temporaryDirectory.path + "/pexify-bench-resolve-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let target = try TargetPlatform.lambda(runtime: benchmark.runtime, architecture: benchmark.architecture)
            let name = "\(benchmark.label) (\(benchmark.runtime) \(benchmark.architecture))"
            var ours: [Double] = []
            for phase in ["cold", "warm"] {
                let start = DispatchTime.now().uptimeNanoseconds
                let resolution = try await Resolver.resolve(ResolveRequest(
                    requirements: try benchmark.requirements.map { try Requirement($0) }, target: target, index: index,
                    cacheDirectory: scratch + "/pexify-cache"))
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                ours.append(seconds)
                rows.append(Measurement(name: "pexify resolve+fetch \(name), \(phase) cache", seconds: seconds,
                                        bytes: resolution.distributions.compactMap(\.size).reduce(0, +),
                                        note: "\(resolution.distributions.count) wheels"))
            }
            guard let indexURL = index.indexURL else { continue }
            for (phase, oursSeconds) in zip(["cold", "warm"], ours) {
                let arguments = ["pip", "install", "--quiet", "--target", scratch + "/uv-target-\(phase)",
                                 "--python-platform", benchmark.uvPlatform, "--python-version",
                                 String(benchmark.runtime.dropFirst("python".count)), "--only-binary", ":all:",
                                 "--cache-dir", scratch + "/uv-cache", "--index-url", indexURL] + benchmark.requirements
                guard let seconds = try timeUV(arguments) else { break }
                rows.append(Measurement(name: "uv pip install --target \(name), \(phase) cache", seconds: seconds,
                                        note: String(format: "pexify/uv = %.2f", oursSeconds / seconds)))
            }
        }
        return rows
    }

    /// Wall-clock seconds of one uv run, or nil when uv is not installed.
    private static func timeUV(_ arguments: [String]) throws -> Double? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [ProcessInfo.processInfo.environment["UV"] ?? "uv"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let start = DispatchTime.now().uptimeNanoseconds
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
