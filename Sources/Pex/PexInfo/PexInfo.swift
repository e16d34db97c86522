import Basics
import Foundation

/// The `PEX-INFO` file of a pexify PEX: what the bootstrap (Resources/bootstrap/pexify_boot) needs to
/// run the archive, stored as canonical JSON (docs/formats/pex.md).
///
/// Field names follow pex where the meaning is the same (`entry_point`, `distributions`,
/// `requirements`, `inherit_path`, `code_hash`, `bootstrap_hash`, `pex_hash`); ours is
/// `extracted_distributions`. Hashes are SHA-256 hex digests derived from bytes pexify already knows
/// (wheel hashes, generated and user files), never from a pass over inflated wheel contents.
public struct PexInfo: Sendable, Equatable {
    /// How the host interpreter's own `sys.path` entries (site-packages, PYTHONPATH, a Lambda runtime's
    /// directories) rank against the PEX's dependencies; the standard library always comes first.
    public enum InheritPath: String, Sendable, CaseIterable {
        /// Drop them.
        case `false`
        /// Keep them before the dependencies.
        case prefer
        /// Keep them after the dependencies (the default, so a host's layers stay importable).
        case fallback
    }

    /// `module:function` (called, its result is the exit status) or `module` (run as `__main__`);
    /// `nil` makes the PEX behave like the Python interpreter.
    public var entryPoint: String?
    /// The top-level requirement strings the PEX was built from, sorted.
    public var requirements: [String]
    /// Wheel file name (the directory under `.deps/`) → fingerprint: the SHA-256 of the wheel file.
    /// The runtime keys its caches (extracted files, bytecode) by it.
    public var distributions: [String: String]
    /// Wheel file names of the distributions unpacked into PEX_ROOT at first run because they cannot be
    /// imported from a zip (native code, or code that needs real files); the rest imports from the zip.
    public var extractedDistributions: Set<String>
    public var inheritPath: InheritPath
    /// Identity of the user code at the root (see `PexLayout.codeHash`).
    public var codeHash: String
    /// Identity of the embedded bootstrap (`PexBootstrap.hash`).
    public var bootstrapHash: String

    public init(entryPoint: String? = nil, requirements: [String] = [], distributions: [String: String] = [:],
                extractedDistributions: Set<String> = [], inheritPath: InheritPath = .fallback,
                codeHash: String, bootstrapHash: String) {
        self.entryPoint = entryPoint
        self.requirements = requirements.sorted()
        self.distributions = distributions
        self.extractedDistributions = extractedDistributions
        self.inheritPath = inheritPath
        self.codeHash = codeHash
        self.bootstrapHash = bootstrapHash
    }

    /// The fields without `pex_hash`.
    private var content: [String: CanonicalJSON] {
        var object: [String: CanonicalJSON] = [
            "bootstrap_hash": .string(bootstrapHash),
            "code_hash": .string(codeHash),
            "distributions": .object(distributions.mapValues { .string($0) }),
            "extracted_distributions": .array(extractedDistributions.sorted().map { .string($0) }),
            "inherit_path": .string(inheritPath.rawValue),
            "requirements": .array(requirements.map { .string($0) }),
        ]
        if let entryPoint { object["entry_point"] = .string(entryPoint) }
        return object
    }

    /// SHA-256 of the canonical JSON of every other field: the identity of everything the PEX runs
    /// (code, dependencies, runtime, options), but not of its shebang or compression, usable as a
    /// cache key (docs/formats/pex.md).
    public var pexHash: String { sha256Hex(CanonicalJSON.object(content).bytes) }

    /// The `PEX-INFO` bytes: canonical JSON including `pex_hash`.
    public var json: [UInt8] {
        var object = content
        object["pex_hash"] = .string(pexHash)
        return CanonicalJSON.object(object).bytes
    }

    /// Reads `PEX-INFO` bytes back.
    /// - Throws: `PexError.malformedPexInfo` naming the field that is missing or of the wrong type.
    public init(json: [UInt8]) throws {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else {
            throw PexError.malformedPexInfo(reason: "it is not a JSON object")
        }
        func field<T>(_ name: String, _ type: T.Type) throws -> T {
            guard let value = object[name] as? T else {
                throw PexError.malformedPexInfo(reason: "the field '\(name)' is missing or not a \(T.self)")
            }
            return value
        }
        let inherit = try field("inherit_path", String.self)
        guard let inheritPath = InheritPath(rawValue: inherit) else {
            throw PexError.malformedPexInfo(reason: "inherit_path '\(inherit)' is not false, prefer or fallback")
        }
        self.init(
            entryPoint: object["entry_point"] as? String,
            requirements: try field("requirements", [String].self),
            distributions: try field("distributions", [String: String].self),
            extractedDistributions: Set(try field("extracted_distributions", [String].self)),
            inheritPath: inheritPath,
            codeHash: try field("code_hash", String.self),
            bootstrapHash: try field("bootstrap_hash", String.self))
    }
}
