import Foundation

/// Damage done to one entry of a real wheel, the ways disks, networks and hand edits damage archives.
/// Offsets come from Python's `zipfile` and the APPNOTE record layouts, not from our reader.
public enum WheelMutation: String, CaseIterable, Sendable {
    /// One bit flipped in the middle of the entry's compressed bytes.
    case dataBit = "data-bit"
    /// One bit flipped in the CRC-32 field of the local header only.
    case localCRCBit = "local-crc-bit"
    /// One bit flipped in the name of the local header only.
    case localNameBit = "local-name-bit"
    /// One bit flipped in the CRC-32 field of the central header only.
    case centralCRCBit = "central-crc-bit"
    /// One bit flipped in the uncompressed size of the central header only.
    case centralSizeBit = "central-size-bit"
    /// One bit flipped in the end record's central directory offset.
    case endBit = "end-bit"
    /// The same wrong CRC-32 in both headers.
    case crcBoth = "crc-both"
    /// The same wrong uncompressed size in both headers.
    case sizeBoth = "size-both"
    /// The same wrong (one byte short) compressed size in both headers.
    case compressedSizeBoth = "compressed-size-both"
    /// The last 40 bytes cut off.
    case truncate
    /// Bytes appended after the end record.
    case trailing
    /// One byte of the entry changed at the same size, the archive rewritten with correct CRC-32s: only
    /// `RECORD`'s sha256 contradicts it.
    case record

    /// Applies the damage to `entry` of the wheel at `path`, in place.
    public func apply(to path: String, entry: String) throws {
        _ = try python(Self.script, arguments: [path, rawValue, entry])
    }

    private static let script = """
    import struct, sys, zipfile
    path, kind, entry = sys.argv[1:4]
    data = bytearray(open(path, "rb").read())
    if kind == "record":
        # Same size, new bytes, correct CRC-32: only RECORD's sha256 can tell.
        with zipfile.ZipFile(path) as z:
            items = [(info, z.read(info)) for info in z.infolist()]
        with zipfile.ZipFile(path, "w") as z:
            for info, content in items:
                if info.filename == entry:
                    content = bytes([content[0] ^ 0x01]) + content[1:]
                z.writestr(info, content)
        sys.exit(0)
    info = zipfile.ZipFile(path).getinfo(entry)
    eocd = data.rfind(b"PK\\x05\\x06")
    central = struct.unpack("<I", data[eocd + 16:eocd + 20])[0]
    while True:
        assert data[central:central + 4] == b"PK\\x01\\x02"
        n, e, c = struct.unpack("<HHH", data[central + 28:central + 34])
        if data[central + 46:central + 46 + n].decode() == entry:
            break
        central += 46 + n + e + c
    local = info.header_offset
    n, e = struct.unpack("<HH", data[local + 26:local + 30])
    start = local + 30 + n + e
    def add(offset, delta):
        data[offset:offset + 4] = struct.pack("<I", (struct.unpack("<I", data[offset:offset + 4])[0] + delta) % 2**32)
    if kind == "data-bit":
        data[start + info.compress_size // 2] ^= 0x10
    elif kind == "local-crc-bit":
        data[local + 14] ^= 0x01
    elif kind == "local-name-bit":
        data[local + 30] ^= 0x02
    elif kind == "central-crc-bit":
        data[central + 16] ^= 0x01
    elif kind == "central-size-bit":
        data[central + 24] ^= 0x01
    elif kind == "end-bit":
        data[eocd + 16] ^= 0x01
    elif kind == "crc-both":
        add(local + 14, 1); add(central + 16, 1)
    elif kind == "size-both":
        add(local + 22, 1); add(central + 24, 1)
    elif kind == "compressed-size-both":
        add(local + 18, -1); add(central + 20, -1)
    elif kind == "truncate":
        del data[len(data) - 40:]
    elif kind == "trailing":
        data += b"trailing garbage"
    else:
        raise SystemExit("unknown mutation " + kind)
    open(path, "wb").write(data)
    """
}
