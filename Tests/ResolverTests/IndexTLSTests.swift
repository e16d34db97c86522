import Basics
import Foundation
import Resolver
import TestSupport
import Testing

/// Which certificates an index client uses, chosen as pip chooses them (with `pip config list` as the
/// oracle for the config files), and what the client does with them against a real TLS server.
@Suite struct IndexTLSTests {
    /// Files that exist, one per setting, so each choice can be told apart.
    struct Files {
        let directory: TemporaryDirectory
        func path(_ name: String) -> String { directory.child(name + ".pem") }

        init() throws {
            directory = try TemporaryDirectory("pexify-tls-settings")
            for name in ["flag", "pip-cert", "config", "requests", "curl", "ssl-file", "client-flag", "client-env",
                         "client-config"] {
                try directory.write(name + ".pem", "placeholder\n")
            }
            try FileManager.default.createDirectory(atPath: directory.child("ssl-dir"), withIntermediateDirectories: true)
        }
    }

    /// A pip.conf naming `cert` and `client-cert`, and the environment that points pip at it alone.
    func config(_ files: Files) throws -> (path: String, environment: [String: String]) {
        let path = try files.directory.write("pip.conf", """
            [global]
            cert = \(files.path("config"))
            [download]
            client-cert = \(files.path("client-config"))
            """)
        return (path, ["HOME": files.directory.path, "XDG_CONFIG_HOME": files.directory.child("xdg"), "PIP_CONFIG_FILE": path])
    }

    func resolved(_ environment: [String: String], cert: String? = nil, clientCert: String? = nil) throws -> TLSSettings {
        try IndexConfiguration.resolved(indexURL: "https://index.invalid/simple", cert: cert, clientCert: clientCert,
                                        environment: environment, defaultIndex: { "unused" }).tls
    }

