import Foundation

/// A small wheel to generate for resolver tests, in the terms of its METADATA; written as a ``TestWheel``.
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
    public var filename: String { wheel.filename }

    /// The wheel itself: one module, `<name>/__init__.py`, that knows its version.
    public var wheel: TestWheel {
        let module = name.lowercased().replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: ".", with: "_")
        var wheel = TestWheel(name: name, version: version, tag: tags,
                              files: ["\(module)/__init__.py": "VERSION = \"\(version)\"\n"], requires: requiresDist)
        wheel.requiresPython = requiresPython
        wheel.extras = providesExtra
        return wheel
    }
}

public enum WheelFactory {
    /// Writes every wheel into `directory` (one Python run) and returns their paths in order.
    @discardableResult
    public static func make(_ specs: [WheelSpec], in directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try TestWheel.write(specs.map(\.wheel), into: directory)
    }

    /// The sha256 of a file, computed by Python's hashlib (an oracle independent of our code).
    public static func sha256(_ path: String) throws -> String {
        try python("import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],'rb').read()).hexdigest())",
                   arguments: [path]).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
