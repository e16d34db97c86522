/// The values a [PEP 508 environment marker](https://packaging.python.org/specifications/dependency-specifiers/#environment-markers)
/// is evaluated against, describing the *target* interpreter and machine (never the host).
///
/// Encoded with the PEP 508 key names (`python_version`, `sys_platform`, …), the shape of a pex complete
/// platform's `marker_environment`. Keys missing from such a file decode as `""`: a marker that
/// compares them then evaluates to false, so a package version that depends on an unknown value
/// is not selected by accident.
public struct MarkerEnvironment: Sendable, Hashable, Codable {
    public var implementationName: String
    public var implementationVersion: String
    public var osName: String
    public var platformMachine: String
    public var platformPythonImplementation: String
    public var platformRelease: String
    public var platformSystem: String
    public var platformVersion: String
    public var pythonFullVersion: String
    public var pythonVersion: String
    public var sysPlatform: String

    public init(implementationName: String, implementationVersion: String, osName: String,
                platformMachine: String, platformPythonImplementation: String, platformRelease: String,
                platformSystem: String, platformVersion: String, pythonFullVersion: String,
                pythonVersion: String, sysPlatform: String) {
        self.implementationName = implementationName
        self.implementationVersion = implementationVersion
        self.osName = osName
        self.platformMachine = platformMachine
        self.platformPythonImplementation = platformPythonImplementation
        self.platformRelease = platformRelease
        self.platformSystem = platformSystem
        self.platformVersion = platformVersion
        self.pythonFullVersion = pythonFullVersion
        self.pythonVersion = pythonVersion
        self.sysPlatform = sysPlatform
    }

    /// The variables an environment stores, which are also its encoded keys.
    static let storedVariables = MarkerVariable.allCases.filter { ![.extra, .extras, .dependencyGroups].contains($0) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: MarkerVariable.self)
        func value(_ key: MarkerVariable) throws -> String { try c.decodeIfPresent(String.self, forKey: key) ?? "" }
        self.init(implementationName: try value(.implementationName),
                  implementationVersion: try value(.implementationVersion), osName: try value(.osName),
                  platformMachine: try value(.platformMachine),
                  platformPythonImplementation: try value(.platformPythonImplementation),
                  platformRelease: try value(.platformRelease), platformSystem: try value(.platformSystem),
                  platformVersion: try value(.platformVersion),
                  pythonFullVersion: try value(.pythonFullVersion), pythonVersion: try value(.pythonVersion),
                  sysPlatform: try value(.sysPlatform))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: MarkerVariable.self)
        for variable in Self.storedVariables { try c.encode(self[variable], forKey: variable) }
    }

    /// The value of a marker variable (`extra`, `extras` and `dependency_groups` are not stored here).
    public subscript(variable: MarkerVariable) -> String {
        switch variable {
        case .implementationName: return implementationName
        case .implementationVersion: return implementationVersion
        case .osName: return osName
        case .platformMachine: return platformMachine
        case .platformPythonImplementation: return platformPythonImplementation
        case .platformRelease: return platformRelease
        case .platformSystem: return platformSystem
        case .platformVersion: return platformVersion
        case .pythonFullVersion: return pythonFullVersion
        case .pythonVersion: return pythonVersion
        case .sysPlatform: return sysPlatform
        case .extra, .extras, .dependencyGroups: return ""
        }
    }

    /// The environment as a `[key: value]` dictionary with PEP 508 key names.
    public var dictionary: [String: String] {
        Dictionary(uniqueKeysWithValues: Self.storedVariables.map { ($0.rawValue, self[$0]) })
    }
}

/// A marker variable. Legacy spellings (`os.name`, `sys.platform`, `platform.machine`,
/// `platform.version`, `platform.python_implementation`, `python_implementation`) parse to these.
public enum MarkerVariable: String, Sendable, Hashable, CaseIterable, CodingKey {
    case implementationName = "implementation_name"
    case implementationVersion = "implementation_version"
    case osName = "os_name"
    case platformMachine = "platform_machine"
    case platformPythonImplementation = "platform_python_implementation"
    case platformRelease = "platform_release"
    case platformSystem = "platform_system"
    case platformVersion = "platform_version"
    case pythonFullVersion = "python_full_version"
    case pythonVersion = "python_version"
    case sysPlatform = "sys_platform"
    /// The extra being requested (metadata `Requires-Dist` context).
    case extra
    /// The set of requested extras (lock-file context, `"x" in extras`).
    case extras
    /// The set of requested dependency groups (lock-file context).
    case dependencyGroups = "dependency_groups"

    /// Fields compared as PEP 440 versions when both sides parse (spec amended January 2026).
    var isVersionField: Bool {
        switch self {
        case .pythonVersion, .pythonFullVersion, .implementationVersion, .platformRelease: return true
        default: return false
        }
    }

    /// Parses a variable name as written in a marker, legacy dotted spellings included.
    init?(spelling: Substring) {
        switch spelling {
        case "os.name": self = .osName
        case "sys.platform": self = .sysPlatform
        case "platform.version": self = .platformVersion
        case "platform.machine": self = .platformMachine
        case "platform.python_implementation", "python_implementation": self = .platformPythonImplementation
        default: self.init(rawValue: String(spelling))
        }
    }
}
