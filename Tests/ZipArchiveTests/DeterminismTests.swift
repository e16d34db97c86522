import Foundation
import TestSupport
import Testing
@testable import ZipArchive

/// Many small entries of varied sizes plus raw copies from a real wheel.
private func mixedPlan() throws -> ArchivePlan {
    var plan = ArchivePlan()
    for index in 0..<400 {
        let text = String(repeating: "entry \(index) says hello\n", count: index % 37 + 1)
        try plan.add(ArchiveEntry(path: "pkg\(index % 7)/module_\(index).py", content: .bytes(Array(text.utf8))))
    }
    try plan.add(ArchiveEntry(path: "blob.bin", content: .bytes(pseudoRandomBytes(200_000))))
    let wheel = try wheelhouseWheel("requests")
    for entry in try ZipReader(path: wheel).entries where !entry.isDirectory {
        try plan.add(ArchiveEntry(path: "deps/" + entry.name, content: .rawCopy(archive: wheel, entry: entry)))
    }
    return plan
}

@Suite("Determinism") struct DeterminismTests {
    @Test("Two runs, 1 vs N workers and a tiny in-flight budget all give byte-identical archives")
    func byteIdentical() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plan = try mixedPlan()
        let policies = [
            ArchivePolicy(jobs: 1), ArchivePolicy(jobs: 4), ArchivePolicy(jobs: 4),
            ArchivePolicy(jobs: 3, maxBytesInFlight: 1024), ArchivePolicy(jobs: 2, spillThreshold: 4096),
        ]
        var outputs: [[UInt8]] = []
        for (number, policy) in policies.enumerated() {
            let path = directory.child("run\(number).zip")
            try ZipWriter.write(plan, to: path, policy: policy)
            outputs.append(try readFile(path))
        }
        for (number, output) in outputs.enumerated().dropFirst() {
            #expect(output == outputs[0], "run \(number) (\(policies[number])) differs from run 0")
        }
        #expect(try ZipOracle.inspect(directory.child("run0.zip")).testzip == nil)
    }
}
