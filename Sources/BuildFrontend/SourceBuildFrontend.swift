import Basics
import Foundation
import Installer
import Resolver
import Synchronization

/// pexify's PEP 517 build frontend: builds source distributions (for resolution, through the
/// ``SourceBuilder`` seam) and the user's own projects into wheels, in isolated build environments, with
/// the results cached.
///
/// Built wheels live in `<cache>/built/<key>/` next to a `wheel.sha256` record; the key is the sha256 of
/// what was built (the sdist's sha256, or a local tree's paths and contents) and the build settings (the
/// build interpreter and this driver). A cached wheel is verified against its record before reuse. Each
/// build happens in `tmp/` and its directory is renamed into place, so concurrent builds are safe.
/// https://peps.python.org/pep-0517/
public final class SourceBuildFrontend: SourceBuilder {
    let settings: ResolverSettings
    let cache: Cache
    let target: TargetPlatform
    let searchPath: String
    let progress: @Sendable (String) -> Void
    private let state = FrontendState()
    /// Work shared between concurrent callers, once per key: sdist metadata, builds, the interpreter.
    private let metadataRuns = Memo<String, Data>()
    private let builds = Memo<String, BuiltWheel>()
    private let interpreters = Memo<String, BuildInterpreter>()
    /// Wheels of local projects built (or found in the cache) and checked against the target by this frontend.
    private let checked = Mutex<Set<String>>([])

    /// - Parameters:
    ///   - target: the archive's target; its Python `X.Y` chooses the build interpreter.
    ///   - searchPath: the `PATH` searched for `pythonX.Y` (then `python3`).
    ///   - progress: receives one line per build that actually runs.
    public init(settings: ResolverSettings, cacheDirectory: String?, target: TargetPlatform,
                searchPath: String = ProcessInfo.processInfo.environment["PATH"] ?? "",
                progress: @escaping @Sendable (String) -> Void = { _ in }) throws {
        self.settings = settings
        cache = try Cache(directory: cacheDirectory)
        self.target = target
        self.searchPath = searchPath
        self.progress = progress
    }

    /// Things to tell the user (a build interpreter of another Python version).
    public func warnings() async -> [String] { await state.warnings }

    // MARK: SourceBuilder

    public func metadata(ofSdist sdist: LocalSdist) async throws -> Data {
        let interpreter = try await interpreter()
        let key = "sdist-" + sha256Hex(Data((sdist.sha256 + "\n" + settingsIdentity(interpreter)).utf8))
        if let cached = cache.metadata(key: key) { return cached }
        let label = "\(sdist.filename.name) \(sdist.filename.version)"
        return try await metadataRuns.value(for: key) { [self] in
            let work = try scratchDirectory()
            defer { try? FileManager.default.removeItem(atPath: work) }
            let root = try await unpack(sdist, into: work, interpreter: interpreter)
            let data: Data
            if let path = try await driver(["action": "static_metadata", "source": root], interpreter: interpreter,
                                           package: label, hook: "PKG-INFO")["metadata"] as? String,
               let bytes = FileManager.default.contents(atPath: path) {
                data = bytes
            } else {
                progress("Preparing metadata of \(label)")
                let (system, directories) = try await environment(root: root, package: label, interpreter: interpreter)
                let output = work + "/metadata"
                try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
                let answer = try await hook("prepare_metadata_for_build_wheel", package: label, root: root, system: system,
                                            environment: directories, output: output, interpreter: interpreter)
                guard let path = answer["metadata"] as? String, let bytes = FileManager.default.contents(atPath: path) else {
                    throw BuildFrontendError.invalidWheel(package: label, reason: "the backend wrote no METADATA")
                }
                data = bytes
            }
            try cache.storeMetadata(data, key: key)
            return data
        }
    }

    public func wheel(fromSdist sdist: LocalSdist, target: TargetPlatform) async throws -> BuiltWheel {
        let interpreter = try await interpreter()
        let label = "\(sdist.filename.name) \(sdist.filename.version)"
        let wheel = try await build(key: "sdist " + sdist.sha256, package: label, interpreter: interpreter) { work in
            try await self.unpack(sdist, into: work, interpreter: interpreter)
        }
        if let mismatch = Self.mismatch(wheel, interpreter: interpreter, target: target) {
            throw BuildFrontendError.needsMatchingMachine(package: "\(sdist.filename.name)", wheel: wheel.filename.filename,
                                                          mismatch: mismatch)
        }
        guard wheel.filename.name == sdist.filename.name, wheel.filename.version == sdist.filename.version else {
            throw BuildFrontendError.invalidWheel(
                package: label, reason: "the backend built \(wheel.filename), which is another project or version")
        }
        return wheel
    }

