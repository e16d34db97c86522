/// Which importable modules of a function and its layers hide each other on `sys.path`.
///
/// A module is the outermost regular package (a directory with `__init__.py`) that holds a Python file or
/// extension, or the file itself when no directory above it has an `__init__.py` (namespace packages such
/// as `google/` merge across `sys.path` entries and so hide nothing). One module hides another when they
/// have the same dotted name or one is inside the other.
enum ModuleShadowing {
    /// A module and where it came from.
    struct Module: Hashable {
        var name: String
        /// The archive (or layer) path of the file or package directory.
        var path: String
    }

    /// The modules of the files below `root` (`""` for a function zip, `python/` in a layer); files
    /// outside it are not importable from there.
    static func modules(of paths: some Sequence<String>, root: String) -> [String: Module] {
        let relative = paths.filter { $0.hasPrefix(root) }.map { String($0.dropFirst(root.count)) }
        let packages = Set(relative.filter { $0.hasSuffix("/__init__.py") }.map { String($0.dropLast("/__init__.py".count)) })
        var modules: [String: Module] = [:]
        for path in relative {
            let components = path.split(separator: "/").map(String.init)
            // Only identifiers import: not `numpy.libs/`, `x.dist-info/`, `site-packages/` or `my-script.py`.
            guard let leaf = components.last, isModuleFile(leaf), path != "__init__.py",
                  (components.dropLast() + [String(leaf.prefix { $0 != "." })]).allSatisfy(isIdentifier),
                  !components.contains("__pycache__")
            else { continue }
            var module: Module?
            for depth in 1..<components.count where packages.contains(components[..<depth].joined(separator: "/")) {
                module = Module(name: components[..<depth].joined(separator: "."),
                                path: root + components[..<depth].joined(separator: "/") + "/")
                break
            }
            let stem = String(leaf.prefix { $0 != "." })
            let found = module ?? Module(name: (components.dropLast() + [stem]).joined(separator: "."), path: root + path)
            if modules[found.name] == nil { modules[found.name] = found }
        }
        return modules
    }

    static func isIdentifier(_ name: String) -> Bool {
        !name.isEmpty && !name.first!.isNumber && name.allSatisfy { $0 == "_" || $0.isLetter || $0.isNumber }
    }

    /// `x.py` and extension modules (`x.cpython-312-x86_64-linux-gnu.so`, `x.abi3.so`, `x.so`, `x.pyd`).
    static func isModuleFile(_ leaf: String) -> Bool {
        !leaf.hasPrefix(".") && (leaf.hasSuffix(".py") || leaf.hasSuffix(".so") || leaf.hasSuffix(".pyd"))
    }

    /// The pairs where a module of `first` hides one of `second` (same name, or one inside the other).
    static func clashes(_ first: [String: Module], _ second: [String: Module]) -> [(Module, Module)] {
        var found: [(Module, Module)] = []
        for (name, module) in first.sorted(by: { $0.key < $1.key }) {
            let parts = name.split(separator: ".")
            for depth in 1...parts.count {
                if let other = second[parts[..<depth].joined(separator: ".")] { found.append((module, other)); break }
            }
            if second[name] == nil {
                for (otherName, other) in second.sorted(by: { $0.key < $1.key }) where otherName.hasPrefix(name + ".") {
                    found.append((module, other))
                    break
                }
            }
        }
        return found
    }

    /// The warnings for a function zip (`ownRoot` `""`) or a layer being built (`python/`) used together
    /// with `layers`, in the function's layer order.
    /// - Parameter own: the archive's files and their owners.
    static func warnings(own: [String: String], ownRoot: String, buildingLayer: Bool, layers: [FunctionLayer],
                         pythonVersion: String) -> [String] {
        // Without layers nothing can be hidden, and listing the modules of a large archive is not free.
        guard !layers.isEmpty else { return [] }
        let roots = FunctionLayer.importRoots(pythonVersion: pythonVersion)
        let ownModules = modules(of: own.keys, root: ownRoot)
        let layerModules = layers.map { layer in
            roots.reduce(into: [String: Module]()) { merged, root in
                merged.merge(modules(of: layer.files.map(\.name), root: root)) { kept, _ in kept }
            }
        }
        var warnings: [String] = []
        for (index, layer) in layers.enumerated() {
            for (mine, theirs) in clashes(ownModules, layerModules[index]) {
                let owner = own[mine.path] ?? own.keys.filter { $0.hasPrefix(mine.path) }.min().flatMap { own[$0] }
                    ?? "the archive"
                warnings.append(buildingLayer
                    ? "The module '\(mine.name)' of this layer ('\(mine.path)', from \(owner)) and '\(theirs.name)' of "
                        + "\(layer.label) ('\(theirs.path)') hide each other: whichever layer comes later in the "
                        + "function's layer list replaces or comes before the other's."
                    : "The function's module '\(mine.name)' ('\(mine.path)', from \(owner)) hides '\(theirs.name)' of "
                        + "\(layer.label) ('\(theirs.path)'): Lambda puts the function's /var/task first on sys.path.")
            }
            for later in layers.indices where later > index {
                for (earlier, replacing) in clashes(layerModules[index], layerModules[later]) {
                    warnings.append("The module '\(replacing.name)' of \(layers[later].label) ('\(replacing.path)') "
                        + "hides '\(earlier.name)' of \(layer.label) ('\(earlier.path)'): the later layer is "
                        + "extracted over the earlier one.")
                }
            }
        }
        return warnings
    }
}
