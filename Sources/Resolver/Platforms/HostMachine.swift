#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The machine pexify runs on, as far as it decides whether code compiled here can run on a target:
/// its architecture and, on Linux, its glibc.
public enum HostMachine {
    /// `uname -m`: `x86_64`, `aarch64`, `arm64`.
    public static let machine: String = {
        var names = utsname()
        guard uname(&names) == 0 else { return "" }
        return withUnsafeBytes(of: &names.machine) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
    }()

    /// The glibc version, `nil` without glibc.
    public static let glibc: (major: Int, minor: Int)? = {
        #if canImport(Glibc)
        var buffer = [CChar](repeating: 0, count: 64)
        guard confstr(Int32(_CS_GNU_LIBC_VERSION), &buffer, buffer.count) > 0 else { return nil }
        let parts = String(cString: buffer).split(separator: " ").last?.split(separator: ".").compactMap { Int($0) } ?? []
        return parts.count >= 2 ? (parts[0], parts[1]) : nil
        #else
        return nil
        #endif
    }()
}

extension TargetPlatform {
    /// Whether a native wheel compiled on this machine could load on the target: the same architecture,
    /// both glibc, and this machine's glibc not newer than the target's. The Python version is not known
    /// without asking an interpreter, so a `true` here is necessary, not sufficient.
    public var mayRunCodeBuiltHere: Bool {
        let aliases = ["arm64": "aarch64", "amd64": "x86_64"]
        guard (aliases[machine] ?? machine) == (aliases[HostMachine.machine] ?? HostMachine.machine),
              let targetGlibc = glibc, let hostGlibc = HostMachine.glibc else { return false }
        return hostGlibc <= targetGlibc
    }
}