    // MARK: Local projects

    /// Builds the project in `directory` (a copy of its files, see ``SourceTree``) into a wheel for the
    /// target, or returns the cached wheel when no file changed.
    /// - Parameter excluding: paths inside the project that are not part of it (the archive being written).
    public func buildProject(at directory: String, excluding: [String] = []) async throws -> BuiltWheel {
        let tree = try SourceTree(root: directory, excluding: excluding)
        let interpreter = try await interpreter()
        let wheel = try await build(key: "tree " + (try tree.digest()), package: tree.root, interpreter: interpreter) { work in
            let root = work + "/source"
            try tree.copy(to: root)
            return root
        }
        if let mismatch = Self.mismatch(wheel, interpreter: interpreter, target: target) {
            throw BuildFrontendError.projectNeedsMatchingMachine(project: tree.root, wheel: wheel.filename.filename,
                                                                 mismatch: mismatch)
        }
        checked.withLock { _ = $0.insert(wheel.path) }
        return wheel
    }

    public func vouches(forWheelAt path: String) -> Bool { checked.withLock { $0.contains(path) } }

    // MARK: Building

    private func build(key: String, package: String, interpreter: BuildInterpreter,
                       source: @escaping @Sendable (String) async throws -> String) async throws -> BuiltWheel {
        let digest = sha256Hex(Data((key + "\n" + settingsIdentity(interpreter)).utf8))
        let directory = cache.root + "/built/" + digest
        // Once per process and key: a cached wheel is hashed to check it once, not on every call.
        return try await builds.value(for: digest) { [self] in
            if let cached = cachedWheel(in: directory) { return cached }
            progress("Building \(package) from source")
            let work = try scratchDirectory()
            defer { try? FileManager.default.removeItem(atPath: work) }
            let root = try await source(work)
            let (system, directories) = try await environment(root: root, package: package, interpreter: interpreter)
            let output = work + "/wheel"
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            let answer = try await hook("build_wheel", package: package, root: root, system: system,
                                        environment: directories, output: output, interpreter: interpreter)
            guard let built = answer["wheel"] as? String, FileManager.default.fileExists(atPath: built) else {
                throw BuildFrontendError.invalidWheel(package: package, reason: "the backend reported no wheel file")
            }
            let leaf = (built as NSString).lastPathComponent
            do {
                _ = try WheelInstallPlan(wheelPath: built)  // the checks every wheel passes (RECORD, dist-info)
            } catch {
                throw BuildFrontendError.invalidWheel(package: package, reason: "\(leaf) is not a valid wheel (\(error))")
            }
            let final = work + "/final"
            try FileManager.default.createDirectory(atPath: final, withIntermediateDirectories: true)
            try FileManager.default.moveItem(atPath: built, toPath: final + "/" + leaf)
            let sha256 = try sha256Hex(ofFile: final + "/" + leaf)
            try Data("\(sha256) \(leaf)\n".utf8).write(to: URL(fileURLWithPath: final + "/wheel.sha256"))
            try FileManager.default.createDirectory(atPath: cache.root + "/built", withIntermediateDirectories: true)
            do {
                try FileManager.default.moveItem(atPath: final, toPath: directory)
                return BuiltWheel(filename: try WheelFilename(leaf), path: directory + "/" + leaf, sha256: sha256)
            } catch {
                // Another process built the same thing first; its wheel is used.
                guard FileManager.default.fileExists(atPath: directory) else { throw error }
            }
            guard let stored = cachedWheel(in: directory) else {
                throw BuildFrontendError.invalidWheel(package: package, reason: "the built wheel could not be cached in \(directory)")
            }
            return stored
        }
    }

    /// The verified wheel of a finished build, or `nil` (a damaged entry is removed so it is rebuilt).
    private func cachedWheel(in directory: String) -> BuiltWheel? {
        guard let record = try? String(contentsOfFile: directory + "/wheel.sha256", encoding: .utf8) else { return nil }
        let fields = record.trimmingCharacters(in: .newlines).split(separator: " ", maxSplits: 1).map(String.init)
        guard fields.count == 2, let filename = try? WheelFilename(fields[1]),
              (try? sha256Hex(ofFile: directory + "/" + fields[1])) == fields[0] else {
            try? FileManager.default.removeItem(atPath: directory)
            return nil
        }
        return BuiltWheel(filename: filename, path: directory + "/" + fields[1], sha256: fields[0])
    }

