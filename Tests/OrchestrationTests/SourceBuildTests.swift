import BuildFrontend
import Foundation
@testable import Orchestration
import Pex
import Resolver
import TestSupport
import Testing

/// Building from source (issue 17) through whole builds: the user's own projects with every common
/// PEP 517 backend, a monorepo library by path, real sdists from a loopback pypiserver, the refusals
/// (`--only-binary`, native code for a foreign target) and the built-wheel cache. Build environments
/// are resolved from the real backend wheels that scripts/setup-test-env.sh downloaded; every archive
/// runs under the real Lambda runtime client.
@Suite(.serialized, .enabled(if: SourceProjects.prepared,
                             "needs .venv-test/build-wheelhouse and .venv-test/sdists from scripts/setup-test-env.sh"))
struct SourceBuildTests {
    static let backendWheels = SourceProjects.backendWheels
    static let sdists = SourceProjects.sdists

    static let handler = """
        import importlib, sys

        def handler(event, context):
            module = importlib.import_module(event["module"])
            import six
            return {"answer": module.answer(), "six": six.__version__}
        """

    static func request(_ directory: TemporaryDirectory, inputs: RequirementInputs, runtime: String = "python3.11",
                        architecture: String = "x86_64", index: IndexOptions? = nil) throws -> BuildRequest {
        let function = try directory.write("function/lambda_function.py", handler)
        return BuildRequest(
            layout: .zip, inputs: inputs, target: .lambda(runtime: runtime, architecture: architecture),
            index: index ?? IndexOptions(findLinks: [backendWheels], noIndex: true, cacheDirectory: directory.child("cache")),
            sourcesDirectories: [(function as NSString).deletingLastPathComponent],
            handler: "lambda_function:handler", output: directory.child("function.zip"))
    }

