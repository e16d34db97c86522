import Foundation
import TestSupport
import Testing

/// The build stamp end to end: `pexify` writes it into the archive comment (read back by CPython's
/// zipfile), `inspect` shows it, `deploy` refuses a function of another runtime, and no output of any
/// deploy (plan, JSON report, refusal, credential failure) contains a secret.
@Suite struct DeployTargetTests {
    static func build(_ work: TemporaryDirectory, runtime: String, output: String) throws {
        try PexifyCLI.succeed(["--layout", "zip", "--runtime", runtime, "-D", work.child("src"), "--handler", "app.py:handler",
                               "-o", output] + PexifyCLI.offline())
    }

    @Test func buildRemembersItsTargetReproducibly() throws {
        let work = try TemporaryDirectory("pexify-stamp")
        defer { work.remove() }
        try work.write("src/app.py", "def handler(event, context):\n    return 'stamped'\n")
        let first = work.child("a.zip"), second = work.child("b.zip")
        try Self.build(work, runtime: "python3.12", output: first)
        try Self.build(work, runtime: "python3.12", output: second)
        #expect(FileManager.default.contents(atPath: first) == FileManager.default.contents(atPath: second),
                "same inputs, same bytes")
        let comment = try python("""
            import json, sys, zipfile
            with zipfile.ZipFile(sys.argv[1]) as z:
                assert z.testzip() is None
                text = z.comment.decode()
            assert text.startswith("pexify "), text
            stamp = json.loads(text[len("pexify "):])
            print(stamp["layout"], stamp["runtime"], stamp["architecture"], stamp["python"], stamp["handler"])
            """, arguments: [first]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(comment == "zip python3.12 x86_64 3.12 lambda_function.handler")
        let unzip = try run("unzip", ["-t", first])
        #expect(unzip.status == 0, "\(unzip.summary)")
        let text = try PexifyCLI.succeed(["inspect", first]).stdout
        #expect(text.contains("Built: built by pexify ") && text.contains("as a zip for AWS Lambda python3.12 x86_64, handler lambda_function.handler"), "\(text)")
    }

    @Test func deployChecksTheTargetAndNeverPrintsASecret() throws {
        let moto = try MotoFixture.shared.get()
        let work = try TemporaryDirectory("pexify-deploy-secrets")
        defer { work.remove() }
        try work.write("src/app.py", "def handler(event, context):\n    return 'checked'\n")
        let fits = work.child("fits.zip"), older = work.child("older.zip")
        try Self.build(work, runtime: "python3.12", output: fits)
        try Self.build(work, runtime: "python3.11", output: older)
        let function = "pexify-cli-\(UUID().uuidString.prefix(8))"
        _ = try moto.command(["cmd": "create_function", "name": function, "zip": fits])

        let key = "AKIDCLI" + UUID().uuidString.prefix(8).uppercased()
        let secret = "cli/Secret+Key/From/The/Container/Endpoint"
        let session = "cli-session-token-from-the-container-endpoint"
        let authorization = "cli-container-authorization-token"
        let webToken = "eyJ.cli-web-identity-token-never-printed.sig"
        let url = try #require(try moto.command(["cmd": "container_credentials", "token": authorization, "key": key,
                                                 "secret": secret, "session": session]) as? String)
        let tokenFile = try work.write("web-token", webToken)
        let role = try #require(try moto.command(["cmd": "role"]) as? String)
        let neutral = ["HOME": work.path, "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "",
                       "AWS_PROFILE": "", "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": moto.endpoint]
        let container = neutral.merging(["AWS_CONTAINER_CREDENTIALS_FULL_URI": url,
                                         "AWS_CONTAINER_AUTHORIZATION_TOKEN": authorization]) { $1 }
        let deploy = ["deploy", "--function-name", function]

        var outputs: [ProcessResult] = []
        func pexify(_ arguments: [String], _ environment: [String: String], status: Int32) throws -> ProcessResult {
            let result = try run(PexifyCLI.executable, arguments, environment: environment)
            outputs.append(result)
            #expect(result.status == status, "\(arguments)\n\(result.summary)")
            return result
        }
        let plan = try pexify(deploy + [fits, "--dry-run"], container, status: 0)
        #expect(plan.stdout.contains("GET container credentials from \(url)"), "\(plan.stdout)")
        #expect(plan.stdout.contains("check Runtime python3.12, Architectures [x86_64], Handler in the archive or its layers"))

        let refused = try pexify(deploy + [older], container, status: 1)
        #expect(refused.stderr.contains("the function '\(function)' runs python3.12 but the archive was built for python3.11"),
                "\(refused.stderr)")
        #expect(refused.stderr.contains("--force"))
        #expect(!paths(try moto.requests(signedBy: key)).contains { $0.hasSuffix("/code") }, "nothing was uploaded")

        let deployed = try pexify(deploy + [fits, "--json", "--publish"], container, status: 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(deployed.stdout.utf8)) as? [String: Any])
        #expect(report["version"] as? String != nil && (report["stamp"] as? [String: Any])?["runtime"] as? String == "python3.12")

        // A layer built by pexify, published with the runtime and architecture of its stamp, then attached.
        let layerZip = work.child("layer.zip")
        try PexifyCLI.succeed(["--layout", "layer", "--runtime", "python3.12", "--architecture", "arm64",
                               "-D", work.child("src"), "-o", layerZip] + PexifyCLI.offline())
        let layerName = "pexify-cli-layer-\(UUID().uuidString.prefix(8))"
        let published = try pexify(["deploy", layerZip, "--layer-name", layerName], container, status: 0)
        let arn = try #require(published.stdout.split(separator: "\n").compactMap {
            $0.split(separator: " ").last.map(String.init).flatMap { $0.hasPrefix("arn:") ? $0 : nil }
        }.first, "\(published.stdout)")
        let layer = try #require(try moto.command(["cmd": "layer", "arn": arn]) as? [String: Any])
        #expect(layer["CompatibleRuntimes"] as? [String] == ["python3.12"] && layer["CompatibleArchitectures"] as? [String] == ["arm64"])
        let attached = try pexify(deploy + [fits, "--layers", arn], container, status: 0)
        #expect(attached.stdout.contains("layer \(arn): "), "\(attached.stdout)")
        #expect(try moto.function(function)["Layers"] as? [String] == [arn])

        _ = try pexify(deploy + [fits], container.merging(["AWS_CONTAINER_AUTHORIZATION_TOKEN": "wrong"]) { $1 }, status: 1)
        let web = neutral.merging(["AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": role]) { $1 }
        _ = try pexify(deploy + [fits, "--alias", "live"], web, status: 0)
        _ = try pexify(deploy + [fits, "--dry-run", "--json"], web, status: 0)

        for result in outputs {
            for value in [secret, session, authorization, webToken] {
                #expect(!result.stdout.contains(value) && !result.stderr.contains(value), "a secret was printed:\n\(result.summary)")
            }
        }
    }

    func paths(_ requests: [[String: Any]]) -> [String] {
        requests.map { "\($0["method"]!) \($0["path"]!)" }
    }
}