    /// The build environment of the tree at `root`: `[build-system].requires`, then what the backend's
    /// `get_requires_for_build_wheel` adds.
    private func environment(root: String, package: String, interpreter: BuildInterpreter) async throws
        -> (BuildSystem, [String]) {
        let system = try BuildSystem.read(root: root)
        let base = try await prepare(system.requires, package: package, interpreter: interpreter)
        let answer = try await hook("get_requires_for_build_wheel", package: package, root: root, system: system,
                                    environment: [base], output: nil, interpreter: interpreter)
        let extra = try ((answer["requires"] as? [String]) ?? []).map { text in
            do { return try Requirement(text) } catch {
                throw BuildFrontendError.buildRequirements(package: package, reason: "the backend asked for \"\(text)\": \(error)")
            }
        }
        guard !extra.isEmpty else { return (system, [base]) }
        return (system, [try await prepare(system.requires + extra, package: package, interpreter: interpreter)])
    }

    private func prepare(_ requirements: [Requirement], package: String, interpreter: BuildInterpreter) async throws -> String {
        do {
            return try await BuildEnvironment.prepare(requirements, interpreter: interpreter, settings: settings, cache: cache)
        } catch let error as BuildFrontendError {
            throw error
        } catch {
            throw BuildFrontendError.buildRequirements(package: package, reason: "\(error)")
        }
    }

    private func unpack(_ sdist: LocalSdist, into work: String, interpreter: BuildInterpreter) async throws -> String {
        let destination = work + "/source"
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        let answer = try await driver(["action": "unpack", "sdist": sdist.path, "destination": destination],
                                      interpreter: interpreter, package: sdist.filename.filename, hook: "unpack")
        guard let root = answer["root"] as? String else {
            throw BuildFrontendError.invalidProject(path: sdist.path, reason: "it could not be unpacked")
        }
        return root
    }

    private func hook(_ name: String, package: String, root: String, system: BuildSystem, environment: [String],
                      output: String?, interpreter: BuildInterpreter) async throws -> [String: Any] {
        var request: [String: Any] = ["action": "hook", "hook": name, "backend": system.backend,
                                      "backend_path": system.backendPath, "environment": environment, "source": root]
        if let output { request["output"] = output }
        return try await driver(request, interpreter: interpreter, package: package, hook: name)
    }

    /// Runs the driver off the cooperative pool (a build takes seconds and blocks its thread).
    private func driver(_ request: [String: Any], interpreter: BuildInterpreter, package: String,
                        hook: String) async throws -> [String: Any] {
        let json = try JSONSerialization.data(withJSONObject: request)
        let mismatch = interpreter.mismatch(with: target)
        let data: Data = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    let request = try JSONSerialization.jsonObject(with: json) as! [String: Any]
                    do {
                        let answer = try DriverProcess.run(interpreter: interpreter.path, request: request)
                        return try JSONSerialization.data(withJSONObject: answer)
                    } catch let failure as DriverProcess.Failure {
                        throw BuildFrontendError.hookFailed(package: package, hook: hook, log: failure.log, mismatch: mismatch)
                    }
                })
            }
        }
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    private func interpreter() async throws -> BuildInterpreter {
        try await interpreters.value(for: "") { [self] in
            let (interpreter, warning) = try BuildInterpreter.find(for: target, searchPath: searchPath)
            if let warning { await state.warn(warning) }
            return interpreter
        }
    }

    private func scratchDirectory() throws -> String {
        let path = cache.temporaryPath()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func settingsIdentity(_ interpreter: BuildInterpreter) -> String {
        interpreter.identity + "\ndriver " + Self.driverDigest
    }

    private static let driverDigest = sha256Hex(PackageResources.pexify_pep517_py)

    /// Why `wheel` would not run on `target`, or `nil`: a wheel that is not pure Python (`pyX-none-any`)
    /// runs only where it was built (same architecture and Python, glibc not newer than the target's).
    static func mismatch(_ wheel: BuiltWheel, interpreter: BuildInterpreter, target: TargetPlatform) -> String? {
        let pure = wheel.filename.abiTags == ["none"] && wheel.filename.platformTags == ["any"]
            && wheel.filename.pythonTags.allSatisfy { $0.hasPrefix("py") }
        return pure ? nil : interpreter.mismatch(with: target)
    }
}

/// The warnings gathered across concurrent builds.
private actor FrontendState {
    private(set) var warnings: [String] = []

    func warn(_ warning: String) {
        if !warnings.contains(warning) { warnings.append(warning) }
    }
}
