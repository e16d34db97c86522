import Foundation
import TestSupport
import Testing

/// The real `pexify` binary against an HTTPS loopback index (Python's `ssl` over `http.server`) whose
/// certificate comes from a CA made for the test: pip's certificate settings, in pip's order, decide
/// whether the build trusts it; a server that wants a client certificate gets one from `--client-cert`.
@Suite(.serialized,
       .enabled(if: TestEnvironment.hasPython, "needs Python for the loopback index (PEXIFY_TEST_PYTHON)"),
       .enabled(if: CertificateAuthority.available, "needs openssl for the test CA (scripts/setup-test-env.sh installs it)"))
struct CertificateCLITests {
    /// Every variable that can choose certificates; each run starts without the machine's (and without
    /// pip's configuration files unless it names one).
    static let variables = ["PIP_CERT", "PIP_CLIENT_CERT", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE",
                            "SSL_CERT_DIR"]

    /// One wheel behind an HTTPS index signed by a fresh CA.
    struct Index {
        let fixture: IndexFixture
        let authority: CertificateAuthority
        let server: LoopbackServer

        init(requireClientCertificate: Bool = false) throws {
            fixture = try IndexFixture([WheelSpec("gamma", "1.0")])
            authority = try CertificateAuthority()
            server = try fixture.simpleServer(tls: authority, requireClientCertificate: requireClientCertificate)
        }

        func remove() {
            server.stop()
            fixture.directory.remove()
            authority.directory.remove()
        }

        func output(_ name: String) -> String { fixture.directory.child(name + ".zip") }

        /// A build of `gamma` into `output(name)` with its own cache, so that every run downloads.
        func build(_ name: String, _ extra: [String] = [], environment: [String: String] = [:]) throws -> ProcessResult {
            let unset = CertificateCLITests.variables.filter { environment[$0] == nil }.flatMap { ["-u", $0] }
            var environment = environment
            environment["PIP_CONFIG_FILE"] = environment["PIP_CONFIG_FILE"] ?? "/dev/null"
            let arguments = ["gamma", "--layout", "zip", "--runtime", "python3.12", "--index-url", server.baseURL + "/simple/",
                             "--cache-dir", fixture.directory.child("cache-" + name), "-o", output(name)] + extra
            return try run("/usr/bin/env", unset + [PexifyCLI.executable] + arguments, environment: environment)
        }

        /// Handshakes the server refused (`TLS <reason>`) and requests it answered.
        var log: [String] { fixture.settledRequests() }
    }

