import Basics
import Deploy
import Foundation
import TestSupport
import Testing

/// Creating functions, refusing archives built for another target, publishing and attaching layers:
/// all against moto in server mode, whose request log shows what was (not) sent.
extension DeployMotoTests {
    /// A zip written by CPython's zipfile with pexify's stamp as its archive comment. `files` maps member
    /// names to contents; `zeros` adds a member of that many zero bytes (deflated to almost nothing),
    /// to reach an unzipped size cheaply.
    func makeStampedZip(_ name: String, layout: String = "zip", runtime: String = "python3.12",
                        architecture: String = "x86_64", handler: String? = "lambda_function.handler",
                        files: [String: String] = ["lambda_function.py": "def handler(event, context):\n    return 'v1'\n"],
                        zeros: Int = 0) throws -> String {
        let stamp = ArchiveStamp(layout: layout, runtime: runtime, architecture: architecture,
                                 target: "AWS Lambda \(runtime) \(architecture)", python: String(runtime.dropFirst(6)),
                                 machine: architecture == "arm64" ? "aarch64" : architecture, handler: handler)
        let path = work.child(name)
        let filesJSON = String(decoding: try JSONSerialization.data(withJSONObject: files, options: [.sortedKeys]), as: UTF8.self)
        _ = try python("""
            import json, sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
                for member, text in json.loads(sys.argv[2]).items():
                    z.writestr(member, text)
                if int(sys.argv[4]):
                    z.writestr("zeros.bin", bytes(int(sys.argv[4])))
                z.comment = sys.argv[3].encode()
            """, arguments: [path, filesJSON, String(decoding: stamp.comment, as: UTF8.self), String(zeros)])
        return path
    }

    func paths(_ requests: [[String: Any]]) -> [String] {
        requests.map { "\($0["method"]!) \($0["path"]!)" }
    }

