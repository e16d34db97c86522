@testable import Orchestration
import Testing

/// `--exclude` drops a distribution and what only it needed, keeping what something else still needs.
@Suite struct ExclusionTests {
    /// The dependency graph of `app-deps` (a made-up root) on boto3, requests and a shared urllib3, the
    /// shape of real Lambda projects (docs/formats/lambda-layout.md: boto3, botocore, s3transfer, jmespath,
    /// urllib3, python-dateutil, six are preinstalled).
    static let dependencies: [String: [String]] = [
        "boto3": ["botocore", "jmespath", "s3transfer"],
        "botocore": ["jmespath", "python-dateutil", "urllib3"],
        "s3transfer": ["botocore"],
        "python-dateutil": ["six"],
        "requests": ["certifi", "charset-normalizer", "idna", "urllib3"],
        "pandas": ["numpy", "python-dateutil", "tzdata"],
    ]
    static let all = Array(Set(dependencies.keys).union(dependencies.values.flatMap { $0 })).sorted()

    @Test(arguments: [
        (["boto3", "requests"], ["boto3"], ["boto3", "botocore", "jmespath", "python-dateutil", "s3transfer", "six"]),
        // urllib3 stays for requests; python-dateutil and six stay for pandas.
        (["boto3", "requests", "pandas"], ["boto3"], ["boto3", "botocore", "jmespath", "s3transfer"]),
        (["boto3", "requests"], ["botocore"], ["botocore", "python-dateutil", "six"]),
        (["requests"], ["urllib3"], ["urllib3"]),
        (["requests"], ["requests"], ["certifi", "charset-normalizer", "idna", "requests", "urllib3"]),
    ])
    func dropsWhatOnlyTheExcludedNeeded(roots: [String], excluded: [String], dropped: [String]) {
        let reachable = Self.reachable(from: roots)
        let all = Self.all.filter { reachable.contains($0) }
        let exclusion = Exclusion(all: all, roots: roots, dependencies: Self.dependencies, excluded: Set(excluded))
        #expect(exclusion.dropped == dropped)
        #expect(Set(exclusion.kept).union(exclusion.dropped) == Set(all))
        #expect(Set(exclusion.kept).isDisjoint(with: exclusion.dropped))
        #expect(exclusion.unmatched.isEmpty)
    }

    @Test func reportsNamesThatMatchNothing() {
        let exclusion = Exclusion(all: ["requests", "idna"], roots: ["requests"],
                                  dependencies: ["requests": ["idna"]], excluded: ["boto3"])
        #expect(exclusion.unmatched == ["boto3"])
        #expect(exclusion.kept == ["requests", "idna"])
        #expect(exclusion.dropped.isEmpty)
    }

    static func reachable(from roots: [String]) -> Set<String> {
        var seen: Set<String> = []
        var stack = roots
        while let next = stack.popLast() {
            if seen.insert(next).inserted { stack += dependencies[next] ?? [] }
        }
        return seen
    }
}
