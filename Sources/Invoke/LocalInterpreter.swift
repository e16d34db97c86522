import Foundation
import Resolver

/// A CPython on this machine, as it describes itself: the interpreter that runs the function and the
/// runtime interface client, in place of the Lambda runtime's own.
public struct LocalInterpreter: Sendable, Equatable, Codable {
    /// The real executable (`sys.executable`, so a pyenv shim does not sit between the sandbox and Python).
    public var executable: String
    public var implementation: String
    /// `X.Y.Z`.
    public var version: String
    /// `platform.machine()`.
    public var machine: String
    /// `linux-glibc`, `linux-musl`, `macos`, `windows`.
    public var system: String
    /// `X.Y` of the C library when it is glibc.
    public var glibc: String?

    /// `X.Y`.
    public var majorMinor: String { version.split(separator: ".").prefix(2).joined(separator: ".") }

    public var summary: String { "\(implementation) \(version) on \(machine) (\(glibc.map { "glibc \($0)" } ?? system))" }

    /// Asks `path` (a path or a name on `PATH`) what it is.
    public static func probe(_ path: String) throws -> LocalInterpreter {
        let script = """
            import json, os, platform, sys
            try:
                glibc = os.confstr("CS_GNU_LIBC_VERSION").split()[1]
            except (AttributeError, ValueError, OSError, IndexError):
                glibc = None
            system = {"linux": "linux-glibc" if glibc else "linux-musl", "darwin": "macos", "win32": "windows"}
            print(json.dumps({"executable": os.path.realpath(sys.executable), "implementation": sys.implementation.name,
                              "version": platform.python_version(), "machine": platform.machine(),
                              "system": system.get(sys.platform, sys.platform), "glibc": glibc}))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [path, "-S", "-c", script]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            throw InvokeError.interpreterFailed(path: path, detail: "it cannot be started (\(error.localizedDescription))")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let found = try? JSONDecoder().decode(LocalInterpreter.self, from: data)
        else { throw InvokeError.interpreterFailed(path: path, detail: "it exited with status \(process.terminationStatus)") }
        return found
    }

    /// The first interpreter that satisfies everything `target` needs: `python` when given (the only
    /// candidate), else `pythonX.Y` for the version the archive was built for, then `python3`.
    /// - Throws: ``InvokeError/noMatchingInterpreter(needs:tried:)`` naming what is needed and what each
    ///   candidate is; ``InvokeError/inconsistentArchive(path:detail:)`` when no interpreter could do.
    public static func select(python: String?, for target: ArchiveTarget, archive: String) throws -> LocalInterpreter {
        let versions = target.pythonVersion
        if let versions, versions.isEmpty {
            let sources = target.pythonVersions.map { "\($0.source) needs \($0.accepted.sorted().joined(separator: " or "))" }
            throw InvokeError.inconsistentArchive(path: archive, detail: sources.joined(separator: "; "))
        }
        let candidates = python.map { [$0] } ?? ((versions?.sorted().map { "python" + $0 } ?? []) + ["python3"])
        var tried: [String] = []
        for candidate in candidates {
            let interpreter: LocalInterpreter
            do { interpreter = try probe(candidate) } catch {
                if python != nil { throw error }
                tried.append("\(candidate): not usable")
                continue
            }
            if let unmet = interpreter.unmetNeed(of: target) {
                tried.append("\(candidate): \(interpreter.summary), but \(unmet)")
                continue
            }
            return interpreter
        }
        throw InvokeError.noMatchingInterpreter(needs: describeNeeds(target), tried: tried)
    }

    /// The first need of `target` this interpreter does not meet, as a clause naming its source.
    func unmetNeed(of target: ArchiveTarget) -> String? {
        if implementation != "cpython" { return "pexify archives are built for CPython" }
        for need in target.pythonVersions where !need.accepted.contains(majorMinor) {
            return "\(need.source) needs CPython \(need.accepted.sorted().joined(separator: " or "))"
        }
        for need in target.machines where !need.accepted.contains(machine) {
            return "\(need.source) needs \(need.accepted.sorted().joined(separator: " or "))"
        }
        for need in target.systems where !need.accepted.contains(system) {
            return "\(need.source) needs \(need.accepted.sorted().joined(separator: " or "))"
        }
        if let needed = target.glibc {
            let have = glibc?.split(separator: ".").compactMap { Int($0) } ?? []
            if have.count < 2 || (have[0], have[1]) < (needed.version.major, needed.version.minor) {
                return "\(needed.source) needs glibc \(needed.version.major).\(needed.version.minor) or newer"
            }
        }
        return nil
    }

    static func describeNeeds(_ target: ArchiveTarget) -> String {
        var parts = ["CPython " + (target.pythonVersion?.sorted().joined(separator: " or ") ?? "3")]
        let machines = target.machines.reduce(nil as Set<String>?) { partial, need in
            partial.map { $0.intersection(need.accepted) } ?? need.accepted
        }
        if let machines { parts.append("on " + machines.sorted().joined(separator: " or ")) }
        if let glibc = target.glibc { parts.append("with glibc \(glibc.version.major).\(glibc.version.minor) or newer") }
        return parts.joined(separator: " ")
    }

    /// This interpreter as a resolution target, for installing the runtime interface client into it.
    public func platform() throws -> TargetPlatform {
        guard system == "linux-glibc", let glibc else {
            throw InvokeError.interpreterFailed(
                path: executable, detail: "it runs on \(system); the Lambda runtime client needs Linux with glibc")
        }
        let digits = majorMinor.replacingOccurrences(of: ".", with: "")
        return try TargetPlatform.parse(
            platform: "linux_\(machine)-cp-\(version)-cp\(digits)",
            manylinux: "manylinux_" + glibc.replacingOccurrences(of: ".", with: "_"))
    }
}
