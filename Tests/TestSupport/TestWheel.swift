import Foundation

/// A small wheel written by Python's `zipfile` for tests: any entries (`.data/…` included), a correct
/// `RECORD` (sha256 of every file, PEP 376), `WHEEL` and `METADATA`.
public struct TestWheel: Sendable {
    public var name: String
    public var version: String
    public var tag: String
    /// Entry name → contents. Names under `{dist}-{version}.dist-info/` are added to the generated ones.
    public var files: [String: [UInt8]]
    /// Entry names stored with mode 0755.
    public var executables: Set<String>
    public var rootIsPurelib: Bool
    public var requires: [String]
    /// `Requires-Python`, when the wheel declares one.
    public var requiresPython: String?
    /// `Provides-Extra` names.
    public var extras: [String] = []
    /// Extra metadata for the generated `.dist-info`: `entry_points.txt` contents.
    public var entryPoints: String?
    /// Entry name → size of a file of zero bytes, generated while writing (for size-limit tests).
    public var zeroFiles: [String: Int] = [:]
    /// Entry name → size of a file of incompressible pseudo-random bytes (seeded by the name).
    public var randomFiles: [String: Int] = [:]

    public init(name: String, version: String = "1.0", tag: String = "py3-none-any", files: [String: String],
                executables: Set<String> = [], rootIsPurelib: Bool = true, requires: [String] = [],
                entryPoints: String? = nil) {
        self.name = name
        self.version = version
        self.tag = tag
        self.files = files.mapValues { Array($0.utf8) }
        self.executables = executables
        self.rootIsPurelib = rootIsPurelib
        self.requires = requires
        self.entryPoints = entryPoints
    }

    /// The PEP 427 escaped distribution name (`demo-pkg` → `demo_pkg`).
    public var escapedName: String {
        name.replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: ".", with: "_")
    }
    public var filename: String { "\(escapedName)-\(version)-\(tag).whl" }
    public var distInfo: String { "\(escapedName)-\(version).dist-info" }

    /// Writes the wheel into `directory` and returns its path.
    @discardableResult
    public func write(into directory: String) throws -> String {
        try Self.write([self], into: directory)[0]
    }

    /// Writes every wheel into `directory` in one Python run and returns their paths in order.
    @discardableResult
    public static func write(_ wheels: [TestWheel], into directory: String) throws -> [String] {
        let specs: [[String: Any]] = wheels.map { wheel in
            var spec: [String: Any] = [
                "path": directory + "/" + wheel.filename, "distinfo": wheel.distInfo, "name": wheel.name,
                "version": wheel.version, "tag": wheel.tag, "purelib": wheel.rootIsPurelib,
                "requires": wheel.requires, "extras": wheel.extras, "executables": Array(wheel.executables),
                "files": wheel.files.mapValues { Data($0).base64EncodedString() }, "zeros": wheel.zeroFiles,
                "random": wheel.randomFiles,
            ]
            if let entryPoints = wheel.entryPoints { spec["entry_points"] = entryPoints }
            if let requiresPython = wheel.requiresPython { spec["requires_python"] = requiresPython }
            return spec
        }
        let json = try JSONSerialization.data(withJSONObject: specs, options: [.sortedKeys])
        _ = try python(script, stdin: Array(json))
        return wheels.map { directory + "/" + $0.filename }
    }

    private static let script = """
        import base64, hashlib, json, random, sys, zipfile
        def write(spec):
            files = {k: base64.b64decode(v) for k, v in spec["files"].items()}
            files.update({k: random.Random(k).randbytes(n) for k, n in spec["random"].items()})
            di = spec["distinfo"]
            meta = f"Metadata-Version: 2.1\\nName: {spec['name']}\\nVersion: {spec['version']}\\n"
            if "requires_python" in spec:
                meta += f"Requires-Python: {spec['requires_python']}\\n"
            meta += "".join(f"Provides-Extra: {e}\\n" for e in spec["extras"])
            meta += "".join(f"Requires-Dist: {r}\\n" for r in spec["requires"])
            files[f"{di}/METADATA"] = meta.encode()
            files[f"{di}/WHEEL"] = (f"Wheel-Version: 1.0\\nGenerator: pexify-tests\\n"
                f"Root-Is-Purelib: {'true' if spec['purelib'] else 'false'}\\nTag: {spec['tag']}\\n").encode()
            if "entry_points" in spec:
                files[f"{di}/entry_points.txt"] = spec["entry_points"].encode()
            def digest(data):
                return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record = "".join(f"{n},{digest(d)},{len(d)}\\n" for n, d in sorted(files.items()))
            chunk = bytes(1 << 20)
            for name, size in sorted(spec["zeros"].items()):
                h = hashlib.sha256()
                for offset in range(0, size, len(chunk)):
                    h.update(chunk[: min(len(chunk), size - offset)])
                record += f"{name},sha256={base64.urlsafe_b64encode(h.digest()).rstrip(b'=').decode()},{size}\\n"
            files[f"{di}/RECORD"] = (record + f"{di}/RECORD,,\\n").encode()
            with zipfile.ZipFile(spec["path"], "w", zipfile.ZIP_DEFLATED) as z:
                for name, size in sorted(spec["zeros"].items()):
                    info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
                    info.external_attr = 0o100644 << 16
                    info.compress_type = zipfile.ZIP_DEFLATED
                    with z.open(info, "w") as f:
                        for offset in range(0, size, len(chunk)):
                            f.write(chunk[: min(len(chunk), size - offset)])
                for n in sorted(files, key=lambda n: (n.startswith(di), n)):
                    info = zipfile.ZipInfo(n, (1980, 1, 1, 0, 0, 0))
                    info.external_attr = (0o100755 if n in spec["executables"] else 0o100644) << 16
                    info.compress_type = zipfile.ZIP_DEFLATED
                    z.writestr(info, files[n])
        for spec in json.load(sys.stdin):
            write(spec)
        """
}