    @Test(.enabled(if: TestEnvironment.hasPython, "needs the test venv's pip as the oracle (PEXIFY_TEST_PYTHON)"))
    func configFilesAgreeWithPip() throws {
        let files = try Files()
        defer { files.directory.remove() }
        let (path, environment) = try config(files)
        let unset = ["PIP_CERT", "PIP_CLIENT_CERT"].flatMap { ["-u", $0] }
        let pip = try run("/usr/bin/env", unset + [TestEnvironment.python, "-m", "pip", "config", "list"],
                          environment: environment).stdout
        #expect(pip.contains("global.cert='\(files.path("config"))'"), "\(pip)")
        #expect(pip.contains("download.client-cert='\(files.path("client-config"))'"), "\(pip)")
        let settings = try resolved(environment)
        #expect(settings.caFile == TLSSettings.Location(files.path("config"), from: .file(path: path, key: "cert")))
        #expect(settings.clientCertificate
            == TLSSettings.Location(files.path("client-config"), from: .file(path: path, key: "client-cert")))
        #expect(settings.caDirectory == nil)
    }

    /// Strongest first: each row removes the winner of the row before.
    @Test func theOrderOfTheCASettings() throws {
        let files = try Files()
        defer { files.directory.remove() }
        var (_, environment) = try config(files)
        environment.merge(["PIP_CERT": files.path("pip-cert"), "REQUESTS_CA_BUNDLE": files.path("requests"),
                           "CURL_CA_BUNDLE": files.path("curl"), "SSL_CERT_FILE": files.path("ssl-file"),
                           "SSL_CERT_DIR": files.directory.child("ssl-dir")]) { $1 }
        #expect(try resolved(environment, cert: files.path("flag")).caFile == .init(files.path("flag"), from: .flag("--cert")))
        #expect(try resolved(environment).caFile == .init(files.path("pip-cert"), from: .environment("PIP_CERT")))
        environment["PIP_CERT"] = nil
        #expect(try resolved(environment).caFile?.path == files.path("config"))
        environment["PIP_CONFIG_FILE"] = "/dev/null"
        #expect(try resolved(environment).caFile == .init(files.path("requests"), from: .environment("REQUESTS_CA_BUNDLE")))
        environment["REQUESTS_CA_BUNDLE"] = ""  // empty counts as unset
        #expect(try resolved(environment).caFile == .init(files.path("curl"), from: .environment("CURL_CA_BUNDLE")))
        environment["CURL_CA_BUNDLE"] = nil
        let openssl = try resolved(environment)
        #expect(openssl.caFile == .init(files.path("ssl-file"), from: .environment("SSL_CERT_FILE")))
        #expect(openssl.caDirectory == .init(files.directory.child("ssl-dir"), from: .environment("SSL_CERT_DIR")))
        environment["SSL_CERT_FILE"] = nil
        environment["SSL_CERT_DIR"] = nil
        #expect(try resolved(environment) == TLSSettings())
        // A directory given where a bundle is expected is a CA directory, as in requests.
        let directory = try resolved(environment, cert: files.directory.child("ssl-dir"))
        #expect(directory.caFile == nil && directory.caDirectory?.path == files.directory.child("ssl-dir"))
    }

    @Test func theOrderOfTheClientCertificateSettings() throws {
        let files = try Files()
        defer { files.directory.remove() }
        var (_, environment) = try config(files)
        environment["PIP_CLIENT_CERT"] = files.path("client-env")
        #expect(try resolved(environment, clientCert: files.path("client-flag")).clientCertificate
            == .init(files.path("client-flag"), from: .flag("--client-cert")))
        #expect(try resolved(environment).clientCertificate == .init(files.path("client-env"), from: .environment("PIP_CLIENT_CERT")))
        environment["PIP_CLIENT_CERT"] = nil
        #expect(try resolved(environment).clientCertificate?.path == files.path("client-config"))
    }

    @Test func unusablePathsAreRefusedWithTheirOrigin() throws {
        let files = try Files()
        defer { files.directory.remove() }
        let environment = ["HOME": files.directory.path, "PIP_CONFIG_FILE": "/dev/null"]
        let missing = files.directory.child("missing.pem")
        #expect {
            try resolved(environment.merging(["PIP_CERT": missing]) { $1 })
        } throws: {
            "\($0)" == "The CA bundle '\(missing)' named by PIP_CERT does not exist; set PIP_CERT to the path of a PEM file "
                + "of the CA certificates to trust (or a directory of them), or unset it."
        }
        #expect {
            try resolved(environment, clientCert: files.directory.child("ssl-dir"))
        } throws: {
            "\($0)" == "The client certificate '\(files.directory.child("ssl-dir"))' named by --client-cert is a directory; "
                + "pass --client-cert the path of one PEM file holding your private key and certificate."
        }
        #expect {
            try resolved(environment.merging(["SSL_CERT_DIR": files.directory.child("ssl-dir") + ":" + missing]) { $1 })
        } throws: {
            "\($0)".hasPrefix("The CA directory '\(missing)' named by SSL_CERT_DIR does not exist; set SSL_CERT_DIR to the path")
        }
    }

    @Test("A bundle that is missing does not fail a build that reads only local wheels, and fails one that connects")
    func pathsAreCheckedOnlyWhenConnecting() throws {
        let files = try Files()
        defer { files.directory.remove() }
        let missing = files.directory.child("missing.pem")
        let environment = ["HOME": files.directory.path, "PIP_CONFIG_FILE": "/dev/null", "SSL_CERT_FILE": missing]
        let local = try IndexConfiguration.resolved(noIndex: true, environment: environment.merging(
            ["PIP_FIND_LINKS": files.directory.path]) { $1 }, defaultIndex: { "unused" })
        #expect(!local.reachesNetwork && local.tls.caFile?.path == missing)
        #expect(throws: TLSSettingsError.self) {
            try IndexConfiguration.resolved(findLinks: ["https://wheels.invalid/links/"], noIndex: true,
                                            environment: environment, defaultIndex: { "unused" })
        }
    }

    // MARK: Against a TLS server

    @Test(.enabled(if: TestEnvironment.hasPython, "needs Python for the loopback index (PEXIFY_TEST_PYTHON)"),
          .enabled(if: CertificateAuthority.available, "needs openssl for the test CA (scripts/setup-test-env.sh installs it)"))
    func aClientTrustsExactlyItsCAs() async throws {
        let fixture = try IndexFixture([WheelSpec("gamma", "1.0")])
        let authority = try CertificateAuthority()
        let server = try fixture.simpleServer(tls: authority)
        defer { server.stop(); fixture.directory.remove(); authority.directory.remove() }
        func client(_ tls: TLSSettings, cache: String) throws -> IndexClient {
            IndexClient(configuration: IndexConfiguration(indexURL: server.baseURL + "/simple/", tls: tls),
                        cache: try Cache(directory: fixture.directory.child(cache)))
        }

        let trusted = TLSSettings(caFile: .init(authority.certificate, from: .flag("--cert")))
        let files = try await client(trusted, cache: "trusted").files(for: "gamma")
        #expect(files.map(\.filename) == ["gamma-1.0-py3-none-any.whl"])

        // The default store does not know the test CA: one handshake, no retry, the certificate named as the cause.
        await #expect {
            _ = try await client(TLSSettings(), cache: "default").files(for: "gamma")
        } throws: { error in
            guard case let .certificate(url, failure, _, tls)? = error as? IndexError else { return false }
            return url == server.baseURL + "/simple/gamma/" && failure == .serverNotTrusted && tls == TLSSettings()
        }
        let log = fixture.settledRequests()
        #expect(log.filter { $0.hasPrefix("TLS ") }.count == 1, "\(log)")

        // A CA file that is not PEM.
        let garbage = try fixture.directory.write("garbage.pem", "not a certificate\n")
        await #expect {
            _ = try await client(TLSSettings(caFile: .init(garbage, from: .environment("PIP_CERT"))), cache: "garbage")
                .files(for: "gamma")
        } throws: { error in
            guard case let .certificate(_, failure, _, _)? = error as? IndexError else { return false }
            return failure == .trustUnusable && "\(error)".contains("'\(garbage)' (from PIP_CERT)")
        }
    }
}
