import Foundation

/// Local Python projects and source distributions for the build-frontend tests, written by each test.
public enum SourceProjects {
    /// The PEP 517 backends' wheels (and `six`) for this machine's Python, from scripts/setup-test-env.sh.
    public static let backendWheels = TestEnvironment.packageRoot + "/.venv-test/build-wheelhouse"
    /// Real sdists of projects that never published a wheel, from scripts/setup-test-env.sh.
    public static let sdists = TestEnvironment.packageRoot + "/.venv-test/sdists"
    /// Whether scripts/setup-test-env.sh has downloaded both.
    public static var prepared: Bool {
        FileManager.default.fileExists(atPath: backendWheels) && FileManager.default.fileExists(atPath: sdists)
    }

    /// The `[build-system]` table and backend-specific configuration of each PEP 517 backend the tests use.
    public static let backends: [String: (buildSystem: String, tool: String)] = [
        "setuptools": (#"requires = ["setuptools>=61"]\#nbuild-backend = "setuptools.build_meta""#,
                       "[tool.setuptools.packages.find]\nwhere = [\"src\"]\n"),
        "hatchling": (#"requires = ["hatchling"]\#nbuild-backend = "hatchling.build""#,
                      "[tool.hatch.build.targets.wheel]\npackages = [\"src/acme_hatchling\"]\n"),
        "flit": (#"requires = ["flit_core>=3.4,<5"]\#nbuild-backend = "flit_core.buildapi""#, ""),
        "pdm": (#"requires = ["pdm-backend"]\#nbuild-backend = "pdm.backend""#, ""),
    ]

    /// A `src/`-layout project `acme-<backend>` (module `acme_<backend>`) whose `answer()` returns
    /// `answer`, depending on `dependencies`, with optional extras.
    @discardableResult
    public static func writeProject(in directory: TemporaryDirectory, at path: String, backend: String,
                                    answer: String, dependencies: [String] = [],
                                    extras: [String: [String]] = [:], name: String? = nil) throws -> String {
        let name = name ?? "acme-\(backend)"
        let module = name.replacingOccurrences(of: "-", with: "_")
        let (buildSystem, tool) = backends[backend]!
        func list(_ items: [String]) -> String { "[" + items.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
        var pyproject = """
            [build-system]
            \(buildSystem)

            [project]
            name = "\(name)"
            version = "1.0"
            description = "A test project built by pexify's PEP 517 frontend"
            requires-python = ">=3.8"
            dependencies = \(list(dependencies))

            """
        if !extras.isEmpty {
            pyproject += "[project.optional-dependencies]\n"
                + extras.sorted { $0.key < $1.key }.map { "\($0.key) = \(list($0.value))\n" }.joined()
        }
        pyproject += "\n" + tool.replacingOccurrences(of: "acme_hatchling", with: module)
        try directory.write(path + "/pyproject.toml", pyproject)
        try directory.write(path + "/src/\(module)/__init__.py", """
            \"\"\"The \(name) test package.\"\"\"

            def answer():
                return \(answer.debugDescription)
            """)
        return directory.child(path)
    }

    /// A local setuptools project `native/` that claims extension modules, so its wheel is
    /// platform-specific (`cpXY-cpXY-linux_…`) without a compiler; returns its directory.
    @discardableResult
    public static func writeNativeProject(in directory: TemporaryDirectory) throws -> String {
        try directory.write("native/setup.py", """
            from setuptools import setup
            from setuptools.dist import Distribution
            class Native(Distribution):
                def has_ext_modules(self):
                    return True
            setup(name="native-project", version="1.0", py_modules=["native_project"], distclass=Native)
            """)
        try directory.write("native/native_project.py", "")
        return directory.child("native")
    }

    /// A legacy (setup.py only) source distribution `<name>-<version>.tar.gz` in `destination`, with
    /// PKG-INFO of `metadataVersion` (below 2.2 its metadata must come from the backend, PEP 643). With `native`, the
    /// distribution claims extension modules, so the wheel is platform-specific (`cpXY-cpXY-linux_…`)
    /// without a compiler.
    public static func makeSdist(name: String, version: String, module: String, answer: String, native: Bool = false,
                                 metadataVersion: String = "2.1", dependencies: [String] = [],
                                 into destination: String) throws {
        let root = "\(name)-\(version)"
        let setup = """
            from setuptools import setup
            from setuptools.dist import Distribution

            class Native(Distribution):
                def has_ext_modules(self):
                    return \(native ? "True" : "False")

            setup(name=\(name.debugDescription), version=\(version.debugDescription), packages=[\(module.debugDescription)],
                  install_requires=\(dependencies.debugDescription), distclass=Native)
            """
        _ = try python("""
            import io, sys, tarfile
            destination, root, module, answer, setup, metadata_version, requires = sys.argv[1:8]
            files = {
                root + "/setup.py": setup,
                root + "/PKG-INFO": "Metadata-Version: %s\\nName: %s\\nVersion: %s\\n%s" % (
                    (metadata_version,) + tuple(root.rsplit("-", 1))
                    + ("".join("Requires-Dist: %s\\n" % r for r in requires.split("\\n") if r),)),
                root + "/" + module + "/__init__.py": "def answer():\\n    return %r\\n" % answer,
            }
            with tarfile.open(destination + "/" + root + ".tar.gz", "w:gz") as archive:
                for path, text in sorted(files.items()):
                    data = text.encode()
                    info = tarfile.TarInfo(path)
                    info.size = len(data)
                    info.mtime = 315532800
                    archive.addfile(info, io.BytesIO(data))
            """, arguments: [destination, root, module, answer, setup, metadataVersion, dependencies.joined(separator: "\n")])
    }
}
