import Foundation

/// A directory of generated wheels plus the loopback servers that serve it, for index tests.
public struct IndexFixture: Sendable {
    public let directory: TemporaryDirectory
    public var wheels: String { directory.child("wheels") }

    public init(_ specs: [WheelSpec]) throws {
        directory = try TemporaryDirectory("pexify-index")
        try WheelFactory.make(specs, in: directory.child("wheels"))
    }

    /// `index_servers.py simple` over the wheels, with PEP 658 metadata files, range requests and sha256
    /// hashes (PEP 503 fragments, PEP 691 `hashes`) as asked; `plan` maps request paths to fault sequences,
    /// `yanked` maps filenames to yank reasons. Requests are logged to `log`.
    /// With `tls` it serves HTTPS with the authority's server certificate, and with `requireClientCertificate`
    /// it accepts only clients presenting a certificate of that authority.
    public func simpleServer(json: Bool = true, metadata: Bool = true, ranges: Bool = false, hashes: Bool = true,
                             plan: [String: [String]] = [:], yanked: [String: String] = [:],
                             maxAge: Int? = nil, tls: CertificateAuthority? = nil,
                             requireClientCertificate: Bool = false) throws -> LoopbackServer {
        let planPath = try directory.write("plan.json", String(decoding: try JSONEncoder().encode(plan), as: UTF8.self))
        let yankedPath = try directory.write("yanked.json", String(decoding: try JSONEncoder().encode(yanked), as: UTF8.self))
        var arguments = ["--root", wheels, "--plan", planPath, "--yanked", yankedPath, "--log", log]
        if json { arguments.append("--json") }
        if metadata { arguments.append("--metadata") }
        if ranges { arguments.append("--ranges") }
        if !hashes { arguments.append("--no-hashes") }
        if let maxAge { arguments += ["--max-age", String(maxAge)] }
        if let tls {
            arguments += ["--certfile", tls.serverCertificate, "--keyfile", tls.serverKey]
            if requireClientCertificate { arguments += ["--client-ca", tls.certificate] }
        }
        return try LoopbackServer("simple", arguments, scheme: tls == nil ? "http" : "https")
    }

    /// The real pypiserver over the wheels, with basic auth for `user`/`password` when given.
    public func pypiserver(user: String? = nil, password: String? = nil) throws -> LoopbackServer {
        var arguments = ["--root", wheels]
        if let user, let password {
            let file = directory.child("htpasswd")
            _ = try python("from passlib.apache import HtpasswdFile\nimport sys\n"
                + "h = HtpasswdFile(sys.argv[1], new=True); h.set_password(sys.argv[2], sys.argv[3]); h.save()",
                arguments: [file, user, password])
            arguments += ["--htpasswd", file]
        }
        return try LoopbackServer("pypiserver", arguments)
    }

    public var log: String { directory.child("requests.log") }

    /// The request log of the simple server: one `GET path status` line per request (`GET path 206 BYTES`
    /// for a range).
    public func requests() -> [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// The request log once it has not changed for `quiet` seconds (at most 5 s): the server writes a
    /// refused handshake in its own thread, possibly after the client has already given up.
    public func settledRequests(quiet: Double = 0.3) -> [String] {
        let deadline = Date().addingTimeInterval(5)
        var last = requests(), stable = Date()
        while Date() < deadline, Date().timeIntervalSince(stable) < quiet {
            usleep(20_000)
            let now = requests()
            if now != last { (last, stable) = (now, Date()) }
        }
        return last
    }
}
