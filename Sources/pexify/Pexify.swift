import ArgumentParser
import Foundation

/// The `pexify` command: `build` (the default), `lock` and `inspect`.
///
/// Exit codes: 0 success, 1 the build (or lock, or inspection) failed, 2 the command line is wrong.
@main
struct Pexify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pexify",
        abstract: "Turn Python code and its requirements into Lambda zips, layers and PEX zipapps.",
        subcommands: [BuildCommand.self, LockCommand.self, InspectCommand.self, InvokeCommand.self, DeployCommand.self],
        defaultSubcommand: BuildCommand.self
    )

    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                // --help and --version: the message is the requested output.
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            Terminal.standardError.write("\(fullMessage(for: error))\n")
            Foundation.exit(code == .validationFailure ? 2 : 1)
        }
    }
}