    @Test func anUntrustedIndexFailsAtOnceWithAHintAtCert() throws {
        let index = try Index()
        defer { index.remove() }
        let result = try index.build("untrusted")
        #expect(result.status == 1, "\(result.summary)")
        #expect(result.stderr.contains("The server certificate of \(index.server.baseURL)/simple/gamma/ does not verify "
            + "against libcurl's default CA certificates"), "\(result.stderr)")
        #expect(result.stderr.contains("pass that CA's PEM bundle with --cert FILE, PIP_CERT or `cert = FILE` in pip.conf"),
                "\(result.stderr)")
        // Final: one handshake, no retries.
        #expect(index.log.count == 1 && index.log[0].hasPrefix("TLS "), "\(index.log)")
        #expect(!FileManager.default.fileExists(atPath: index.output("untrusted")))
    }

    /// The settings that can name the CA, each on its own.
    enum Setting: String, CaseIterable, CustomTestStringConvertible {
        case flag, pipCert, pipConfig, pipConfigDownloadSection, requestsCABundle, curlCABundle, sslCertFile, sslCertDir, flagDirectory

        var testDescription: String { rawValue }

        func arguments(_ index: Index) throws -> ([String], [String: String]) {
            let ca = index.authority.certificate
            switch self {
            case .flag: return (["--cert", ca], [:])
            case .flagDirectory: return (["--cert", try index.authority.hashedDirectory()], [:])
            case .pipCert: return ([], ["PIP_CERT": ca])
            case .pipConfig:
                let file = try index.fixture.directory.write("pip.conf", "[global]\ncert = \(ca)\n")
                return ([], ["PIP_CONFIG_FILE": file])
            case .pipConfigDownloadSection:
                let file = try index.fixture.directory.write("pip-download.conf", "[download]\ncert: \(ca)\n")
                return ([], ["PIP_CONFIG_FILE": file])
            case .requestsCABundle: return ([], ["REQUESTS_CA_BUNDLE": ca])
            case .curlCABundle: return ([], ["CURL_CA_BUNDLE": ca])
            case .sslCertFile: return ([], ["SSL_CERT_FILE": ca])
            case .sslCertDir: return ([], ["SSL_CERT_DIR": try index.authority.hashedDirectory()])
            }
        }
    }

    @Test(arguments: Setting.allCases)
    func eachCASettingTrustsTheIndex(_ setting: Setting) throws {
        let index = try Index()
        defer { index.remove() }
        let (arguments, environment) = try setting.arguments(index)
        let result = try index.build(setting.rawValue, arguments, environment: environment)
        #expect(result.status == 0, "\(result.summary)")
        #expect(index.log.contains("GET /files/gamma-1.0-py3-none-any.whl 200"), "\(index.log)")
        #expect(!index.log.contains { $0.hasPrefix("TLS ") }, "\(index.log)")
        #expect(try unzipTest(index.output(setting.rawValue)))
    }

    @Test func theFlagOverridesAWrongPipCert() throws {
        let index = try Index()
        defer { index.remove() }
        let stranger = try CertificateAuthority()
        defer { stranger.directory.remove() }
        let wrong = ["PIP_CERT": stranger.certificate]
        let refused = try index.build("wrong", environment: wrong)
        #expect(refused.status == 1, "\(refused.summary)")
        #expect(refused.stderr.contains("does not verify against the CA bundle '\(stranger.certificate)' (from PIP_CERT)"),
                "\(refused.stderr)")
        let result = try index.build("right", ["--cert", index.authority.certificate], environment: wrong)
        #expect(result.status == 0, "\(result.summary)")
        #expect(try unzipTest(index.output("right")))
    }

    @Test func aServerThatRequiresAClientCertificate() throws {
        let index = try Index(requireClientCertificate: true)
        defer { index.remove() }
        let trust = ["--cert", index.authority.certificate]
        let refused = try index.build("anonymous", trust)
        #expect(refused.status == 1, "\(refused.summary)")
        #expect(refused.stderr.contains("\(index.server.baseURL)/simple/gamma/ requires a client certificate"),
                "\(refused.stderr)")
        #expect(refused.stderr.contains("--client-cert FILE, PIP_CLIENT_CERT or `client-cert = FILE` in pip.conf"),
                "\(refused.stderr)")
        #expect(index.log.count == 1 && index.log[0].hasPrefix("TLS "), "not retried: \(index.log)")
        #expect(!FileManager.default.fileExists(atPath: index.output("anonymous")))

        let flag = try index.build("flag", trust + ["--client-cert", index.authority.clientBundle])
        #expect(flag.status == 0, "\(flag.summary)")
        #expect(try unzipTest(index.output("flag")))
        let variable = try index.build("variable", trust, environment: ["PIP_CLIENT_CERT": index.authority.clientBundle])
        #expect(variable.status == 0, "\(variable.summary)")

        // A certificate of another CA is refused by the server, and said so.
        let stranger = try CertificateAuthority()
        defer { stranger.directory.remove() }
        let foreign = try index.build("foreign", trust + ["--client-cert", stranger.clientBundle])
        #expect(foreign.status == 1, "\(foreign.summary)")
        #expect(foreign.stderr.contains("refused the client certificate '\(stranger.clientBundle)' (from --client-cert)"),
                "\(foreign.stderr)")
    }

    /// A certificate path that does not exist, from each kind of origin: named with its origin and a remedy.
    enum Missing: String, CaseIterable, CustomTestStringConvertible {
        case certFlag, pipCert, pipConfig, clientCertFlag, sslCertFile

        var testDescription: String { rawValue }
    }

    @Test(arguments: Missing.allCases)
    func aMissingCertificatePathFailsBeforeAnyRequest(_ missing: Missing) throws {
        let index = try Index()
        defer { index.remove() }
        let path = index.fixture.directory.child("no-such-ca.pem")
        let config = index.fixture.directory.child("pip.conf")
        let (arguments, environment, expected): ([String], [String: String], String) = switch missing {
        case .certFlag:
            (["--cert", path], [:], "The CA bundle '\(path)' named by --cert does not exist; pass --cert the path of a PEM file")
        case .pipCert:
            ([], ["PIP_CERT": path], "The CA bundle '\(path)' named by PIP_CERT does not exist; set PIP_CERT to the path of a PEM file")
        case .pipConfig:
            ([], ["PIP_CONFIG_FILE": try index.fixture.directory.write("pip.conf", "[install]\ncert = \(path)\n")],
             "The CA bundle '\(path)' named by `cert` in \(config) does not exist; set `cert =` in \(config) to the path")
        case .clientCertFlag:
            (["--cert", index.authority.certificate, "--client-cert", path], [:],
             "The client certificate '\(path)' named by --client-cert does not exist; pass --client-cert the path of one PEM file holding your private key and certificate")
        case .sslCertFile:
            ([], ["SSL_CERT_FILE": path], "The CA bundle '\(path)' named by SSL_CERT_FILE does not exist; set SSL_CERT_FILE to the path")
        }
        let result = try index.build("missing", arguments, environment: environment)
        #expect(result.status == 1, "\(result.summary)")
        #expect(result.stderr.contains(expected), "\(result.stderr)")
        #expect(index.log.isEmpty, "no connection was made: \(index.log)")
        #expect(!FileManager.default.fileExists(atPath: index.output("missing")))
    }

    /// `unzip -t` accepts the archive.
    func unzipTest(_ path: String) throws -> Bool {
        try run("unzip", ["-tq", path]).status == 0
    }
}
