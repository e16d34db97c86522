import Resolver

/// Builds the `pex` layout with the PEX layout's assembly (`PexLayout`): each distribution installed under
/// `.deps/<wheel>/` by its ``WheelInstallPlan``, the user's sources at the root.
enum PexBuild {
    static func prepare(_ request: BuildRequest, distributions: [(plan: WheelInstallPlan, sha256: String)],
                        sources: [SourcesDirectory], requirements: [String], target: TargetPlatform,
                        compiler: BytecodeCompiler? = nil) throws
        -> PreparedArchive {
        let pythonVersion = "\(target.pythonVersion.major).\(target.pythonVersion.minor)"
        var archive = try PexLayout.assemble(
            distributions: distributions.map {
                PexDistribution(wheelFilename: $0.plan.filename.filename, sha256: $0.sha256,
                                entries: $0.plan.entries(under: ""), consoleScripts: $0.plan.consoleScripts,
                                extract: $0.plan.hasNativeCode)
            },
            sources: sources.flatMap { $0.entries(under: "") },
            options: PexOptions(entryPoint: request.entryPoint, consoleScript: request.consoleScript,
                                requirements: requirements, pythonVersion: pythonVersion,
                                shebang: request.pythonShebang))
        // The `.deps/` chroots, the user code and the runtime alike; PEX-INFO's code hash stays the sources'.
        let bytecode = try compiler?.compiledEntries(for: archive.plan)
        for entry in bytecode?.entries ?? [] { try archive.plan.add(entry) }
        let unzipped = try archive.plan.entries.reduce(UInt64(0)) { $0 + (try ArchiveAssembly.size(of: $1.content)) }
        return PreparedArchive(
            plan: archive.plan, prefix: archive.prefix, permissions: 0o755, entryPoint: archive.info.entryPoint,
            unzippedBytes: unzipped,
            warnings: (bytecode?.warnings ?? [])
                + (PexLayout.zip64Warning(archive.plan, pythonVersion: pythonVersion).map { [$0] } ?? []))
    }
}
