import Foundation
import Resolver
import TestSupport
import Testing

@Suite struct CacheTests {
    @Test func concurrentWritersOfOneWheelLeaveOneCompleteFile() async throws {
        let directory = try TemporaryDirectory("pexify-cache")
        defer { directory.remove() }
        let wheel = try WheelFactory.make([WheelSpec("delta", "1.0")], in: directory.child("src"))[0]
        let digest = try WheelFactory.sha256(wheel)
        // Separate Cache values stand in for separate processes sharing one directory.
        let paths = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    let cache = try Cache(directory: directory.child("cache"))
                    let temporary = cache.temporaryPath()
                    try FileManager.default.copyItem(atPath: wheel, toPath: temporary)
                    return try cache.storeWheel(from: temporary, sha256: digest, filename: "delta-1.0-py3-none-any.whl")
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(paths.count == 1)
        #expect(try WheelFactory.sha256(paths.first!) == digest)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.child("cache/tmp")).isEmpty)
    }

    @Test func localHashesAreRememberedUntilTheFileChanges() throws {
        let directory = try TemporaryDirectory("pexify-cache")
        defer { directory.remove() }
        let cache = try Cache(directory: directory.child("cache"))
        let file = try directory.write("x.whl", "first contents")
        #expect(try cache.localSHA256(path: file) == (try WheelFactory.sha256(file)))
        #expect(try cache.localSHA256(path: file) == (try WheelFactory.sha256(file)))
        try "second, longer contents".write(toFile: file, atomically: false, encoding: .utf8)
        #expect(try cache.localSHA256(path: file) == (try WheelFactory.sha256(file)))
    }

    @Test func defaultLocationFollowsXDGCacheHome() throws {
        let directory = try TemporaryDirectory("pexify-cache")
        defer { directory.remove() }
        #expect(try Cache(environment: ["XDG_CACHE_HOME": directory.path]).root == directory.path + "/pexify")
        #expect(try Cache(environment: ["HOME": directory.path]).root == directory.path + "/.cache/pexify")
    }
}
