/// The flat AWS Lambda layouts: a function zip (everything at the root, extracted to `/var/task`) and a
/// layer (everything under `python/`, extracted to `/opt/python`) (packaging-standards.md §7.4-7.5;
/// pex-format.md §6.5).
public enum LambdaLayout {
    /// The directory the content goes under: `""` for a function zip, `python/` for a layer.
    public static func prefix(for layout: Layout) -> String { layout == .layer ? "python/" : "" }

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
