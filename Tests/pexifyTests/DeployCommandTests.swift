import Deploy
import Foundation
@testable import pexify
import TestSupport
import Testing

@Suite struct DeployCommandTests {
    @Test func argumentsBecomeOptions() throws {
        let command = try DeployCommand.parse([
            "fn.zip", "--function-name", "my-fn", "--alias", "live", "--s3-bucket", "b", "--s3-key", "k.zip",
            "--region", "eu-west-1", "--profile", "ci", "--endpoint-url", "http://127.0.0.1:5000", "--dry-run", "--json",
        ])
        let options = command.options
        #expect(command.archive == "fn.zip" && command.json)
        #expect(options.functionName == "my-fn" && options.alias == "live" && !options.publish)
        #expect(options.s3Bucket == "b" && options.s3Key == "k.zip" && options.region == "eu-west-1")
        #expect(options.profile == "ci" && options.endpointURL == "http://127.0.0.1:5000" && options.dryRun)
        #expect(throws: (any Error).self) { try DeployCommand.parse(["fn.zip"]) }
    }

    @Test func functionAndLayerArgumentsBecomeOptions() throws {
        let created = try DeployCommand.parse([
            "fn.zip", "--function-name", "new-fn", "--role", "arn:aws:iam::1:role/r", "--memory", "512", "--timeout", "60",
            "--environment", "A=1", "--environment", "B=x=y", "--environment", "A=2", "--description", "d",
            "--layers", "arn:aws:lambda:us-east-1:1:layer:a:1", "--layers", "arn:aws:lambda:us-east-1:1:layer:b:2", "--force",
        ]).options
        #expect(created.role == "arn:aws:iam::1:role/r" && created.memory == 512 && created.timeout == 60 && created.force)
        #expect(created.functionEnvironment == ["A": "2", "B": "x=y"], "later repetitions win; values may hold '='")
        #expect(created.functionDescription == "d" && created.layerName == nil)
        #expect(created.layers == ["arn:aws:lambda:us-east-1:1:layer:a:1", "arn:aws:lambda:us-east-1:1:layer:b:2"])

        let layer = try DeployCommand.parse(["layer.zip", "--layer-name", "deps", "--s3-bucket", "b"]).options
        #expect(layer.layerName == "deps" && layer.s3Bucket == "b" && layer.layers == nil)

        for bad in [["fn.zip"], ["fn.zip", "--function-name", "f", "--layer-name", "l"],
                    ["layer.zip", "--layer-name", "l", "--alias", "live"],
                    ["fn.zip", "--function-name", "f", "--environment", "NOVALUE"],
                    ["fn.zip", "--function-name", "f", "--memory", "64"]] {
            #expect(throws: (any Error).self, "\(bad)") { try DeployCommand.parse(bad) }
        }
    }

    /// The dry-run plan as `--json` and as text: the steps in order, no secret anywhere.
    @Test func dryRunOutput() async throws {
        let work = try TemporaryDirectory("pexify-deploy-cli")
        defer { work.remove() }
        let zip = work.child("fn.zip")
        _ = try python("""
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w") as z:
                z.writestr("lambda_function.py", "def handler(event, context):\\n    return 1\\n")
            """, arguments: [zip])
        var options = try DeployCommand.parse(["fn.zip", "--function-name", "my-fn", "--publish", "--dry-run",
                                               "--region", "eu-west-1"]).options
        options.environment = ["AWS_ACCESS_KEY_ID": "AKIDCLI", "AWS_SECRET_ACCESS_KEY": "cli-secret-never-printed"]
        options.homeDirectory = work.path
        let report = try await LambdaDeployer.deploy(archive: zip, options: options)

        let json = report.jsonText
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(decoded["dryRun"] as? Bool == true)
        #expect(decoded["upload"] as? String == "direct")
        #expect(decoded["sha256"] as? String == report.sha256 && report.sha256.count == 64)
        #expect((decoded["steps"] as? [String])?.count == 6)
        #expect(!json.contains("cli-secret-never-printed") && !report.summary.contains("cli-secret-never-printed"))
        let lines = report.summary.split(separator: "\n")
        #expect(lines.first?.hasPrefix("Plan for \(zip)") == true)
        #expect(lines.dropFirst().first == "  archive without a pexify stamp (runtime and architecture unchecked)")
        #expect(lines.dropFirst(2).first == "  1. GetFunctionConfiguration my-fn: check Handler in the archive or its layers (no pexify stamp: runtime and architecture unchecked), refuse on a mismatch; must exist; wait for any update in progress")
        #expect(lines.last?.hasPrefix("  6. PublishVersion") == true)
    }
}