    @Test func createsTheFunctionFromTheStampThenUpdatesIt() async throws {
        defer { work.remove() }
        let function = "pexify-create-\(UUID().uuidString.prefix(8))"
        let key = uniqueKey()
        var options = deployOptions(function, accessKey: key)
        options.role = try #require(try moto.command(["cmd": "role"]) as? String)
        options.memory = 256
        options.timeout = 30
        options.functionEnvironment = ["STAGE": "test", "EMPTY": ""]
        options.functionDescription = "made by pexify"
        options.alias = "live"
        let v1 = try makeStampedZip("v1.zip", runtime: "python3.11", architecture: "arm64")
        let created = try await LambdaDeployer.deploy(archive: v1, options: options)

        #expect(created.created == true && created.version != nil && created.alias?.created == true)
        let state = try moto.function(function)
        #expect(state["Runtime"] as? String == "python3.11")
        #expect(state["Architectures"] as? [String] == ["arm64"])
        #expect(state["Handler"] as? String == "lambda_function.handler")
        #expect(state["MemorySize"] as? Int == 256 && state["Timeout"] as? Int == 30)
        #expect(state["Environment"] as? [String: String] == ["STAGE": "test", "EMPTY": ""])
        #expect(state["Description"] as? String == "made by pexify")
        #expect(state["State"] as? String == "Active")
        #expect(state["CodeSha256"] as? String == created.codeSha256)
        #expect(paths(try moto.requests(signedBy: key)).prefix(2) == [
            "GET /2015-03-31/functions/\(function)/configuration", "POST /2015-03-31/functions",
        ])

        let v2 = try makeStampedZip("v2.zip", runtime: "python3.11", architecture: "arm64",
                                    files: ["lambda_function.py": "def handler(event, context):\n    return 'v2'\n"])
        let updated = try await LambdaDeployer.deploy(archive: v2, options: options)
        #expect(updated.created == false && updated.alias?.previousVersion == created.version)
        #expect(try moto.function(function)["CodeSha256"] as? String == updated.codeSha256)
        #expect(paths(try moto.requests(signedBy: key)).contains("PUT /2015-03-31/functions/\(function)/code"))
    }

    @Test func creatingNeedsARoleAndAStamp() async throws {
        defer { work.remove() }
        var options = deployOptions("pexify-never-created", accessKey: uniqueKey())
        options.create = true
        await #expect {
            try await LambdaDeployer.deploy(archive: try makeStampedZip("fn.zip"), options: options)
        } throws: { "\($0)".contains("needs an execution role; pass --role") }
        options.role = "arn:aws:iam::123456789012:role/r"
        await #expect {
            try await LambdaDeployer.deploy(archive: try makeZip("plain.zip", marker: "v1"), options: options)
        } throws: { "\($0)".contains("has no pexify stamp in its archive comment") }
    }

    /// The function runs one target, the archive was built for another: refused before any upload, with
    /// both sides and `--force` named; with `--force` the deploy goes through.
    @Test(arguments: [("python3.11", "x86_64", "runs python3.12 but the archive was built for python3.11"),
                      ("python3.12", "arm64", "runs on x86_64 but the archive was built for arm64")])
    func mismatchedTargetIsRefusedBeforeUploading(runtime: String, architecture: String, expected: String) async throws {
        defer { work.remove() }
        let function = try makeFunction("mismatch")
        let bucket = "pexify-mismatch-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try moto.command(["cmd": "create_bucket", "name": bucket])
        let key = uniqueKey()
        var options = deployOptions(function, accessKey: key)
        options.s3Bucket = bucket
        let zip = try makeStampedZip("fn.zip", runtime: runtime, architecture: architecture)
        await #expect {
            try await LambdaDeployer.deploy(archive: zip, options: options)
        } throws: { error in
            let text = "\(error)"
            return text.contains(expected) && text.contains("--force") && text.contains("Nothing was uploaded")
        }
        #expect(paths(try moto.requests(signedBy: key)) == ["GET /2015-03-31/functions/\(function)/configuration"],
                "only the configuration was read: no S3 upload, no code update")

        options.force = true
        let report = try await LambdaDeployer.deploy(archive: zip, options: options)
        #expect(report.warnings?.contains { $0.contains(expected) } == true)
        #expect(try moto.function(function)["CodeSha256"] as? String == report.codeSha256)
    }

    @Test(arguments: [
        (["app.py": "def handler(event, context):\n    return 1\n"], "but the archive has no lambda_function.py or lambda_function/__init__.py"),
        (["lambda_function.py": "def main(event, context):\n    return 1\n"], "but lambda_function.py in the archive defines no 'handler'"),
    ])
    func missingHandlerIsRefused(files: [String: String], expected: String) async throws {
        defer { work.remove() }
        let function = try makeFunction("nohandler")
        let key = uniqueKey()
        await #expect {
            try await LambdaDeployer.deploy(archive: try makeStampedZip("fn.zip", files: files),
                                            options: deployOptions(function, accessKey: key))
        } throws: { "\($0)".contains("runs the handler 'lambda_function.handler' \(expected)") }
        #expect(paths(try moto.requests(signedBy: key)) == ["GET /2015-03-31/functions/\(function)/configuration"])
    }

    @Test func containerImageFunctionGetsAClearError() async throws {
        defer { work.remove() }
        let function = "pexify-image-\(UUID().uuidString.prefix(8))"
        _ = try moto.command(["cmd": "create_function", "name": function, "image": "1"])
        await #expect {
            try await LambdaDeployer.deploy(archive: try makeStampedZip("fn.zip"), options: deployOptions(function, accessKey: uniqueKey()))
        } throws: { "\($0)".contains("is packaged as a container image (PackageType Image)") }
    }

    /// A layer published (through S3) with the archive's runtime and architecture, attached to a
    /// function, and counted by the next deploy's unzipped-size check.
    @Test func layerIsPublishedAttachedAndCountedInTheBudget() async throws {
        defer { work.remove() }
        let bucket = "pexify-layer-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try moto.command(["cmd": "create_bucket", "name": bucket])
        let layerName = "pexify-deps-\(UUID().uuidString.prefix(8))"
        let layerZip = try makeStampedZip("layer.zip", layout: "layer", handler: nil,
                                          files: ["python/helper.py": "VALUE = 1\n"], zeros: 100 * 1_048_576)
        let layerKey = uniqueKey()
        var layerOptions = deployOptions("", accessKey: layerKey)
        layerOptions.layerName = layerName
        layerOptions.s3Bucket = bucket
        await #expect {
            try await LambdaDeployer.deploy(archive: try makeStampedZip("function.zip"), options: layerOptions)
        } throws: { "\($0)".contains("has nothing under python/, so its modules would land in /opt, outside sys.path") }
        #expect(try moto.requests(signedBy: layerKey).isEmpty, "a function zip is not published as a layer")
        let published = try await LambdaDeployer.deploy(archive: layerZip, options: layerOptions)
        let arn = try #require(published.layerVersionArn)
        #expect(arn.hasSuffix(":layer:\(layerName):1"))
        let layer = try #require(try moto.command(["cmd": "layer", "arn": arn]) as? [String: Any])
        #expect(layer["CompatibleRuntimes"] as? [String] == ["python3.12"])
        #expect(layer["CompatibleArchitectures"] as? [String] == ["x86_64"])
        #expect(layer["CodeSha256"] as? String == published.codeSha256)
        let unzipped = Int64(100 * 1_048_576 + "VALUE = 1\n".utf8.count)
        #expect(layer["Description"] as? String == "pexify \(PexifyVersion.current) layer for python3.12 x86_64: \(unzipped) bytes unzipped")

        let function = try makeFunction("withlayer")
        let key = uniqueKey()
        var options = deployOptions(function, accessKey: key)
        options.layers = [arn]
        let attached = try await LambdaDeployer.deploy(archive: try makeStampedZip("fn.zip"), options: options)
        #expect(attached.layers == [.init(arn: arn, unzippedBytes: unzipped, exact: true)])
        #expect(try moto.function(function)["Layers"] as? [String] == [arn])
        let sent = paths(try moto.requests(signedBy: key))
        let configured = try #require(sent.firstIndex(of: "PUT /2015-03-31/functions/\(function)/configuration"))
        let coded = try #require(sent.firstIndex(of: "PUT /2015-03-31/functions/\(function)/code"))
        #expect(configured < coded, "the layers were set (and waited for) before the code update: \(sent)")

        // 160 MiB fits alone, not with the attached 100 MiB layer, which the check reads from the function.
        options.layers = nil
        await #expect {
            try await LambdaDeployer.deploy(archive: try makeStampedZip("big.zip", zeros: 160 * 1_048_576), options: options)
        } throws: { "\($0)".contains("and its layers would unzip to") && "\($0)".contains(arn) }
        #expect(!paths(try moto.requests(signedBy: key)).contains { $0.hasSuffix("/code") }, "nothing was uploaded")
    }

    @Test func dryRunListsEveryRequestIncludingTheChecks() async throws {
        defer { work.remove() }
        let key = uniqueKey()
        var options = deployOptions("pexify-dry", accessKey: key)
        options.dryRun = true
        options.role = "arn:aws:iam::123456789012:role/r"
        options.layers = ["arn:aws:lambda:us-east-1:123456789012:layer:deps:3"]
        options.publish = true
        let report = try await LambdaDeployer.deploy(archive: try makeStampedZip("fn.zip"), options: options)
        let steps = report.steps
        #expect(steps.first?.hasPrefix("GetFunctionConfiguration pexify-dry: check Runtime python3.12, Architectures [x86_64], Handler in the archive or its layers, refuse on a mismatch; create it when absent") == true, "\(steps)")
        #expect(steps.contains { $0.hasPrefix("GetLayerVersion for each of the layers arn:aws:lambda:us-east-1:123456789012:layer:deps:3, downloading") })
        #expect(steps.contains { $0.hasPrefix("if absent: CreateFunction pexify-dry with the") && $0.contains("role arn:aws:iam::123456789012:role/r") })
        #expect(steps.contains { $0.hasPrefix("if it existed: UpdateFunctionConfiguration pexify-dry Layers") })
        #expect(steps.last == "PublishVersion with CodeSha256 and RevisionId preconditions")
        #expect(try moto.requests(signedBy: key).isEmpty, "a dry run sends nothing")
    }

    /// The handler's module is only in a layer: found there once the layer is downloaded (moto answers
    /// `Location: s3://`, so a transport puts a presigned URL of the object moto stores there); refused when the layer
    /// lacks it too; let through with a warning when the layer cannot be downloaded.
    @Test func handlerInALayerIsFoundThere() async throws {
        defer { work.remove() }
        let bucket = "pexify-lh-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try moto.command(["cmd": "create_bucket", "name": bucket])
        var layerOptions = deployOptions("", accessKey: uniqueKey())
        layerOptions.layerName = "pexify-shared-\(UUID().uuidString.prefix(8))"
        layerOptions.s3Bucket = bucket
        let layerZip = try makeStampedZip("layer.zip", layout: "layer", handler: nil, files: [
            "python/lib/python3.12/site-packages/shared/__init__.py": "",
            "python/lib/python3.12/site-packages/shared/entry.py": "async def handler(event, context):\n    return 'layer'\n",
        ])
        let published = try await LambdaDeployer.deploy(archive: layerZip, options: layerOptions)
        let arn = try #require(published.layerVersionArn)
        let objectKey = try #require(published.s3?.key)
        let object = try #require(try moto.command(["cmd": "presign", "bucket": bucket, "key": objectKey]) as? String)
        let functionZip = try makeStampedZip("fn.zip", handler: nil, files: ["app.py": "VALUE = 1\n"])

        for (handler, refused) in [("shared.entry.handler", false), ("shared/entry.handler", false), ("shared.missing.handler", true)] {
            let function = "pexify-lh-\(UUID().uuidString.prefix(8))"
            _ = try moto.command(["cmd": "create_function", "name": function, "zip": try makeZip("\(function).zip", marker: "v0"),
                                  "handler": handler])
            let key = uniqueKey()
            var options = deployOptions(function, accessKey: key)
            options.layers = [arn]
            options.transport = LayerLocationTransport(location: object)
            if refused {
                await #expect {
                    try await LambdaDeployer.deploy(archive: functionZip, options: options)
                } throws: { "\($0)".contains("runs the handler '\(handler)' but the archive has no shared/missing.py or shared/missing/__init__.py, and neither has any of its 1 layer(s)") }
                #expect(!paths(try moto.requests(signedBy: key)).contains { $0.hasSuffix("/code") || $0.hasSuffix("/configuration") && $0.hasPrefix("PUT") })
            } else {
                let report = try await LambdaDeployer.deploy(archive: functionZip, options: options)
                #expect(report.layers?.first?.exact == true && report.warnings == nil, "\(report)")
                #expect(try moto.function(function)["Layers"] as? [String] == [arn])
            }
        }

        let function = "pexify-lh-\(UUID().uuidString.prefix(8))"
        _ = try moto.command(["cmd": "create_function", "name": function, "zip": try makeZip("\(function).zip", marker: "v0"),
                              "handler": "shared.missing.handler"])
        var options = deployOptions(function, accessKey: uniqueKey())
        options.layers = [arn]
        let unverified = try await LambdaDeployer.deploy(archive: functionZip, options: options)
        #expect(unverified.warnings == ["the handler shared.missing.handler is not in the archive and a layer could not be downloaded to look for it"])
    }
}

/// Answers `GetLayerVersion` with `location` as the layer's `Content.Location`, as Lambda answers with a
/// presigned URL; everything else goes to moto unchanged.
final class LayerLocationTransport: HTTPTransport, @unchecked Sendable {
    let inner = URLSessionTransport()
    let location: String

    init(location: String) { self.location = location }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var response = try await inner.send(request)
        guard request.method == "GET", request.url.path.hasPrefix("/2018-10-31/layers/"),
              var json = try JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              var content = json["Content"] as? [String: Any] else { return response }
        content["Location"] = location
        json["Content"] = content
        response.body = try JSONSerialization.data(withJSONObject: json)
        return response
    }
}
