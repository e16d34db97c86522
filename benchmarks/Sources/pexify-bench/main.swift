import Foundation

// The benchmark sections, run in the order given on the command line (all when none is given).
// Other areas add one line here.
let sections: [BenchmarkSection] = [
    ZipBenchmark.section,
    ModelBenchmarks.section,
    ResolveBenchmark.section,
]

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "--child" {
    try BenchmarkSection.runChild(arguments.dropFirst(), in: sections)
    exit(0)
}
let quick = arguments.contains("--quick")
let requested = arguments.filter { !$0.hasPrefix("--") }
let unknown = requested.filter { name in !sections.contains { $0.name == name } }
guard unknown.isEmpty else {
    FileHandle.standardError.write(Data("unknown section(s) \(unknown); known: \(sections.map(\.name))\n".utf8))
    exit(2)
}
for section in sections where requested.isEmpty || requested.contains(section.name) {
    let report = try await section.run(quick)
    print(report)
    let file = try BenchmarkSection.saveResult(report, section: section.name)
    FileHandle.standardError.write(Data("wrote \(file)\n".utf8))
}
