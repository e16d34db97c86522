import Foundation
import Platforms

extension TargetPlatform {
    /// Builds a target from a pex complete platform: a JSON object with `marker_environment` (PEP 508
    /// keys; a subset is allowed, unknown keys are not) and `compatible_tags` (`interp-abi-plat`
    /// strings, best first). Other keys are ignored.
    /// - Parameter jsonOrPath: inline JSON (starting with `{`) or the path of a JSON file.
    /// - Throws: ``PlatformError/invalidCompletePlatform(_:reason:)`` naming the file or the inline text.
    public static func completePlatform(_ jsonOrPath: String) throws(PlatformError) -> TargetPlatform {
        let trimmed = jsonOrPath.trimmingWhitespace()
        if trimmed.hasPrefix("{") {
            return try completePlatform(json: Array(trimmed.utf8), source: "given inline")
        }
        guard let data = FileManager.default.contents(atPath: jsonOrPath) else {
            throw .invalidCompletePlatform("\"\(jsonOrPath)\"", reason: "the file cannot be read")
        }
        return try completePlatform(json: Array(data), source: "\"\(jsonOrPath)\"")
    }

    /// Builds a target from complete-platform JSON bytes; `source` names them in errors and becomes
    /// the target's ``name``.
    public static func completePlatform(json: [UInt8], source: String) throws(PlatformError) -> TargetPlatform {
        struct File: Decodable {
            var marker_environment: [String: String]
            var compatible_tags: [String]
        }
        let file: File
        do { file = try JSONDecoder().decode(File.self, from: Data(json)) } catch {
            throw .invalidCompletePlatform(source, reason: "it is not JSON with \"marker_environment\" and \"compatible_tags\" (\(error))")
        }
        let known = Set(MarkerEnvironment.storedVariables.map(\.rawValue))
        if let unknown = file.marker_environment.keys.sorted().first(where: { !known.contains($0) }) {
            throw .invalidCompletePlatform(source, reason: "\"\(unknown)\" is not a PEP 508 marker variable")
        }
        let environment: MarkerEnvironment
        do {
            environment = try JSONDecoder().decode(MarkerEnvironment.self,
                                                   from: JSONEncoder().encode(file.marker_environment))
        } catch {
            throw .invalidCompletePlatform(source, reason: "its marker environment cannot be read (\(error))")
        }
        var tags: [Tag] = []
        for text in file.compatible_tags {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3, !parts.contains(where: \.isEmpty) else {
                throw .invalidCompletePlatform(source, reason: "\"\(text)\" is not a compatibility tag")
            }
            for python in parts[0].split(separator: ".") {
                for abi in parts[1].split(separator: ".") {
                    for platform in parts[2].split(separator: ".") {
                        tags.append(Tag(interpreter: String(python), abi: String(abi), platform: String(platform)))
                    }
                }
            }
        }
        guard !tags.isEmpty else { throw .invalidCompletePlatform(source, reason: "\"compatible_tags\" is empty") }

        let pythonVersion: (major: Int, minor: Int)
        let numbers = environment.pythonVersion.split(separator: ".").compactMap { Int($0) }
        if numbers.count >= 2 {
            pythonVersion = (numbers[0], numbers[1])
        } else if let cp = tags.first(where: { $0.interpreter.hasPrefix("cp") }),
                  let m = Int(cp.interpreter.dropFirst(2).prefix(1)), let n = Int(cp.interpreter.dropFirst(3)) {
            pythonVersion = (m, n)
        } else {
            throw .invalidCompletePlatform(source, reason: "neither \"python_version\" nor a cpXY tag gives the Python version")
        }
        return TargetPlatform(name: source, markerEnvironment: environment, tags: CompatibleTags(tags),
                              pythonVersion: pythonVersion, glibc: glibcVersion(in: tags),
                              machine: environment.platformMachine)
    }

    /// The AWS Lambda Python runtime `runtime` (`python3.8` … `python3.14`) on `architecture`
    /// (`x86_64` or `arm64`; `aarch64` is accepted for `arm64`), from the complete platforms embedded
    /// in the binary (glibc 2.26 for python3.8–3.11 on Amazon Linux 2, 2.34 for python3.12+).
    /// - Throws: ``PlatformError/unknownLambdaRuntime(runtime:architecture:known:)`` listing the runtimes.
    public static func lambda(runtime: String, architecture: String = "x86_64") throws(PlatformError) -> TargetPlatform {
        let arch = architecture.lowercased() == "aarch64" ? "arm64" : architecture.lowercased()
        let key = "\(runtime.lowercased())-\(arch)"
        guard let bytes = LambdaPlatforms.json[key] else {
            let known = LambdaPlatforms.json.keys.sorted {
                $0.compare($1, options: .numeric) == .orderedAscending
            }
            throw .unknownLambdaRuntime(runtime: runtime, architecture: architecture, known: known)
        }
        return try completePlatform(json: bytes, source: "AWS Lambda \(runtime.lowercased()) \(arch)")
    }
}
