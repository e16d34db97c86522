/// ZIP compression methods pexify reads and writes (APPNOTE 4.4.5). Everything else is rejected:
/// zipimport before CPython 3.14 and AWS Lambda read only these two.
public enum CompressionMethod: UInt16, Sendable {
    case stored = 0
    case deflated = 8
}

/// One entry of an archive as the strict reader found it: the central directory's metadata, checked
/// against the local header, plus where the compressed bytes are, so they can be copied raw.
public struct ZipEntry: Sendable, Hashable {
    /// The member name, `/`-separated; directories end in `/`.
    public var name: String
    public var method: CompressionMethod
    public var crc32: UInt32
    public var compressedSize: UInt64
    public var uncompressedSize: UInt64
    /// Absolute offset of the compressed bytes in the file (prefix included).
    public var dataOffset: UInt64
    /// Absolute offset of the entry's local header in the file.
    public var localHeaderOffset: UInt64
    /// Permission and file-type bits from the external attributes, when the archive was made on Unix.
    public var unixMode: UInt16?

    public var isDirectory: Bool { name.hasSuffix("/") }

    /// Whether the Unix mode marks the entry executable by its owner (wheels mark scripts this way).
    public var isExecutable: Bool { (unixMode ?? 0) & 0o100 != 0 }
}
