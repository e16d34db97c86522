import Basics
import Foundation
import Resolver

/// The CPython that runs PEP 517 hooks, and the platform it is (for which build environments are
/// resolved: they run here, not on the target).
public struct BuildInterpreter: Sendable {
    public let path: String
    public let version: Version
    public let major: Int
    public let minor: Int
    /// `platform.machine()`, e.g. `x86_64`, `aarch64`.
    public let machine: String
    /// The C library's version, when it is glibc.
    public let glibc: (major: Int, minor: Int)?
    /// This interpreter as a target platform.
    public let platform: TargetPlatform

    /// The interpreter to build for `target`: CPython of the target's `X.Y` on `PATH` (the search
    /// `--compile` makes), else any CPython 3 (`python3`), which suits pure-Python projects only; the
    /// second value is then the warning to show.
    static func find(for target: TargetPlatform, searchPath: String) throws -> (BuildInterpreter, String?) {
        let version = "\(target.pythonVersion.major).\(target.pythonVersion.minor)"
        var tried: [String] = []
        for candidate in ExecutableSearch.candidates(named: "python" + version, in: searchPath) {
            do {
                let interpreter = try describe(candidate)
                if interpreter.major == target.pythonVersion.major && interpreter.minor == target.pythonVersion.minor {
                    return (interpreter, nil)
                }
                tried.append("\(candidate) runs \(interpreter.major).\(interpreter.minor)")
            } catch {
                tried.append("\(candidate): \(error)")
            }
        }
        for candidate in ExecutableSearch.candidates(named: "python3", in: searchPath) {
            guard let interpreter = try? describe(candidate) else { continue }
            return (interpreter, "No python\(version) was found on PATH, so source distributions are built with "
                + "\(candidate) (CPython \(interpreter.version)); that suits pure-Python projects only.")
        }
        throw BuildFrontendError.noInterpreter(version: version, tried: tried)
    }

    /// Asks `path` what it is.
    static func describe(_ path: String) throws -> BuildInterpreter {
        let answer: [String: Any]
        do {
            answer = try DriverProcess.run(interpreter: path, request: ["action": "describe"])
        } catch {
            throw BuildFrontendError.interpreterFailed(path: path, detail: "\(error)")
        }
        guard answer["implementation"] as? String == "cpython", let text = answer["version"] as? String,
              let version = Version(text), let major = answer["major"] as? Int, let minor = answer["minor"] as? Int,
              let machine = answer["machine"] as? String, answer["sys_platform"] as? String == "linux" else {
            throw BuildFrontendError.interpreterFailed(path: path, detail: "it is not CPython on Linux (\(answer))")
        }
        let glibcParts = ((answer["glibc"] as? String) ?? "").split(separator: ".").compactMap { Int($0) }
        let glibc: (major: Int, minor: Int)? = glibcParts.count >= 2 ? (glibcParts[0], glibcParts[1]) : nil
        let abbreviated = "linux_\(machine)-cp-\(text)-cp\(major)\(minor)"
        do {
            let platform = try TargetPlatform.parse(
                platform: abbreviated, manylinux: glibc.map { "manylinux_\($0.major)_\($0.minor)" }, includeLinuxTag: true)
            return BuildInterpreter(path: path, version: version, major: major, minor: minor, machine: machine,
                                    glibc: glibc, platform: platform)
        } catch {
            throw BuildFrontendError.interpreterFailed(path: path, detail: "its platform \(abbreviated) is unknown (\(error))")
        }
    }

    /// Why a wheel with native code built here would not run on `target`, or `nil` when it would
    /// (same architecture and Python `X.Y`, glibc not newer than the target's).
    func mismatch(with target: TargetPlatform) -> String? {
        if machine != target.machine { return "this machine is \(machine) and the target is \(target.machine)" }
        if (major, minor) != (target.pythonVersion.major, target.pythonVersion.minor) {
            return "it was built for Python \(major).\(minor) and the target runs "
                + "\(target.pythonVersion.major).\(target.pythonVersion.minor)"
        }
        if let glibc, let targetGlibc = target.glibc, glibc > targetGlibc {
            return "this machine has glibc \(glibc.major).\(glibc.minor) and the target only "
                + "\(targetGlibc.major).\(targetGlibc.minor)"
        }
        return nil
    }

    /// A stable description of what builds depend on, for cache keys.
    var identity: String { "cpython-\(version)-\(machine)-glibc\(glibc.map { "\($0.major).\($0.minor)" } ?? "none")" }
}
