/// Sizes as people read them, in one convention for the whole program: binary units labelled as such
/// (KiB, MiB, GiB). AWS Lambda's documented "MB" limits are MiB, so they print as MiB too.
public enum ByteCount {
    /// `512 B`, `1.5 KiB`, `48.0 MiB`, `2.9 GiB`: one decimal above 1 KiB.
    public static func format(_ bytes: some BinaryInteger) -> String {
        let value = Int64(clamping: bytes)
        if value.magnitude < 1024 { return "\(value) B" }
        for (unit, scale) in [("GiB", Int64(1) << 30), ("MiB", Int64(1) << 20), ("KiB", Int64(1) << 10)]
        where value.magnitude >= UInt64(scale) {
            // Rounded to tenths in integers, so the text never depends on the host's locale or floats.
            let tenths = (value * 10 + scale / 2) / scale
            return "\(tenths / 10).\(tenths % 10) \(unit)"
        }
        return "\(value) B"
    }

    /// `262,144,000`: digits grouped by thousands, independent of the locale.
    public static func grouped(_ value: some BinaryInteger) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }
}
