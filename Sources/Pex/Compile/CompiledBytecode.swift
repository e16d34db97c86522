import ZipArchive

/// The bytecode `--compile` adds to an archive: a `__pycache__/<module>.<cache tag>.pyc` next to every
/// `.py` (PEP 3147, https://peps.python.org/pep-3147/), as pip compiles everything it installs.
public struct CompiledBytecode: Sendable {
    /// One pyc and the source it was compiled from.
    public struct File: Sendable {
        /// The archive path of the `.py`.
        public var source: String
        /// The pyc, an entry to add to the plan.
        public var entry: ArchiveEntry
    }

    /// In the order of the plan's sources.
    public var files: [File]
    /// One line per source that does not compile (Python 2 leftovers, templates named `.py`): it ships as
    /// source only and fails only if something imports it.
    public var warnings: [String]

    /// The pyc entries alone.
    public var entries: [ArchiveEntry] { files.map(\.entry) }
}

extension BytecodeCompiler {
    /// Compiles every `.py` file of `plan`, whatever its content (in-memory bytes, a file, a wheel entry).
    /// A source whose pyc the plan already holds (a wheel that ships its own) is left alone.
    /// - Throws: errors reading sources; `CompileError.interpreterFailed`.
    public func compiledEntries(for plan: ArchivePlan) throws -> CompiledBytecode {
        let entries = plan.entries
        let existing = Set(entries.map(\.path))
        let sources = entries.filter { !$0.isDirectory && $0.path.hasSuffix(".py") }
        let outcomes = try compile(sources.map { ($0.path, $0.content) })
        var result = CompiledBytecode(files: [], warnings: [])
        for (source, outcome) in zip(sources, outcomes) {
            switch outcome {
            case let .compiled(cachePath, pyc):
                guard !existing.contains(cachePath) else { continue }
                result.files.append(.init(source: source.path, entry: ArchiveEntry(path: cachePath, content: .bytes(pyc))))
            case let .failed(message):
                result.warnings.append("'\(source.path)' does not compile for \(cacheTag) and ships without bytecode "
                    + "(\(message)).")
            }
        }
        return result
    }
}
