import ArgumentParser
import Orchestration
import Pex

/// `pexify lock …`: resolve for a target and write a PEP 751 `pylock.toml`.
struct LockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock",
        abstract: "Resolve requirements for a target and write a pylock.toml (PEP 751)."
    )

    @OptionGroup var requirementArguments: RequirementArguments
    @OptionGroup var target: TargetArguments
    @OptionGroup var index: IndexArguments

    @Flag(help: "Print the summary as one JSON object on stdout.")
    var json = false

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("The lock file to write, e.g. pylock.toml.", valueName: "file"))
    var output: String

    func validate() throws {
        if requirementArguments.requirements.isEmpty && requirementArguments.requirementFiles.isEmpty {
            throw ValidationError("Nothing to lock: give requirements or -r FILE.")
        }
    }

    func run() async throws {
        let inputs = requirementArguments.inputs(lockFile: nil)
        let live = LiveProgress(enabled: !json)
        let summary: LockSummary
        do {
            summary = try await Build.lock(inputs, target: target.specification, index: index.options, output: output,
                                           progress: Terminal.progress(), meter: live.meter)
            await live.finish()
        } catch {
            await live.finish()
            throw error
        }
        for warning in summary.warnings { Terminal.standardError.write("warning: \(warning)\n") }
        Terminal.standardOutput.write(json ? try summary.json() + "\n" : summary.text())
    }
}
