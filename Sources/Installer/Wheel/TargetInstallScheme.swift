/// Where `pip install --target T` puts each entry of a wheel, as a path relative to `T`.
///
/// pip installs into a temporary `--home` scheme and moves it into `T`, so the root of the wheel and its
/// `.data/purelib` and `.data/platlib` directories all land at the top of `T`; `.data/scripts` goes to
/// `bin/`, `.data/headers` to `include/site/pythonX.Y/<project>/` and `.data/data` to the top of `T`
/// ([PEP 427](https://peps.python.org/pep-0427/), *Binary distribution format*, "Installing a wheel";
/// docs/formats/wheel-install.md, verified with pip 26.3).
struct TargetInstallScheme: Sendable, Equatable {
    /// The wheel's `{name}-{version}.data/` directory, with its trailing slash.
    var dataDirectory: String
    /// The project name as written in `METADATA` (pip names the headers directory after it).
    var projectName: String
    /// The target interpreter's `X.Y`, which names the headers directory.
    var pythonVersion: String

    /// The five install-scheme keys a wheel may use below its `.data` directory.
    static let schemeKeys: Set<String> = ["purelib", "platlib", "scripts", "headers", "data"]

    /// The install path of a wheel entry, or `nil` for a directory of the `.data` tree itself (directories
    /// are implied by the files inside them).
    /// - Throws: `WheelError.unknownSchemeKey` for a `.data/<key>/` directory that is not one of the five keys.
    func installPath(ofEntry name: String, wheel: String) throws(WheelError) -> String? {
        // By bytes: asked of every entry of every wheel, and entry names are bytes, not Unicode text.
        guard name.utf8.starts(with: dataDirectory.utf8) else { return name }
        let inside = name.dropFirst(dataDirectory.count)
        guard let slash = inside.firstIndex(of: "/") else {
            if inside.isEmpty { return nil }
            throw .unknownSchemeKey(wheel: wheel, entry: name, key: String(inside))
        }
        let key = String(inside[..<slash])
        let rest = String(inside[inside.index(after: slash)...])
        guard Self.schemeKeys.contains(key) else { throw .unknownSchemeKey(wheel: wheel, entry: name, key: key) }
        if rest.isEmpty { return nil }
        switch key {
        case "scripts": return "bin/" + rest
        case "headers": return "include/site/python\(pythonVersion)/\(projectName)/" + rest
        default: return rest  // purelib, platlib and data all install at the top of the target
        }
    }
}
