import Foundation

/// What resolution asks of a PEP 517 build frontend (uv's *build context*): the core metadata of a
/// source distribution, and a wheel built from it for the target. The resolver knows only this seam;
/// Orchestration wires it to the `BuildFrontend` module.
/// https://peps.python.org/pep-0517/
public protocol SourceBuilder: Sendable {
    /// The core metadata (`METADATA` bytes) of the sdist at `path`: a PEP 643 `PKG-INFO` whose
    /// dependency fields are not dynamic, else the backend's `prepare_metadata_for_build_wheel`.
    func metadata(ofSdist sdist: LocalSdist) async throws -> Data

    /// A verified wheel built from the sdist, usable on `target`.
    /// - Throws: when the build fails, or when the wheel is not pure Python and this machine does not
    ///   match the target (the error names the package and the ways out).
    func wheel(fromSdist sdist: LocalSdist, target: TargetPlatform) async throws -> BuiltWheel

    /// Whether this builder built the wheel at `path` and checked it against the target, so a direct
    /// reference to it is used although its tags are not the target's (a `linux_x86_64` wheel built on
    /// a machine that matches a manylinux target).
    func vouches(forWheelAt path: String) -> Bool
}

/// A source distribution on disk, as resolution hands it to a ``SourceBuilder``.
public struct LocalSdist: Sendable, Hashable {
    public var filename: SdistFilename
    public var path: String
    public var sha256: String

    public init(filename: SdistFilename, path: String, sha256: String) {
        self.filename = filename
        self.path = path
        self.sha256 = sha256
    }
}

/// A wheel a ``SourceBuilder`` produced (in its cache).
public struct BuiltWheel: Sendable, Hashable {
    public var filename: WheelFilename
    public var path: String
    public var sha256: String

    public init(filename: WheelFilename, path: String, sha256: String) {
        self.filename = filename
        self.path = path
        self.sha256 = sha256
    }
}
