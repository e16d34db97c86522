import ArgumentParser

@main
struct Pexify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pexify",
        abstract: "Turn Python code and its requirements into Lambda zips, layers and PEX zipapps."
    )
}
