import Foundation
import TestSupport
import Testing

/// `pexify --layout zip … --deploy-to NAME`: the build's output goes to moto (server mode) in the same run.
@Suite struct DeployFromBuildTests {
    @Test func buildThenDeployPublishesAndMovesTheAlias() throws {
        let moto = try MotoFixture.shared.get()
        let work = try TemporaryDirectory("pexify-build-deploy")
        defer { work.remove() }
        try work.write("src/app.py", "def handler(event, context):\n    return 'built'\n")
        let function = "pexify-build-\(UUID().uuidString.prefix(8))"
        let seed = work.child("seed.zip")
        _ = try python("""
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w") as z:
                z.writestr("lambda_function.py", "def handler(e, c):\\n    return 'seed'\\n")
            """, arguments: [seed])
        _ = try moto.command(["cmd": "create_function", "name": function, "zip": seed, "runtime": "python3.11"])

        let key = "AKIDBUILD" + UUID().uuidString.prefix(8).uppercased()
        let output = work.child("function.zip")
        let result = try run(PexifyCLI.executable, [
            "--layout", "zip", "--runtime", "python3.11", "-D", work.child("src"), "--handler", "app.py:handler",
            "-o", output, "--deploy-to", function, "--alias", "live", "--endpoint-url", moto.endpoint, "--json",
        ] + PexifyCLI.offline(), environment: [
            "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": "build-secret-never-printed", "AWS_REGION": "us-east-1",
        ])
        try #require(result.status == 0, "\(result.summary)")
        #expect(!result.stdout.contains("build-secret-never-printed") && !result.stderr.contains("build-secret-never-printed"))

        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let build = try #require(report["build"] as? [String: Any])
        let deploy = try #require(report["deploy"] as? [String: Any])
        #expect((build["output"] as? String).map { $0.hasSuffix("function.zip") } == true, "\(build)")
        let localHash = try python("import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],'rb').read()).hexdigest())",
                                   arguments: [output]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(deploy["sha256"] as? String == localHash)
        #expect(try moto.function(function)["CodeSha256"] as? String == deploy["codeSha256"] as? String)
        #expect((deploy["alias"] as? [String: Any])?["name"] as? String == "live")
    }

    @Test func deploymentOptionsNeedDeployTo() throws {
        let result = try PexifyCLI.run(["--layout", "zip", "--runtime", "python3.11", "-D", ".", "--alias", "live",
                                        "-o", "/tmp/never-written.zip"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("apply only with --deploy-to"))
    }
}
