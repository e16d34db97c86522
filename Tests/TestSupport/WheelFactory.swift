import Foundation

/// A small wheel to generate for resolver tests: real zip files written by CPython's `zipfile`,
/// with a METADATA that declares what the test needs.
public struct WheelSpec: Codable, Sendable {
    public var name: String
    public var version: String
    public var tags: String
    public var requiresDist: [String]
    public var requiresPython: String?
    public var providesExtra: [String]

    public init(_ name: String, _ version: String, tags: String = "py3-none-any", requires: [String] = [],
                requiresPython: String? = nil, extras: [String] = []) {
        self.name = name
        self.version = version
        self.tags = tags
        self.requiresDist = requires
        self.requiresPython = requiresPython
        self.providesExtra = extras
    }

    /// The wheel's filename (PEP 427, with the name's `-`/`.` written as `_`).
    public var filename: String {
        let escaped = name.replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: ".", with: "_")
        return "\(escaped)-\(version)-\(tags).whl"
    }
}

public enum WheelFactory {
    /// Writes every wheel into `directory` (one Python run) and returns their paths in order.
    @discardableResult
    public static func make(_ specs: [WheelSpec], in directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let json = String(decoding: try JSONEncoder().encode(specs), as: UTF8.self)
        let code = #"""
import base64, hashlib, json, sys, zipfile
specs, out = json.loads(sys.argv[1]), sys.argv[2]
for s in specs:
    dist = s["name"].replace("-", "_").replace(".", "_")
    info = f'{dist}-{s["version"]}.dist-info'
    meta = ["Metadata-Version: 2.1", f'Name: {s["name"]}', f'Version: {s["version"]}']
    if s.get("requiresPython"): meta.append(f'Requires-Python: {s["requiresPython"]}')
    meta += [f"Provides-Extra: {e}" for e in s["providesExtra"]]
    meta += [f"Requires-Dist: {r}" for r in s["requiresDist"]]
    files = {
        f"{dist.lower()}/__init__.py": f'VERSION = "{s["version"]}"\n',
        f"{info}/METADATA": "\n".join(meta) + "\n\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: pexify-tests\nRoot-Is-Purelib: true\n"
            + "".join(f"Tag: {t}\n" for t in [s["tags"]]),
    }
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(text.encode())}")
    record.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = "\n".join(record) + "\n"
    path = f'{out}/{dist}-{s["version"]}-{s["tags"]}.whl'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            info_ = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info_.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info_, text)
    print(path)
"""#
        let output = try python(code, arguments: [json, directory])
        return output.split(separator: "\n").map(String.init)
    }

    /// The sha256 of a file, computed by Python's hashlib (an oracle independent of our code).
    public static func sha256(_ path: String) throws -> String {
        try python("import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],'rb').read()).hexdigest())",
                   arguments: [path]).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
