import ArgumentParser
import Orchestration
import Pex

/// `pexify lock …`: resolve for a target and write a PEP 751 `pylock.toml`.
struct LockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock",
        abstract: "Resolve requirements for one or more targets and write a pylock.toml (PEP 751).",
        discussion: "Repeat --runtime, --architecture or --platform to lock for several targets at once: the lock "
            + "lists each target in `environments` and marks the packages only some targets need. With --lock, the "
            + "pins of an existing lock (uv.lock, poetry.lock, Pipfile.lock, pylock.toml) are written for the targets "
            + "without resolving."
    )

    @OptionGroup var requirementArguments: RequirementArguments
    @OptionGroup var target: TargetArguments
    @OptionGroup var index: IndexArguments

    @OptionGroup var indexTimeout: IndexTimeoutArgument

    @Flag(help: "Print the summary as one JSON object on stdout.")
    var json = false

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("The lock file to write, e.g. pylock.toml.", valueName: "file"))
    var output: String

    func validate() throws {
        if requirementArguments.inputs.isEmpty {
            throw ValidationError("Nothing to lock: give requirements, -r FILE or --lock FILE.")
        }
    }

    func run() async throws {
        let live = LiveProgress(enabled: !json)
        let summary: LockSummary
        do {
            summary = try await Build.lock(requirementArguments.inputs, targets: target.specifications,
                                           index: indexTimeout.applied(to: index), output: output, progress: Terminal.progress(),
                                           meter: live.meter)
            await live.finish()
        } catch {
            await live.finish()
            throw error
        }
        for warning in summary.warnings { Terminal.standardError.write("warning: \(warning)\n") }
        Terminal.standardOutput.write(json ? try summary.json() + "\n" : summary.text())
    }
}
