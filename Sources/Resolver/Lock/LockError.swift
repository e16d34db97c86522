/// Problems with a lock file (any format), each naming the file and the entry.
public enum LockError: Error, CustomStringConvertible, Sendable {
    case unreadable(path: String, reason: String)
    case unrecognized(path: String)
    case invalid(path: String, entry: String, reason: String)
    case wrongTarget(path: String, environments: [String], target: String)
    case pythonNotAllowed(path: String, requiresPython: String, target: String)
    case noWheelForTarget(path: String, package: String, files: [String])
    case needsBuild(path: String, entry: String, kind: String)
    case notCovered(path: String, package: String, target: String)
    case unknownSelection(path: String, kind: String, name: String, available: [String])
    case notOnIndex(path: String, package: String, index: String, wanted: String)
    case fileRejected(path: String, package: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): "The lock \(path) cannot be read: \(reason)."
        case let .unrecognized(path):
            "The file \(path) is not a lock pexify reads; give a pylock.toml (PEP 751), uv.lock, poetry.lock or "
                + "Pipfile.lock."
        case let .invalid(path, entry, reason): "The lock \(path) is invalid at \(entry): \(reason)."
        case let .wrongTarget(path, environments, target):
            "The lock \(path) was made for \(environments.joined(separator: " or ")), which does not match the "
                + "target \(target); lock again for this target."
        case let .pythonNotAllowed(path, requiresPython, target):
            "The lock \(path) requires Python \(requiresPython), which the target \(target) does not have; lock "
                + "again for this target."
        case let .noWheelForTarget(path, package, files):
            "The lock \(path) lists no wheel of \(package) usable on the target (it has \(files.joined(separator: ", "))); "
                + "lock again for this target."
        case let .needsBuild(path, entry, kind):
            "The lock \(path) installs \(entry) from \(kind), which needs a build frontend to become a wheel; pin a "
                + "wheel for it instead, or build it and add it with --find-links."
        case let .notCovered(path, package, target):
            "The lock \(path) does not pin \(package), which the target \(target) needs; the lock was made for "
                + "other environments, so lock again where it covers this target."
        case let .unknownSelection(path, kind, name, available):
            "The lock \(path) has no \(kind) \"\(name)\"" + (available.isEmpty
                ? "; it defines none." : "; it has \(available.joined(separator: ", ")).")
        case let .notOnIndex(path, package, index, wanted):
            "The lock \(path) pins \(package) to \(wanted), which the index \(index) does not list; check the index "
                + "or lock again."
        case let .fileRejected(path, package, reason):
            "The lock \(path) pins a file of \(package) that cannot be used: \(reason)"
        }
    }
}
