import ArgumentParser
import Pex

/// `pexify inspect FILE`: what is inside an archive.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show an archive's distributions, largest files, PEX-INFO and Lambda size budget."
    )

    @Argument(help: "A zip, layer or PEX archive.")
    var file: String

    @Flag(help: "Print the report as one JSON object on stdout.")
    var json = false

    func run() throws {
        let inspection = try ArchiveInspection(path: file)
        Terminal.standardOutput.write(json ? try inspection.json() + "\n" : inspection.text())
    }
}

extension Layout: ExpressibleByArgument {}
