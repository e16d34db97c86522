import Basics
import Foundation
import Resolver
import TestSupport
import Testing

/// The index client against real loopback servers: pypiserver (PEP 503 HTML, basic auth) and the
/// fixture server (PEP 691 JSON, PEP 658 metadata, PEP 592 yanks, ETags).
@Suite struct IndexTests {
    static let specs = [
        WheelSpec("alpha", "1.0", requiresPython: ">=3.8"),
        WheelSpec("alpha", "2.0", requires: ["beta-pkg>=1"], requiresPython: ">=3.10"),
        WheelSpec("beta.pkg", "1.0"),
    ]

    func client(_ indexURL: String, cache: String, offline: Bool = false, environment: [String: String] = [:])
        throws -> IndexClient
    {
        IndexClient(configuration: IndexConfiguration(indexURL: indexURL), cache: try Cache(directory: cache),
                    offline: offline, policy: FetchPolicy(retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(50)), timeout: 2),
                    environment: environment)
    }

    /// What Python's hashlib says the generated wheels hash to, by filename.
    func expectedHashes(_ fixture: IndexFixture) throws -> [String: String] {
        var result: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: fixture.wheels) {
            result[name] = try WheelFactory.sha256(fixture.wheels + "/" + name)
        }
        return result
    }

    @Test func pypiserverWithBasicAuthFromURLAndNetrc() async throws {
        let fixture = try IndexFixture(Self.specs)
        defer { fixture.directory.remove() }
        let server = try fixture.pypiserver(user: "alice", password: "s3cret-pw")
        defer { server.stop() }
        let hashes = try expectedHashes(fixture)

        let withUserinfo = try client("http://alice:s3cret-pw@127.0.0.1:\(server.port)/simple/",
                                      cache: fixture.directory.child("c1"))
        let files = try await withUserinfo.files(for: "alpha")
        #expect(Set(files.map(\.filename)) == ["alpha-1.0-py3-none-any.whl", "alpha-2.0-py3-none-any.whl"])
        for file in files {
            #expect(file.sha256 == hashes[file.filename])
            #expect(!file.url.contains("s3cret") && !file.source.contains("s3cret"))
        }
        let beta = try await withUserinfo.files(for: "beta-pkg")
        #expect(beta.map(\.filename) == ["beta_pkg-1.0-py3-none-any.whl"])
        let wheel = try await withUserinfo.wheel(for: beta[0])
        #expect(try WheelFactory.sha256(wheel.path) == hashes["beta_pkg-1.0-py3-none-any.whl"])

        let netrc = try fixture.directory.write("netrc", "machine 127.0.0.1\n  login alice\n  password s3cret-pw\n")
        let viaNetrc = try client("http://127.0.0.1:\(server.port)/simple/", cache: fixture.directory.child("c2"),
                                  environment: ["NETRC": netrc])
        #expect(try await viaNetrc.files(for: "alpha").count == 2)

        let wrong = try client("http://alice:wrong-pw@127.0.0.1:\(server.port)/simple/", cache: fixture.directory.child("c3"))
        await #expect {
            _ = try await wrong.files(for: "alpha")
        } throws: { error in
            let text = String(describing: error)
            return (text.contains("HTTP 401") || text.contains("HTTP 403")) && !text.contains("wrong-pw")
        }
    }

    @Test(arguments: [true, false])
    func simpleAPIFromJSONOrHTML(json: Bool) async throws {
        let fixture = try IndexFixture(Self.specs)
        defer { fixture.directory.remove() }
        let server = try fixture.simpleServer(json: json, yanked: ["alpha-1.0-py3-none-any.whl": "broken > build"])
        defer { server.stop() }
        let index = try client(server.baseURL + "/simple", cache: fixture.directory.child("cache"))
        let files = try await index.files(for: "alpha")
        let hashes = try expectedHashes(fixture)
        #expect(files.map(\.filename) == ["alpha-1.0-py3-none-any.whl", "alpha-2.0-py3-none-any.whl"])
        #expect(files.map(\.requiresPython) == [">=3.8", ">=3.10"])
        #expect(files.map(\.yanked) == ["broken > build", nil])
        #expect(files.allSatisfy { $0.sha256 == hashes[$0.filename] && $0.metadataHashes?["sha256"] != nil })
        #expect(files[1].url == server.baseURL + "/files/alpha-2.0-py3-none-any.whl")
        if json {
            let sizes = try files.map {
                (try FileManager.default.attributesOfItem(atPath: fixture.wheels + "/" + $0.filename)[.size] as? NSNumber)?.intValue
            }
            #expect(files.map(\.size) == sizes)
        }

        // PEP 658: the metadata comes from the .metadata file; the wheel is never downloaded.
        let metadata = String(decoding: try await index.metadata(for: files[1]), as: UTF8.self)
        #expect(metadata.contains("Requires-Dist: beta-pkg>=1"))
        let requests = fixture.requests()
        #expect(requests.contains("GET /files/alpha-2.0-py3-none-any.whl.metadata 200"))
        #expect(!requests.contains { $0.hasPrefix("GET /files/alpha-2.0-py3-none-any.whl ") })
        #expect(try await index.files(for: "no-such-project").isEmpty)
    }

    @Test func pagesRevalidateWithETagsAndServeOffline() async throws {
        let fixture = try IndexFixture(Self.specs)
        defer { fixture.directory.remove() }
        let server = try fixture.simpleServer()
        defer { server.stop() }
        let cache = fixture.directory.child("cache")
        let first = try await client(server.baseURL + "/simple/", cache: cache).files(for: "alpha")
        let second = try await client(server.baseURL + "/simple/", cache: cache).files(for: "alpha")
        #expect(first == second)
        #expect(fixture.requests().filter { $0.hasPrefix("GET /simple/alpha/") } == [
            "GET /simple/alpha/ 200", "GET /simple/alpha/ 304",
        ])
        server.stop()
        let offline = try client(server.baseURL + "/simple/", cache: cache, offline: true)
        #expect(try await offline.files(for: "alpha") == first)
        await #expect(throws: IndexError.self) { _ = try await offline.files(for: "beta-pkg") }
        await #expect(throws: IndexError.self) { _ = try await offline.wheel(for: first[0]) }
    }

    @Test func freshPagesAreNotAskedForAgain() async throws {
        let fixture = try IndexFixture(Self.specs)
        defer { fixture.directory.remove() }
        let server = try fixture.simpleServer(maxAge: 600)
        defer { server.stop() }
        let cache = fixture.directory.child("cache")
        let first = try await client(server.baseURL + "/simple/", cache: cache).files(for: "alpha")
        let second = try await client(server.baseURL + "/simple/", cache: cache).files(for: "alpha")
        #expect(first == second)
        #expect(fixture.requests().filter { $0.hasPrefix("GET /simple/alpha/") } == ["GET /simple/alpha/ 200"])
    }

    @Test func findLinksDirectoryListsWheelsByNormalizedName() async throws {
        let fixture = try IndexFixture(Self.specs)
        defer { fixture.directory.remove() }
        let client = IndexClient(
            configuration: IndexConfiguration(indexURL: nil, findLinks: [fixture.wheels], noIndex: true),
            cache: try Cache(directory: fixture.directory.child("cache")))
        let files = try await client.files(for: "beta-pkg")
        #expect(files.map(\.filename) == ["beta_pkg-1.0-py3-none-any.whl"])
        let local = try await client.wheel(for: files[0])
        #expect(local.path == fixture.wheels + "/beta_pkg-1.0-py3-none-any.whl")
        #expect(local.sha256 == (try WheelFactory.sha256(local.path)))
        let zipfileMetadata = try python(
            "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); "
                + "sys.stdout.write(z.read('beta_pkg-1.0.dist-info/METADATA').decode())", arguments: [local.path])
        #expect(String(decoding: try await client.metadata(for: files[0]), as: UTF8.self) == zipfileMetadata)
    }

    /// METADATA read straight from real PyPI wheels equals what CPython's zipfile extracts.
    @Test func metadataOfRealWheelsMatchesZipfile() async throws {
        let cache = try TemporaryDirectory("pexify-index")
        defer { cache.remove() }
        let client = IndexClient(
            configuration: IndexConfiguration(indexURL: nil, findLinks: [TestEnvironment.wheelhouse], noIndex: true),
            cache: try Cache(directory: cache.path))
        let names = try FileManager.default.contentsOfDirectory(atPath: TestEnvironment.wheelhouse).filter { $0.hasSuffix(".whl") }
        #expect(names.count >= 5)
        for name in names {
            let path = TestEnvironment.wheelhouse + "/" + name
            let file = ProjectFile(filename: name, url: URL(fileURLWithPath: path).absoluteString, source: "test")
            let expected = try python(
                "import re, sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); "
                    + "n = [n for n in z.namelist() if re.fullmatch(r'[^/]+\\.dist-info/METADATA', n)][0]; "
                    + "sys.stdout.buffer.write(z.read(n))", arguments: [path])
            #expect(String(decoding: try await client.metadata(for: file), as: UTF8.self) == expected, "\(name)")
        }
    }

    @Test func redactionHidesEveryCredential() {
        #expect(Credentials.redact("https://user:pw@host.invalid/simple/") == "https://***@host.invalid/simple/")
        #expect(Credentials.redact("https://token@host.invalid/a@b") == "https://***@host.invalid/a@b")
        #expect(Credentials.redact("/local/dir") == "/local/dir")
        #expect(Credentials.strip("https://user:pw@host.invalid/x") == "https://host.invalid/x")
    }
}
