import ZipArchive

/// The Python runtime of a pexify PEX, kept as `.py` files in Sources/Pex/Resources/bootstrap and
/// embedded into the binary (SwiftPM `embedInCode`), so pexify needs nothing at run time to write it.
public enum PexBootstrap {
    /// Where the `pexify_boot` package goes in the archive.
    public static let directory = ".bootstrap/pexify_boot/"

    /// The boot stub, stored as both `__main__.py` and `__pex__/__init__.py`: it finds the PEX root
    /// and hands over to `pexify_boot`.
    public static let stub: [UInt8] = PackageResources.pexify_stub_py

    /// The files of the `pexify_boot` package by name. Every file of Resources/bootstrap/pexify_boot
    /// must be listed here (a test checks it).
    public static let package: [(name: String, bytes: [UInt8])] = [
        ("__init__.py", PackageResources.__init___py),
        ("alias.py", PackageResources.alias_py),
        ("bytecode.py", PackageResources.bytecode_py),
        ("entry.py", PackageResources.entry_py),
        ("pex_root.py", PackageResources.pex_root_py),
    ]

    /// Every file the runtime consists of: `__main__.py`, `__pex__/__init__.py` and the package.
    static let files: [(path: String, bytes: [UInt8])] =
        [("__main__.py", stub), ("__pex__/__init__.py", stub)] + package.map { (directory + $0.name, $0.bytes) }

    /// The runtime's archive entries.
    public static var entries: [ArchiveEntry] { files.map { ArchiveEntry(path: $0.path, content: .bytes($0.bytes)) } }

    /// SHA-256 identity of the runtime (PEX-INFO `bootstrap_hash`), over the paths and bytes of its files.
    public static let hash: String = PexLayout.contentHash(files)
}
