import Basics
import Foundation
import Installer
import Resolver
import ZipArchive

/// Isolated build environments: `[build-system].requires` (plus what `get_requires_for_build_wheel`
/// adds) resolved by pexify's own resolver for the build interpreter's platform, installed with pexify's
/// own installer into `<cache>/build-envs/<key>`, where the key is the sha256 over the installed wheels'
/// names and hashes. An environment is installed once into `tmp/` and renamed into place, so concurrent
/// builds either find it complete or install identical bytes.
enum BuildEnvironment {
    static func prepare(_ requirements: [Requirement], interpreter: BuildInterpreter, settings: ResolverSettings,
                        cache: Cache) async throws -> String {
        let resolution = try await Resolver.resolve(ResolveRequest(
            requirements: requirements, target: interpreter.platform, index: settings.index,
            cacheDirectory: cache.root, offline: settings.offline))
        let key = sha256Hex(Data(resolution.distributions.map { "\($0.wheel.filename) \($0.sha256)\n" }.sorted().joined().utf8))
        let directory = cache.root + "/build-envs/" + key
        if FileManager.default.fileExists(atPath: directory) { return directory }
        let temporary = cache.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        for distribution in resolution.distributions {
            try install(distribution.path!, into: temporary, pythonVersion: "\(interpreter.major).\(interpreter.minor)")
        }
        try FileManager.default.createDirectory(atPath: cache.root + "/build-envs", withIntermediateDirectories: true)
        do {
            try FileManager.default.moveItem(atPath: temporary, toPath: directory)
        } catch {
            // Another build installed the same environment first.
            guard FileManager.default.fileExists(atPath: directory) else { throw error }
        }
        return directory
    }

    /// Writes a wheel's files where `pip install --target DIR` puts them.
    static func install(_ wheel: String, into directory: String, pythonVersion: String) throws {
        let plan = try WheelInstallPlan(wheelPath: wheel, pythonVersion: pythonVersion)
        let reader = try ZipReader(path: wheel)
        func write(_ path: String, _ bytes: [UInt8], executable: Bool) throws {
            let target = directory + "/" + path
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: target, contents: Data(bytes),
                                                 attributes: [.posixPermissions: executable ? 0o755 : 0o644]) else {
                throw BuildFrontendError.invalidWheel(package: plan.projectName, reason: "\(target) cannot be written")
            }
        }
        for file in plan.files { try write(file.path, try reader.contents(of: file.source), executable: file.executable) }
        try write(plan.record.path, try plan.record.rewritten ?? reader.contents(of: plan.record.source), executable: false)
    }
}

/// Where build requirements come from: the same indexes and cache as the build itself.
public struct ResolverSettings: Sendable {
    public var index: IndexConfiguration
    public var offline: Bool

    public init(index: IndexConfiguration, offline: Bool) {
        self.index = index
        self.offline = offline
    }
}
