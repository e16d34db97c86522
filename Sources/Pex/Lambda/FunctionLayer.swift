import Installer
import ZipArchive

/// A Lambda layer zip that the function will use (`--with-layer`), read from its central directory.
///
/// Lambda extracts each layer to `/opt` in the function's order, later layers over earlier ones, and puts
/// `/opt/python/lib/pythonX.Y/site-packages` and `/opt/python` on `sys.path` after the function's own
/// `/var/task`; the function and its layers together must unzip to at most 250 MiB
/// (docs/formats/lambda-layout.md).
public struct FunctionLayer: Sendable {
    /// The layer zip as given.
    public var path: String
    public var files: [ZipEntry]
    public var unzippedBytes: UInt64

    /// - Throws: `ZipError` from the strict reader when `path` is missing or not a zip.
    public init(path: String) throws {
        let reader = try ZipReader(path: path)
        self.path = path
        files = reader.entries.filter { !$0.isDirectory }
        unzippedBytes = files.reduce(0) { $0 + $1.uncompressedSize }
    }

    /// How messages name the layer.
    public var label: String { "layer '\(path)'" }

    public var budgetPart: LambdaBudget.Part { LambdaBudget.Part(name: label, unzippedBytes: Int(unzippedBytes)) }

    /// The directories of a layer that Python imports from, most preferred first.
    static func importRoots(pythonVersion: String) -> [String] {
        ["python/lib/python\(pythonVersion)/site-packages/", "python/"]
    }

    /// The layer's shared objects and executables, for the native-code check; their paths name the layer.
    var nativeCandidates: [ArchiveEntry] {
        files.map { ArchiveEntry(path: "\(path):\($0.name)", content: .rawCopy(archive: path, entry: $0),
                                 executable: $0.isExecutable) }
            .filter(NativeCheck.isCandidate)
    }
}
