import Basics

/// What must hold before an archive replaces a function's code, checked against the function's
/// configuration before a byte is uploaded: the function runs the Python and the architecture the archive
/// was built for, and its handler exists in the archive. Uploading code built for another target succeeds
/// and fails only at the next cold start (an import error, `GLIBC_2.28 not found`).
///
/// See <https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html> for the handler string: the
/// runtime splits it at its last `.` into a module (dots or slashes between packages) and a function.
enum FunctionCheck {
    /// The reasons `archive` does not fit `function`, each a sentence naming both sides; empty when it fits.
    /// - Parameter layersGiven: whether layers will be attached, which may provide the handler's module.
    static func problems(_ configuration: FunctionConfiguration, archive: ArchiveContents, layersGiven: Bool) -> [String] {
        var problems: [String] = []
        let function = configuration.functionName
        if let stamp = archive.stamp {
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
        }
        if let handler = configuration.handler, let problem = handlerProblem(handler, function: function, archive: archive,
                                                                              layersGiven: layersGiven) {
            problems.append(problem)
        }
        return problems
    }

    /// `nil` when the handler's module is in the archive and defines the function (or when the module
    /// may come from the given layers, whose content is not downloaded).
    static func handlerProblem(_ handler: String, function: String, archive: ArchiveContents, layersGiven: Bool) -> String? {
        guard let dot = handler.lastIndex(of: "."), dot != handler.startIndex else {
            return "the function '\(function)' has the handler '\(handler)', which is not MODULE.FUNCTION"
        }
        let name = String(handler[handler.index(after: dot)...])
        let base = handler[..<dot].replacingOccurrences(of: ".", with: "/")
        let sources = [base + ".py", base + "/__init__.py"]
        if let source = sources.first(where: archive.names.contains) {
            guard let text = archive.text(of: source), !defines(name, in: text) else { return nil }
            return "the function '\(function)' runs the handler '\(handler)' but \(source) in the archive defines no '\(name)'"
        }
        let compiled = [base + ".pyc", base + "/__init__.pyc"].contains(where: archive.names.contains)
            || archive.names.contains { $0.hasPrefix(base + ".") && $0.hasSuffix(".so") && !$0.dropFirst(base.count + 1).contains("/") }
        if compiled || layersGiven { return nil }
        return "the function '\(function)' runs the handler '\(handler)' but the archive has no \(sources.joined(separator: " or "))"
            + (archive.stamp?.handler.map { " (the archive was built for the handler \($0))" } ?? "")
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
