import Foundation
import Installer
@testable import Pex
import Resolver
import TestSupport
import Testing
import ZipArchive

/// `--with-layer`: the layers a function uses count against its 250 MiB, are checked for modules that
/// hide each other on `sys.path`, and go through the native-code check.
@Suite struct FunctionLayerTests {
    static let target = try! TargetPlatform.lambda(runtime: "python3.12", architecture: "x86_64")

    /// A zip with `files` (and zero-filled `zeroFiles`), written by CPython's zipfile through ``TestWheel``
    /// (a wheel is a zip; its `.dist-info` lies outside a layer's `python/` and is not importable).
    static func layer(_ name: String, files: [String: String] = [:], zeroFiles: [String: Int] = [:],
                      in directory: TemporaryDirectory) throws -> String {
        var wheel = TestWheel(name: name, files: files)
        wheel.zeroFiles = zeroFiles
        let path = try wheel.write(into: directory.path)
        let zip = directory.child(name + ".zip")
        try FileManager.default.moveItem(atPath: path, toPath: zip)
        return zip
    }

    static func prepare(_ wheels: [TestWheel] = [], sources: [String: String] = [:], layers: [String],
                        layout: Layout = .zip, in directory: TemporaryDirectory) throws -> PreparedArchive {
        let paths = try TestWheel.write(wheels, into: directory.path)
        for (path, text) in sources { try directory.write("src/" + path, text) }
        let input = LayoutInput(
            distributions: try paths.map { InstalledDistribution(plan: try WheelInstallPlan(wheelPath: $0), sha256: "") },
            sources: sources.isEmpty ? [] : [try SourcesDirectory(path: directory.child("src"))], requirements: [],
            target: target)
        var options = ArchiveStages.Options()
        options.layers = try layers.map(FunctionLayer.init(path:))
        return try ArchiveStages.prepare(input, layout: LambdaLayout(layout), options: options)
    }

    @Test func functionAndLayerOverTheLimitTogetherNameBoth() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var big = TestWheel(name: "bigfunc", files: ["bigfunc/__init__.py": ""])
        big.zeroFiles = ["bigfunc/model.bin": 140 << 20]
        let layer = try Self.layer("biglayer", zeroFiles: ["python/biglayer/weights.bin": 120 << 20], in: directory)

        // Each fits alone …
        let alone = try Self.prepare([big], layers: [], in: directory)
        #expect(alone.unzippedBytes > 140 << 20)
        // … together they do not, and the error names both.
        do {
            _ = try Self.prepare([big], layers: [layer], in: directory)
            Issue.record("a function and layer over 250 MiB together passed the budget")
        } catch let error as LambdaBudgetError {
            guard case .withLayersTooLarge(let bytes, let own, _, _, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(bytes > 260 << 20 && own > 140 << 20)
            #expect("\(error)".contains("bigfunc 1.0 (140"), "\(error)")
            #expect("\(error)".contains("layer '\(layer)' (120"), "\(error)")
        }
        // --no-size-check turns it into a warning.
        var options = ArchiveStages.Options(enforceSizeLimit: false)
        options.layers = [try FunctionLayer(path: layer)]
        let input = LayoutInput(
            distributions: [InstalledDistribution(
                plan: try WheelInstallPlan(wheelPath: directory.child(big.filename)), sha256: "")],
            sources: [], requirements: [], target: Self.target)
        let warned = try ArchiveStages.prepare(input, layout: LambdaLayout(.zip), options: options)
        #expect(warned.warnings.contains { $0.contains("layer '\(layer)'") && $0.contains("--no-size-check") })
    }

    @Test func modulesThatHideEachOtherAreNamed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try Self.layer("deps", files: [
            "python/requests/__init__.py": "", "python/requests/api.py": "",
            "python/lib/python3.12/site-packages/six.py": "", "python/google/api/__init__.py": "",
            "python/yaml/__init__.py": "", "python/numpy.libs/libopenblas.so": "",
        ], in: directory)
        let second = try Self.layer("more", files: ["python/yaml/__init__.py": "", "python/attr/__init__.py": ""],
                                    in: directory)
        let prepared = try Self.prepare(
            [TestWheel(name: "six", files: ["six.py": ""])],
            sources: ["requests/__init__.py": "", "google/protobuf/__init__.py": "", "app.py": ""],
            layers: [first, second], in: directory)
        #expect(prepared.warnings == [
            "The function's module 'requests' ('requests/', from the sources directory '\(directory.child("src"))') "
                + "hides 'requests' of layer '\(first)' ('python/requests/'): Lambda puts the function's /var/task "
                + "first on sys.path.",
            "The function's module 'six' ('six.py', from six 1.0) hides 'six' of layer '\(first)' "
                + "('python/lib/python3.12/site-packages/six.py'): Lambda puts the function's /var/task first on sys.path.",
            "The module 'yaml' of layer '\(second)' ('python/yaml/') hides 'yaml' of layer '\(first)' "
                + "('python/yaml/'): the later layer is extracted over the earlier one.",
        ])

        // A layer being built is compared with the other layers the same way.
        let layerBuild = try Self.prepare(sources: ["attr/__init__.py": ""], layers: [second], layout: .layer,
                                          in: directory)
        #expect(layerBuild.warnings.count == 1)
        #expect(layerBuild.warnings.first?.contains("'attr' of this layer ('python/attr/'") == true)
    }

    /// A real x86_64 extension module from the wheelhouse inside a layer, for an arm64 function.
    @Test func nativeCheckCoversTheLayers() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let wheelhouse = try FileManager.default.contentsOfDirectory(atPath: TestEnvironment.wheelhouse)
        let wheel = try #require(wheelhouse.first { $0.hasPrefix("pydantic_core-") }, "pydantic-core is not in the wheelhouse")
        let reader = try ZipReader(path: TestEnvironment.wheelhouse + "/" + wheel)
        let so = try #require(reader.entries.first { $0.name.hasSuffix(".so") })
        let copy = directory.child("layer/python/pydantic_core/" + (so.name as NSString).lastPathComponent)
        try directory.write("layer/python/pydantic_core/__init__.py", "")
        try Data(try reader.contents(of: so)).write(to: URL(fileURLWithPath: copy))
        let layer = try pythonZip(directory: directory.child("layer"), to: directory.child("native.zip"))
        let input = LayoutInput(distributions: [], sources: [], requirements: [],
                                target: try TargetPlatform.lambda(runtime: "python3.12", architecture: "arm64"))
        var options = ArchiveStages.Options()
        options.layers = [try FunctionLayer(path: layer)]
        #expect {
            try ArchiveStages.prepare(input, layout: LambdaLayout(.zip), options: options)
        } throws: { error in
            guard case LayoutError.nativeCode(let problems) = error else { return false }
            return problems.count == 1 && problems[0].hasPrefix("'\(layer):python/pydantic_core/")
                && problems[0].contains("x86_64")
        }
    }
}
