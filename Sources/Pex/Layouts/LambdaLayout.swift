import Installer
import ZipArchive

/// The flat AWS Lambda layouts: a function zip (everything at the root, extracted to `/var/task`) and a
/// layer (everything under `python/`, extracted to `/opt/python`) (docs/formats/lambda-layout.md).
public struct LambdaLayout: ArchiveLayout {
    /// `.zip` or `.layer`.
    public var layout: Layout
    /// `--handler` as `FILE.py:FUNC` or `MODULE:FUNC`; a function zip built with one gets the generated
    /// `lambda_function.py` when the handler is not already `lambda_function.handler`.
    public var handler: String?

    public init(_ layout: Layout, handler: String? = nil) {
        precondition(layout != .pex, "LambdaLayout lays out function zips and layers only")
        self.layout = layout
        self.handler = handler
    }

    /// The directory the content goes under: `""` for a function zip, `python/` for a layer.
    public static func prefix(for layout: Layout) -> String { layout == .layer ? "python/" : "" }

    public func layOut(_ input: LayoutInput) throws -> LaidOutArchive {
        let prefix = Self.prefix(for: layout)
        var assembly = try Self.assemble(distributions: input.distributions.map(\.plan), sources: input.sources,
                                         prefix: prefix)
        var awsHandler: String?
        if let handler {
            let parsed = try LambdaHandler(parsing: handler, sourcesDirectories: input.sources.map(\.path))
            do {
                try parsed.check(archivePaths: Set(assembly.files.map(\.path)), python: input.target.pythonVersion)
            } catch {
                // Say so when the sources rules left the handler out, rather than that it is missing.
                if case LambdaHandlerError.moduleNotInArchive(let name, let expected) = error {
                    for source in input.sources {
                        for left in source.leftOut where expected.contains(where: {
                            $0 == prefix + left.path || left.path.hasSuffix("/") && $0.hasPrefix(prefix + left.path)
                        }) {
                            throw LayoutError.handlerLeftOut(handler: name, directory: source.path, left: left)
                        }
                    }
                }
                throw error
            }
            if parsed.needsShim {
                try assembly.add(
                    ArchiveEntry(path: prefix + LambdaHandler.shimPath, content: .bytes(Array(parsed.shimSource.utf8))),
                    owner: "the generated \(LambdaHandler.shimPath)")
            }
            awsHandler = LambdaHandler.awsHandler
        }
        return LaidOutArchive(assembly: assembly, handler: awsHandler, countsAgainstLambdaQuotas: true)
    }

    /// Puts the user's sources and the installed distributions into one collision-checked assembly below
    /// `prefix`.
    /// - Throws: `LayoutError.collision` naming both owners when two of them provide one path with different
    ///   bytes.
    public static func assemble(
        distributions: [WheelInstallPlan], sources: [SourcesDirectory], prefix: String
    ) throws -> ArchiveAssembly {
        var assembly = ArchiveAssembly()
        for source in sources {
            try assembly.add(source.entries(under: prefix), owner: "the sources directory '\(source.path)'")
        }
        for plan in distributions {
            try assembly.add(plan.entries(under: prefix), owner: "\(plan.name) \(plan.version)")
        }
        return assembly
    }
}