    static func invoke(_ zip: String, module: String) throws -> [LambdaOutcome] {
        try LambdaEmulator.invoke(functionZip: zip, handler: "lambda_function.handler",
                                  events: [#"{"module": "\#(module)"}"#])
    }

    @Test(arguments: ["setuptools", "hatchling", "flit", "pdm"])
    func localProjectOfEachBackend(_ backend: String) async throws {
        let directory = try TemporaryDirectory("pexify-project")
        defer { directory.remove() }
        let project = try SourceProjects.writeProject(in: directory, at: "acme", backend: backend, answer: backend,
                                                      dependencies: ["six>=1.16"])
        var inputs = RequirementInputs()
        inputs.projects = [project]
        let summary = try await Build.run(try Self.request(directory, inputs: inputs))
        #expect(summary.distributions.map(\.name) == ["acme-\(backend)", "six"])
        #expect(summary.distributions[0].wheel.hasSuffix("-py3-none-any.whl"), "\(summary.distributions)")
        let outcomes = try Self.invoke(summary.output, module: "acme_\(backend)")
        #expect(outcomes == [.response(#"{"answer": "\#(backend)", "six": "1.17.0"}"#)],
                "\(outcomes)")
    }

    /// A function of a monorepo lists its sibling library by relative path, with an extra, in its
    /// requirements file; the library's extra brings `six`.
    @Test func monorepoLibraryByPath() async throws {
        let directory = try TemporaryDirectory("pexify-monorepo")
        defer { directory.remove() }
        try SourceProjects.writeProject(in: directory, at: "repo/libs/shared", backend: "hatchling", answer: "shared",
                                        extras: ["six": ["six"]], name: "shared-lib")
        let requirements = try directory.write("repo/functions/api/requirements.txt", "../../libs/shared[six]\n")
        let summary = try await Build.run(try Self.request(directory, inputs: RequirementInputs(requirementFiles: [requirements])))
        #expect(summary.distributions.map(\.name) == ["shared-lib", "six"])
        let outcomes = try Self.invoke(summary.output, module: "shared_lib")
        #expect(outcomes == [.response(#"{"answer": "shared", "six": "1.17.0"}"#)], "\(outcomes)")
    }

    /// The second build of an unchanged project reuses the cached wheel; an edit rebuilds it.
    @Test func cachedUntilEdited() async throws {
        let directory = try TemporaryDirectory("pexify-rebuild")
        defer { directory.remove() }
        let project = try SourceProjects.writeProject(in: directory, at: "acme", backend: "setuptools", answer: "first",
                                                      dependencies: ["six"])
        var inputs = RequirementInputs()
        inputs.projects = [project]
        let request = try Self.request(directory, inputs: inputs)
        let built = directory.child("cache/built")
        func builtWheels() throws -> [String: Date] {
            var result: [String: Date] = [:]
            for entry in try FileManager.default.contentsOfDirectory(atPath: built) {
                for file in try FileManager.default.contentsOfDirectory(atPath: built + "/" + entry) where file.hasSuffix(".whl") {
                    let path = built + "/" + entry + "/" + file
                    result[path] = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
                }
            }
            return result
        }
        let lines = Lines()
        _ = try await Build.run(request, progress: { lines.append($0) })
        let first = try builtWheels()
        #expect(first.count == 1)
        #expect(lines.all.filter { $0.hasPrefix("Building ") && $0.hasSuffix("from source") }.count == 1, "\(lines.all)")

        lines.clear()
        _ = try await Build.run(request, progress: { lines.append($0) })
        #expect(try builtWheels() == first)
        #expect(!lines.all.contains { $0.hasSuffix("from source") }, "\(lines.all)")
        #expect(try Self.invoke(request.output, module: "acme_setuptools")
            == [.response(#"{"answer": "first", "six": "1.17.0"}"#)])

        try SourceProjects.writeProject(in: directory, at: "acme", backend: "setuptools", answer: "edited",
                                        dependencies: ["six"])
        _ = try await Build.run(request, progress: { lines.append($0) })
        #expect(try builtWheels().count == 2)
        #expect(try Self.invoke(request.output, module: "acme_setuptools")
            == [.response(#"{"answer": "edited", "six": "1.17.0"}"#)])
    }

    /// A loopback pypiserver holding real sdists of projects that never published a wheel (langdetect,
    /// docopt), the backend wheels, and a generated project whose newest version is only an sdist.
    static func index(_ directory: TemporaryDirectory) throws -> (IndexFixture, LoopbackServer) {
        let fixture = try IndexFixture([WheelSpec("newest-is-source", "1.0"), WheelSpec("both-kinds", "1.0")])
        for folder in [sdists, backendWheels] {
            for file in try FileManager.default.contentsOfDirectory(atPath: folder) {
                try FileManager.default.copyItem(atPath: folder + "/" + file, toPath: fixture.wheels + "/" + file)
            }
        }
        try SourceProjects.makeSdist(name: "newest-is-source", version: "2.0", module: "newest_is_source",
                                     answer: "built", into: fixture.wheels)
        try SourceProjects.makeSdist(name: "both-kinds", version: "1.0", module: "both_kinds", answer: "from the sdist",
                                     into: fixture.wheels)
        try SourceProjects.makeSdist(name: "native-only", version: "1.0", module: "native_only", answer: "native",
                                     native: true, into: fixture.wheels)
        return (fixture, try fixture.pypiserver())
    }

    @Test func sdistsFromAnIndex() async throws {
        let directory = try TemporaryDirectory("pexify-sdists")
        defer { directory.remove() }
        let (fixture, server) = try Self.index(directory)
        defer { server.stop(); fixture.directory.remove() }
        let index = IndexOptions(indexURL: server.baseURL + "/simple/", cacheDirectory: directory.child("cache"))
        try directory.write("function/probe.py", """
            def answer():
                from langdetect import DetectorFactory, detect
                import docopt, newest_is_source
                DetectorFactory.seed = 0
                return [detect("This is a sentence written in plain English."), docopt.__version__, newest_is_source.answer()]
            """)
        // A Lambda target is foreign to this machine, so by default an older wheel wins over a newer sdist
        // (below); --no-binary asks for the newest, built here.
        var newest = RequirementInputs(requirements: ["langdetect", "docopt", "newest-is-source", "six"])
        newest.binaryPolicy.noBinary("newest-is-source")
        let summary = try await Build.run(try Self.request(directory, inputs: newest, index: index))
        #expect(summary.distributions.map { "\($0.name)==\($0.version)" }
            == ["docopt==0.6.2", "langdetect==1.0.9", "newest-is-source==2.0", "six==1.17.0"])
        #expect(summary.distributions.filter { $0.name != "six" }.allSatisfy { $0.wheel.hasSuffix("-none-any.whl") },
                "\(summary.distributions)")
        let outcomes = try Self.invoke(summary.output, module: "probe")
        #expect(outcomes == [.response(#"{"answer": ["en", "0.6.2", "built"], "six": "1.17.0"}"#)],
                "\(outcomes)")

        // --only-binary :all: takes the older wheel, and refuses projects that have only sdists.
        var wheelsOnly = RequirementInputs(requirements: ["newest-is-source", "six"])
        wheelsOnly.binaryPolicy.onlyBinary(":all:")
        let older = try await Build.run(try Self.request(directory, inputs: wheelsOnly, index: index))
        #expect(older.distributions.map { "\($0.name)==\($0.version)" } == ["newest-is-source==1.0", "six==1.17.0"])
        // So does the default for a foreign target (what --prefer-binary asks for anywhere), without
        // refusing sdist-only projects.
        let byDefault = try await Build.run(try Self.request(
            directory, inputs: RequirementInputs(requirements: ["newest-is-source", "docopt", "six"]), index: index))
        #expect(byDefault.distributions.map { "\($0.name)==\($0.version)" }
            == ["docopt==0.6.2", "newest-is-source==1.0", "six==1.17.0"])
        // --no-binary NAME builds the project even where a wheel fits.
        var sourceOnly = RequirementInputs(requirements: ["both-kinds", "six"])
        let lines = Lines()
        _ = try await Build.run(try Self.request(directory, inputs: sourceOnly, index: index), progress: { lines.append($0) })
        #expect(!lines.all.contains { $0.hasPrefix("Building both-kinds") }, "\(lines.all)")
        sourceOnly.binaryPolicy.noBinary("Both_Kinds")
        _ = try await Build.run(try Self.request(directory, inputs: sourceOnly, index: index), progress: { lines.append($0) })
        #expect(lines.all.contains { $0.hasPrefix("Building both-kinds 1.0 from source") }, "\(lines.all)")
        #expect(try Self.invoke(directory.child("function.zip"), module: "both_kinds")
            == [.response(#"{"answer": "from the sdist", "six": "1.17.0"}"#)])

        wheelsOnly.requirements = ["docopt"]
        let refusal = await #expect(throws: ResolutionError.self) {
            try await Build.run(try Self.request(directory, inputs: wheelsOnly, index: index))
        }
        #expect("\(refusal!)".contains("docopt-0.6.2.tar.gz is a source distribution, and --only-binary forbids building it"),
                "\(refusal!)")
    }

    /// Where an sdist's metadata comes from: a PEP 658 file the index serves, else a PEP 643 PKG-INFO
    /// (metadata 2.2 or later, nothing dynamic), else the backend's `prepare_metadata_for_build_wheel`.
    /// Either way the dependencies it declares (`six`) are resolved, and the wheel is built once.
    @Test(arguments: [("2.1", false, true), ("2.2", false, false), ("2.1", true, false)])
    func sdistMetadataSources(metadataVersion: String, servedByIndex: Bool, backendAsked: Bool) async throws {
        let directory = try TemporaryDirectory("pexify-sdist-metadata")
        defer { directory.remove() }
        let fixture = try IndexFixture([WheelSpec("unrelated", "1.0")])
        defer { fixture.directory.remove() }
        for file in try FileManager.default.contentsOfDirectory(atPath: Self.backendWheels) {
            try FileManager.default.copyItem(atPath: Self.backendWheels + "/" + file, toPath: fixture.wheels + "/" + file)
        }
        try SourceProjects.makeSdist(name: "static-meta", version: "1.0", module: "static_meta", answer: metadataVersion,
                                     metadataVersion: metadataVersion, dependencies: ["six"], into: fixture.wheels)
        let server = try fixture.simpleServer(metadata: servedByIndex)
        defer { server.stop() }
        let index = IndexOptions(indexURL: server.baseURL + "/simple/", cacheDirectory: directory.child("cache"))
        let lines = Lines()
        let summary = try await Build.run(try Self.request(directory, inputs: RequirementInputs(requirements: ["static-meta"]),
                                                           index: index), progress: { lines.append($0) })
        #expect(summary.distributions.map { "\($0.name)==\($0.version)" } == ["six==1.17.0", "static-meta==1.0"])
        #expect(lines.all.contains { $0.hasPrefix("Preparing metadata of static-meta") } == backendAsked, "\(lines.all)")
        #expect(lines.all.filter { $0.hasPrefix("Building static-meta 1.0 from source") }.count == 1, "\(lines.all)")
        #expect(fixture.requests().contains("GET /files/static-meta-1.0.tar.gz.metadata 200") == servedByIndex,
                "\(fixture.requests())")
        #expect(try Self.invoke(summary.output, module: "static_meta")
            == [.response(#"{"answer": "\#(metadataVersion)", "six": "1.17.0"}"#)])
    }

    /// Three builds at once into one empty cache all succeed and store each built wheel once; their
    /// archives are byte-identical to a build in another cold cache (backends honour SOURCE_DATE_EPOCH).
    @Test func concurrentColdBuildsAgree() async throws {
        let directory = try TemporaryDirectory("pexify-concurrent")
        defer { directory.remove() }
        let (fixture, server) = try Self.index(directory)
        defer { server.stop(); fixture.directory.remove() }
        let project = try SourceProjects.writeProject(in: directory, at: "acme", backend: "pdm", answer: "pdm",
                                                      dependencies: ["six"])
        var inputs = RequirementInputs(requirements: ["langdetect", "docopt"])
        inputs.projects = [project]
        let index = IndexOptions(indexURL: server.baseURL + "/simple/", cacheDirectory: directory.child("cache"))
        let base = try Self.request(directory, inputs: inputs, index: index)
        let requests = (0..<3).map { number in
            var request = base
            request.output = directory.child("concurrent-\(number).zip")
            return request
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for request in requests { group.addTask { _ = try await Build.run(request) } }
            try await group.waitForAll()
        }
        var cold = base
        cold.index.cacheDirectory = directory.child("other-cache")
        cold.output = directory.child("cold.zip")
        _ = try await Build.run(cold)
        let bytes = try ([cold.output] + requests.map(\.output)).map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        #expect(Set(bytes).count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.child("cache/built")).count == 3)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.child("cache/tmp")).isEmpty)
    }

    /// With no CPython of the target's version on PATH, a pure-Python project is built with another
    /// CPython 3 and the build says so; native code is refused naming both versions; with no
    /// interpreter at all, the error names what was searched for.
    @Test func buildInterpreterFallback() async throws {
        let directory = try TemporaryDirectory("pexify-fallback")
        defer { directory.remove() }
        let bin = directory.child("bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let system = try python("import os, sys; print(os.path.realpath(sys.executable))").trimmingCharacters(in: .whitespacesAndNewlines)
        try FileManager.default.createSymbolicLink(atPath: bin + "/python3", withDestinationPath: system)
        let target = try TargetPlatform.lambda(runtime: "python3.14", architecture: "x86_64")
        let settings = ResolverSettings(index: IndexConfiguration(indexURL: nil, findLinks: [Self.backendWheels], noIndex: true),
                                        offline: false)
        let frontend = try SourceBuildFrontend(settings: settings, cacheDirectory: directory.child("cache"), target: target,
                                               searchPath: bin)
        let project = try SourceProjects.writeProject(in: directory, at: "pure", backend: "flit", answer: "pure")
        let wheel = try await frontend.buildProject(at: project)
        #expect(wheel.filename.filename == "acme_flit-1.0-py3-none-any.whl")
        #expect(await frontend.warnings().contains { $0.contains("No python3.14 was found on PATH") && $0.contains(bin) })

        try SourceProjects.writeNativeProject(in: directory)
        let native = await #expect(throws: BuildFrontendError.self) { try await frontend.buildProject(at: directory.child("native")) }
        #expect("\(native!)".contains("and the target runs 3.14"), "\(native!)")
        #expect("\(native!)".contains("The project \(directory.child("native"))"), "\(native!)")

        let none = try SourceBuildFrontend(settings: settings, cacheDirectory: directory.child("cache"), target: target,
                                           searchPath: directory.child("empty"))
        let missing = await #expect(throws: BuildFrontendError.self) { try await none.buildProject(at: project) }
        #expect("\(missing!)".contains("No CPython 3.14 or other CPython 3"), "\(missing!)")
    }

    /// A project with native code, for a target this machine matches (its own architecture, Python and
    /// glibc): its `linux_*` wheel is used although the target lists only manylinux tags.
    @Test func nativeProjectForAMatchingTarget() async throws {
        let directory = try TemporaryDirectory("pexify-native-match")
        defer { directory.remove() }
        try SourceProjects.writeNativeProject(in: directory)
        let facts = try python("""
            import os, platform, sys
            print("linux_%s-cp-%s-cp%d%d manylinux_%s" % (platform.machine(), platform.python_version(),
                  sys.version_info[0], sys.version_info[1], os.confstr("CS_GNU_LIBC_VERSION").split()[1].replace(".", "_")))
            """, arguments: []).split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        var inputs = RequirementInputs()
        inputs.projects = [directory.child("native")]
        var request = try Self.request(directory, inputs: inputs)
        request.target = .platform(facts[0], manylinux: facts[1])
        request.handler = nil
        request.nativeCheck = false  // the wheel claims native code it does not have
        let summary = try await Build.run(request)
        #expect(summary.distributions.map(\.name) == ["native-project"])
        #expect(summary.distributions.first?.wheel.contains("-linux_") == true, "\(summary.distributions)")
    }

    /// A lock cannot point at wheels that exist only in this machine's cache: it refuses, naming them,
    /// and writes nothing.
    @Test func lockRefusesWheelsBuiltHere() async throws {
        let directory = try TemporaryDirectory("pexify-lock-built")
        defer { directory.remove() }
        let project = try SourceProjects.writeProject(in: directory, at: "acme", backend: "flit", answer: "x",
                                                      dependencies: ["six"])
        var inputs = RequirementInputs()
        inputs.projects = [project]
        let output = directory.child("pylock.toml")
        let error = await #expect(throws: BuildError.self) {
            try await Build.lock(inputs, targets: [.lambda(runtime: "python3.11", architecture: "x86_64")],
                                 index: IndexOptions(findLinks: [Self.backendWheels], noIndex: true,
                                                     cacheDirectory: directory.child("cache")), output: output)
        }
        // Refused before the project is built: nothing named it yet but its directory.
        #expect(error == .cannotLockBuilt([project]))
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    /// An sdist whose wheel holds native code, for an arm64 target from this machine: a clear error
    /// naming the package and the ways out, and no archive.
    @Test func nativeSdistForAForeignTarget() async throws {
        let directory = try TemporaryDirectory("pexify-native")
        defer { directory.remove() }
        let (fixture, server) = try Self.index(directory)
        defer { server.stop(); fixture.directory.remove() }
        let index = IndexOptions(indexURL: server.baseURL + "/simple/", cacheDirectory: directory.child("cache"))
        let request = try Self.request(directory, inputs: RequirementInputs(requirements: ["native-only"]),
                                       architecture: "arm64", index: index)
        let error = await #expect(throws: BuildFrontendError.self) { try await Build.run(request) }
        guard case let .needsMatchingMachine(package, wheel, mismatch) = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(package == "native-only")
        #expect(wheel.hasPrefix("native_only-1.0-cp3") && wheel.hasSuffix("_x86_64.whl"), "\(wheel)")
        #expect(mismatch.contains("aarch64"))
        #expect("\(error!)".contains("--find-links"))
        #expect(!FileManager.default.fileExists(atPath: request.output))
    }

    /// An sdist whose build fails (as psycopg2's does without pg_config) names the package and hook,
    /// shows the backend's output, and for a foreign target says a build here could not be used anyway.
    @Test func failingBuildForAForeignTarget() async throws {
        let directory = try TemporaryDirectory("pexify-failing")
        defer { directory.remove() }
        let links = directory.child("links")
        try FileManager.default.createDirectory(atPath: links, withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(atPath: Self.backendWheels) {
            try FileManager.default.copyItem(atPath: Self.backendWheels + "/" + file, toPath: links + "/" + file)
        }
        try directory.write("failing/setup.py", "raise SystemExit('Error: pg_config executable not found.')\n")
        _ = try python("""
            import sys, tarfile
            with tarfile.open(sys.argv[2] + "/needs-pg-1.0.tar.gz", "w:gz") as archive:
                archive.add(sys.argv[1] + "/failing/setup.py", "needs-pg-1.0/setup.py")
            """, arguments: [directory.path, links])
        let request = try Self.request(directory, inputs: RequirementInputs(requirements: ["needs-pg"]),
                                       architecture: "arm64",
                                       index: IndexOptions(findLinks: [links], noIndex: true, cacheDirectory: directory.child("cache")))
        let error = await #expect(throws: BuildFrontendError.self) { try await Build.run(request) }
        let text = "\(error!)"
        // setuptools' legacy backend runs setup.py first to ask for build requirements.
        #expect(text.hasPrefix("Building needs-pg 1.0 failed in the backend's get_requires_for_build_wheel hook."), "\(text)")
        let machine = try python("import platform; print(platform.machine())").trimmingCharacters(in: .whitespacesAndNewlines)
        if machine != "aarch64" {
            #expect(text.contains("this machine is \(machine) and the target is aarch64"), "\(text)")
        }
        #expect(text.contains("pg_config executable not found"), "\(text)")
        #expect(!FileManager.default.fileExists(atPath: request.output))
    }
}

/// Progress lines collected from a build.
final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var all: [String] { lock.withLock { lines } }
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    func clear() { lock.withLock { lines.removeAll() } }
}
