import Basics
import Foundation
@testable import Resolver
import TestSupport
import Testing

/// Retries and cache integrity against a server that fails on purpose: 5xx answers, stalls,
/// truncated bodies and corrupted bytes.
@Suite struct IndexFaultTests {
    let wheel = "gamma-1.0-py3-none-any.whl"

    func setUp(plan: [String: [String]]) throws -> (IndexFixture, LoopbackServer, IndexClient, String) {
        let fixture = try IndexFixture([WheelSpec("gamma", "1.0")])
        let server = try fixture.simpleServer(plan: plan)
        let cacheDirectory = fixture.directory.child("cache")
        let client = IndexClient(configuration: IndexConfiguration(indexURL: server.baseURL + "/simple/"),
                                 cache: try Cache(directory: cacheDirectory),
                                 policy: FetchPolicy(retry: RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(50)), timeout: 1))
        return (fixture, server, client, cacheDirectory)
    }

    /// Every regular file under the cache's wheel store and temp folder.
    func cachedFiles(_ cache: String) -> [String] {
        ["wheels", "tmp"].flatMap { sub in
            (FileManager.default.enumerator(atPath: cache + "/" + sub)?.allObjects as? [String] ?? [])
                .filter { $0.hasSuffix(".whl") || sub == "tmp" }.map { sub + "/" + $0 }
        }
    }

    @Test func retriesServerErrorsStallsResetsAndTruncatedBodies() async throws {
        let (fixture, server, client, cache) = try setUp(plan: [
            "/simple/gamma/": ["500", "stall"],
            "/files/\(wheel)": ["truncate", "503", "reset"],
        ])
        defer { server.stop(); fixture.directory.remove() }
        let files = try await client.files(for: "gamma")
        let local = try await client.wheel(for: files[0])
        #expect(local.sha256 == (try WheelFactory.sha256(fixture.wheels + "/" + wheel)))
        #expect(try WheelFactory.sha256(local.path) == local.sha256)
        #expect(fixture.requests() == [
            "GET /simple/gamma/ 500", "GET /simple/gamma/ stall", "GET /simple/gamma/ 200",
            "GET /files/\(wheel) truncate", "GET /files/\(wheel) 503", "GET /files/\(wheel) reset",
            "GET /files/\(wheel) 200",
        ])
        #expect(cachedFiles(cache) == ["wheels/" + local.path.split(separator: "/").suffix(3).joined(separator: "/")])
    }

    @Test("A connection reset on every attempt gives up in words libcurl chose, not a bridged error code")
    func resetsGiveUpWithTheTransportReason() async throws {
        let (fixture, server, client, _) = try setUp(plan: ["/simple/gamma/": ["reset", "reset", "reset", "reset"]])
        defer { server.stop(); fixture.directory.remove() }
        await #expect {
            _ = try await client.files(for: "gamma")
        } throws: { error in
            guard let error = error as? IndexError, case let .gaveUp(_, attempts, lastError) = error else { return false }
            return attempts == 4 && !lastError.isEmpty && !error.description.contains("HTTPTransportError")
                && !error.description.contains("could not be completed")
        }
    }

    @Test func wrongBytesAreRefusedWithoutRetryAndNeverCached() async throws {
        let path = "/files/\(wheel)"
        let (fixture, server, client, cache) = try setUp(plan: [path: ["corrupt"]])
        defer { server.stop(); fixture.directory.remove() }
        let files = try await client.files(for: "gamma")
        await #expect {
            _ = try await client.wheel(for: files[0])
        } throws: { error in
            guard let error = error as? IndexError, case let .hashMismatch(_, expected, actual) = error else { return false }
            return expected == files[0].sha256 && actual != expected
        }
        #expect(fixture.requests().filter { $0.hasPrefix("GET \(path) ") }.count == 1)
        #expect(cachedFiles(cache).isEmpty)
    }

    @Test(arguments: [404, 403, 401, 410])
    func clientErrorsAreFinal(status: Int) async throws {
        let path = "/files/\(wheel)"
        let (fixture, server, client, _) = try setUp(plan: [path: ["\(status)", "ok"]])
        defer { server.stop(); fixture.directory.remove() }
        let files = try await client.files(for: "gamma")
        await #expect {
            _ = try await client.wheel(for: files[0])
        } throws: { error in
            String(describing: error).contains("HTTP \(status)") && String(describing: error).contains(path)
        }
        #expect(fixture.requests().filter { $0.hasPrefix("GET \(path) ") } == ["GET \(path) \(status)"])
    }

    @Test(arguments: ["429", "503", "408"])
    func busyAnswersAreRetriedAfterTheirRetryAfter(status: String) async throws {
        let (fixture, server, client, _) = try setUp(plan: ["/simple/gamma/": ["\(status) retry-after=3"]])
        defer { server.stop(); fixture.directory.remove() }
        let started = ContinuousClock.now
        #expect(try await client.files(for: "gamma").count == 1)
        let waited = ContinuousClock.now - started
        #expect(fixture.requests() == ["GET /simple/gamma/ \(status)", "GET /simple/gamma/ 200"])
        // Retry-After binds for 429 and 503 only (a 408 backs off 50 ms; no upper bound on a loaded machine).
        if status != "408" { #expect(waited >= .seconds(3), "\(waited)") }
    }

    /// Shapes of a page cut short (a proxy that gave up): each refused, naming the page, never a crash.
    @Test(arguments: ["<a", "<a href", "<a href=\"../../files/gamma-1.0-py3-none-any.whl", "<html><body><a href='x'",
                      "<a href=\"x\" data-yanked"])
    func truncatedPagesAreRefused(tail: String) async throws {
        let (fixture, server, client, _) = try setUp(plan: ["/simple/gamma/": ["body:<html><body>\n" + tail]])
        defer { server.stop(); fixture.directory.remove() }
        await #expect {
            _ = try await client.files(for: "gamma")
        } throws: { error in
            guard let error = error as? IndexError, case let .malformedPage(url, reason) = error else { return false }
            return url.hasSuffix("/simple/gamma/") && reason.contains("unclosed <a>")
        }
    }

    @Test(arguments: ["zz" + String(repeating: "0", count: 62), String(repeating: "a", count: 63), "abc"])
    func aMalformedHashFragmentIsRefusedBeforeAnyDownload(digest: String) async throws {
        let link = "<a href=\"../../files/\(wheel)#sha256=\(digest)\">\(wheel)</a>"
        let (fixture, server, client, _) = try setUp(plan: ["/simple/gamma/": ["body:" + link]])
        defer { server.stop(); fixture.directory.remove() }
        await #expect {
            let files = try await client.files(for: "gamma")
            _ = try await client.wheel(for: files[0])
        } throws: { error in
            let text = String(describing: error)
            return text.contains("/simple/gamma/") && text.contains(wheel) && text.contains("\"\(digest.lowercased())\"")
        }
        #expect(!fixture.requests().contains { $0.hasPrefix("GET /files/") })
    }

    /// The stall timeout is ten minutes, so only the 1 s deadline can end the first attempt; a second
    /// attempt would succeed. No wall-clock bound: a loaded test run may starve the clock, not the logic.
    @Test func theDeadlinePerFileEndsAnAttemptThatHasNotStalledYet() async throws {
        let fixture = try IndexFixture([WheelSpec("gamma", "1.0")])
        let server = try fixture.simpleServer(plan: ["/simple/gamma/": ["stall"]])
        defer { server.stop(); fixture.directory.remove() }
        let client = IndexClient(configuration: IndexConfiguration(indexURL: server.baseURL + "/simple/"),
                                 cache: try Cache(directory: fixture.directory.child("cache")),
                                 policy: FetchPolicy(timeout: 600, deadline: .seconds(1)))
        await #expect {
            _ = try await client.files(for: "gamma")
        } throws: { error in
            guard let error = error as? IndexError, case .deadlineExceeded = error else { return false }
            return String(describing: error).contains("/simple/gamma/ after 1 s")
        }
        #expect(fixture.requests() == ["GET /simple/gamma/ stall"])
    }

    @Test(arguments: [
        (nil, nil, 15.0), (7.5, "3", 7.5), (nil, "3", 3), (nil, "", 15),
    ] as [(Double?, String?, Double)])
    func theTimeoutComesFromTheOptionThenPipsVariable(option: Double?, variable: String?, expected: Double) throws {
        let environment = variable.map { ["PIP_DEFAULT_TIMEOUT": $0] } ?? [:]
        #expect(try FetchPolicy.timeout(option: option, environment: environment) == expected)
    }

    @Test func aMeaninglessPipDefaultTimeoutIsRefused() {
        #expect(throws: IndexError.self) { try FetchPolicy.timeout(option: nil, environment: ["PIP_DEFAULT_TIMEOUT": "soon"]) }
    }

    /// What a SIGKILLed download left in the cache's tmp/ goes when a later process opens the cache (the
    /// sweep a process runs once, called here directly), once nobody has touched it for a day; a live
    /// transfer's file stays.
    @Test func abandonedPartialDownloadsAreSweptFromTheCache() throws {
        let directory = try TemporaryDirectory("pexify-cache-sweep")
        defer { directory.remove() }
        let cache = try Cache(directory: directory.path)
        let abandoned = try directory.write("tmp/\(UUID().uuidString)", "half a wheel")
        let live = try directory.write("tmp/\(UUID().uuidString)", "half a wheel")
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-2 * 86_400)],
                                              ofItemAtPath: abandoned)
        cache.removeAbandonedPartialFiles()
        #expect(!FileManager.default.fileExists(atPath: abandoned))
        #expect(FileManager.default.fileExists(atPath: live))
    }

    @Test func givesUpWithAClearErrorAfterTheLastTry() async throws {
        let (fixture, server, client, _) = try setUp(plan: ["/simple/gamma/": Array(repeating: "500", count: 4)])
        defer { server.stop(); fixture.directory.remove() }
        await #expect {
            _ = try await client.files(for: "gamma")
        } throws: { error in
            String(describing: error).contains("after 4 attempts (last failure: HTTP 500)")
        }
    }
}
