import Basics

/// What must hold before an archive replaces a function's code, checked against the function's
/// configuration before a byte is uploaded: the function runs the Python and the architecture the archive
/// was built for, and its handler exists in the archive. Uploading code built for another target succeeds
/// and fails only at the next cold start (an import error, `GLIBC_2.28 not found`).
///
/// See <https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html> for the handler string: the
/// runtime splits it at its last `.` into a module (dots or slashes between packages) and a function.
enum FunctionCheck {
    /// Where the function's runtime and architecture differ from the archive's target (or the archive
    /// is no function zip), each a sentence naming both sides; empty when they fit or nothing is known.
    static func targetProblems(_ configuration: FunctionConfiguration, archive: ArchiveContents) -> [String] {
        guard let stamp = archive.stamp else { return [] }
        var problems: [String] = []
        let function = configuration.functionName
        if stamp.layout == "layer" {
            problems.append("'\(archive.path)' is a layer (its content is under python/), not a function zip; publish it with --layer-name NAME and attach it with --layers ARN")
        } else if stamp.layout != "zip" {
            problems.append("'\(archive.path)' is a \(stamp.layout), not a function zip; build it with --layout zip")
        }
        if let runtime = configuration.runtime, runtime != stamp.lambdaRuntime {
            problems.append("the function '\(function)' runs \(runtime) but the archive was built for \(stamp.lambdaRuntime) (\(stamp.target))")
        }
        let architecture = configuration.architectures?.first ?? "x86_64"
        if architecture != stamp.lambdaArchitecture {
            problems.append("the function '\(function)' runs on \(architecture) but the archive was built for \(stamp.lambdaArchitecture) (\(stamp.target))")
        }
        return problems
    }

    /// `nil` when the handler's module is found and defines the function: in the archive (the task root
    /// comes first on `sys.path`), else in a layer (under `python/` or `python/lib/pythonX.Y/site-packages/`).
    /// - Parameter layers: the function's layers in order, each listing `nil` when its content could not
    ///   be read; a module that may be in such a layer is not refused.
    static func handlerProblem(_ handler: String, function: String, archive: ArchiveContents,
                               layers: [ArchiveContents?] = []) -> String? {
        guard let dot = handler.lastIndex(of: "."), dot != handler.startIndex else {
            return "the function '\(function)' has the handler '\(handler)', which is not MODULE.FUNCTION"
        }
        let name = String(handler[handler.index(after: dot)...])
        let base = handler[..<dot].replacingOccurrences(of: ".", with: "/")
        let places = [(archive, [""], "the archive")] + layers.compactMap { $0 }.map { ($0, layerRoots($0), "the layer") }
        for (contents, roots, place) in places {
            for root in roots {
                let sources = [root + base + ".py", root + base + "/__init__.py"]
                if let source = sources.first(where: contents.names.contains) {
                    guard let text = contents.text(of: source), !defines(name, in: text) else { return nil }
                    return "the function '\(function)' runs the handler '\(handler)' but \(source) in \(place) defines no '\(name)'"
                }
                let module = root + base
                if [module + ".pyc", module + "/__init__.pyc"].contains(where: contents.names.contains)
                    || contents.names.contains(where: { $0.hasPrefix(module + ".") && $0.hasSuffix(".so")
                        && !$0.dropFirst(module.count + 1).contains("/") }) {
                    return nil
                }
            }
        }
        if layers.contains(where: { $0 == nil }) { return nil }
        return "the function '\(function)' runs the handler '\(handler)' but the archive has no \(base).py or \(base)/__init__.py"
            + (layers.isEmpty ? "" : ", and neither has any of its \(layers.count) layer(s)")
            + (archive.stamp?.handler.map { " (the archive was built for the handler \($0))" } ?? "")
    }

    /// The directories of a layer that Lambda's Python runtimes put on `sys.path`.
    static func layerRoots(_ layer: ArchiveContents) -> [String] {
        let sitePackages = Set(layer.names.compactMap { name -> String? in
            let parts = name.split(separator: "/", maxSplits: 4, omittingEmptySubsequences: false)
            guard parts.count == 5, parts[0] == "python", parts[1] == "lib", parts[2].hasPrefix("python"),
                  parts[3] == "site-packages" else { return nil }
            return "python/lib/\(parts[2])/site-packages/"
        })
        return ["python/"] + sitePackages.sorted()
    }

    /// Whether `source` binds `name` anywhere: `def`, `class`, an assignment or an import. Lenient on
    /// purpose (nested and conditional definitions count, a star import counts as anything): only a
    /// module that certainly lacks the name is refused.
    static func defines(_ name: String, in source: String) -> Bool {
        for raw in source.split(whereSeparator: \.isNewline) {
            let line = raw.drop { $0 == " " || $0 == "\t" }
            for keyword in ["def ", "async def ", "class "] where line.hasPrefix(keyword) {
                let rest = line.dropFirst(keyword.count).drop { $0 == " " }
                if rest.hasPrefix(name), let next = rest.dropFirst(name.count).first, next == "(" || next == ":" || next == " " {
                    return true
                }
            }
            if line.hasPrefix(name) {
                let rest = line.dropFirst(name.count).drop { $0 == " " }
                if rest.first == "=" && rest.dropFirst().first != "=" || rest.first == ":" || rest.first == "," { return true }
            }
            if line.hasPrefix("import ") || line.hasPrefix("from ") {
                if line.contains("import *") { return true }
                let words = line.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") })
                if words.contains(Substring(name)) { return true }
            }
        }
        return false
    }
}
