import Foundation
@testable import Resolver
import TestSupport
import Testing

/// Poetry's Python constraints on dependencies (`python = "^3.8"`), against poetry-core's own reading
/// (the marker it derives for the dependency), for the Python versions of the Lambda runtimes.
@Suite(.enabled(if: LockTools.available("poetry"), "scripts/setup-test-env.sh installs poetry into the test venv"))
struct PoetryLockTests {
    static let constraints = [
        "^3.8", "~3.11", ">=3.8,<3.12", "3.11", "3.11.*", ">=3.12 || <3.9", "*", "~=3.10", "!=3.11.*",
        ">= 3.9, < 4", "^3", "<3.12", "3.11.13", ">3.11", "<=3.11", "~3.11.2",
    ]
    static let versions = ["3.8.0", "3.9.23", "3.11.0", "3.11.13", "3.12.3", "3.13.1", "3.14.0"]

    @Test func pythonConstraintsAgreeWithPoetryCore() throws {
        let oracle = try python(#"""
import json, sys
from poetry.core.packages.dependency import Dependency
constraints, versions = json.loads(sys.argv[1]), json.loads(sys.argv[2])
for c in constraints:
    d = Dependency("x", "*")
    d.python_versions = c
    print(json.dumps([d.marker.validate({"python_version": ".".join(v.split(".")[:2]), "python_full_version": v})
                      for v in versions]))
"""#, arguments: [String(decoding: try JSONEncoder().encode(Self.constraints), as: UTF8.self),
                  String(decoding: try JSONEncoder().encode(Self.versions), as: UTF8.self)])
            .split(separator: "\n").map { try JSONDecoder().decode([Bool].self, from: Data($0.utf8)) }
        try #require(oracle.count == Self.constraints.count)
        for (constraint, expected) in zip(Self.constraints, oracle) {
            let alternatives = try #require(PoetryLock.pythonSpecifiers(constraint), "\(constraint)")
            let ours = Self.versions.map { version in
                alternatives.contains { $0.contains(Version(version)!, prereleases: true) }
            }
            #expect(ours == expected, "python = \"\(constraint)\"")
        }
    }
}
