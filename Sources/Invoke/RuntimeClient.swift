import Basics
import Foundation
import Installer
import Resolver
import ZipArchive

/// The runtime directory of the emulated sandbox (Lambda's `/var/runtime`): the real runtime interface
/// client `awslambdaric` with its dependencies, resolved by pexify's resolver for the local interpreter,
/// installed with pexify's installer, and `bootstrap.py`.
///
/// Cache layout under `<cache>/invoke/`: `runtimes/<content key>/` holds one installation, keyed by the
/// sha256 of its wheels and of `bootstrap.py`; `interpreters/<interpreter key>` names the installation
/// made for an interpreter (version, machine, glibc), so later runs reuse it without asking an index.
enum RuntimeClient {
    static let requirement = "awslambdaric"

    static func directory(for interpreter: LocalInterpreter, source: IndexOptions,
                          progress: @Sendable (String) -> Void) async throws -> String {
        let cache = try Cache(directory: source.cacheDirectory)
        let base = cache.root + "/invoke"
        let bootstrap = PackageResources.bootstrap_py
        let interpreterKey = sha256Hex(Array("\(requirement)\n\(interpreter.summary)\n\(sha256Hex(bootstrap))".utf8))
        let pointer = "\(base)/interpreters/\(interpreterKey)"
        if let key = FileManager.default.contents(atPath: pointer).map({ String(decoding: $0, as: UTF8.self) }),
           FileManager.default.fileExists(atPath: "\(base)/runtimes/\(key)/bootstrap.py") {
            return "\(base)/runtimes/\(key)"
        }

        progress("Resolving \(requirement) for \(interpreter.summary)")
        let resolution: Resolution
        do {
            let index = try IndexConfiguration.resolved(
                indexURL: source.indexURL, extraIndexURLs: source.extraIndexURLs, findLinks: source.findLinks,
                noIndex: source.noIndex, cert: source.cert, clientCert: source.clientCert)
            resolution = try await Resolver.resolve(ResolveRequest(
                requirements: [try Requirement(requirement)], target: try interpreter.platform(), index: index,
                cacheDirectory: source.cacheDirectory, offline: source.offline, fetchPolicy: try source.fetchPolicy()))
        } catch let error as InvokeError {
            throw error
        } catch {
            throw InvokeError.runtimeUnavailable(detail: "\(error)")
        }
        let wheels = resolution.distributions.sorted { $0.sha256 < $1.sha256 }
        let key = sha256Hex(Array((wheels.map(\.sha256) + [sha256Hex(bootstrap)]).joined(separator: "\n").utf8))
        let runtime = "\(base)/runtimes/\(key)"
        if !FileManager.default.fileExists(atPath: runtime + "/bootstrap.py") {
            progress("Installing " + wheels.map { "\($0.name) \($0.version)" }.joined(separator: ", "))
            let staging = cache.temporaryPath()
            do {
                for wheel in wheels {
                    try install(WheelInstallPlan(wheelPath: wheel.path!, pythonVersion: interpreter.majorMinor), into: staging)
                }
                try Data(bootstrap).write(to: URL(fileURLWithPath: staging + "/bootstrap.py"))
                try FileManager.default.createDirectory(atPath: base + "/runtimes", withIntermediateDirectories: true)
                // Another process may have finished the same installation first; its copy is as good.
                if rename(staging, runtime) != 0 { try? FileManager.default.removeItem(atPath: staging) }
            } catch {
                try? FileManager.default.removeItem(atPath: staging)
                throw InvokeError.runtimeUnavailable(detail: "installing it into \(runtime) failed: \(error)")
            }
        }
        try FileManager.default.createDirectory(atPath: base + "/interpreters", withIntermediateDirectories: true)
        try AtomicFile.write(Array(key.utf8), to: pointer)
        return runtime
    }

    /// Writes a wheel's files at their `--target` install paths below `root`.
    static func install(_ plan: WheelInstallPlan, into root: String) throws {
        let reader = try ZipReader(path: plan.wheelPath)
        for file in plan.files {
            try SandboxFiles.write(try reader.contents(of: file.source), to: root + "/" + file.path,
                                   mode: file.executable ? 0o755 : 0o644)
        }
        let record = try plan.record.rewritten ?? reader.contents(of: plan.record.source)
        try SandboxFiles.write(record, to: root + "/" + plan.record.path, mode: 0o644)
    }
}
