import Basics
import Foundation

/// The parts of a Lambda `FunctionConfiguration` a deploy looks at.
/// See <https://docs.aws.amazon.com/lambda/latest/api/API_FunctionConfiguration.html>.
public struct FunctionConfiguration: Decodable, Sendable {
    public var functionName: String
    public var functionArn: String?
    /// Base64 of the SHA-256 of the deployment package.
    public var codeSha256: String
    public var codeSize: Int64?
    public var revisionId: String?
    public var version: String?
    public var state: String?
    public var lastUpdateStatus: String?
    public var lastUpdateStatusReason: String?
    public var stateReason: String?
    /// `python3.12`; absent for container images.
    public var runtime: String?
    /// `["x86_64"]` or `["arm64"]`; Lambda's default is `x86_64`.
    public var architectures: [String]?
    public var handler: String?
    /// `Zip` or `Image`.
    public var packageType: String?
    public var layers: [Layer]?

    /// A layer as the function configuration lists it.
    public struct Layer: Decodable, Sendable {
        public var arn: String
        /// The zipped size.
        public var codeSize: Int64?
        enum CodingKeys: String, CodingKey { case arn = "Arn", codeSize = "CodeSize" }
    }

    enum CodingKeys: String, CodingKey {
        case functionName = "FunctionName", functionArn = "FunctionArn", codeSha256 = "CodeSha256"
        case codeSize = "CodeSize", revisionId = "RevisionId", version = "Version", state = "State"
        case lastUpdateStatus = "LastUpdateStatus", lastUpdateStatusReason = "LastUpdateStatusReason"
        case stateReason = "StateReason", runtime = "Runtime", architectures = "Architectures", handler = "Handler"
        case packageType = "PackageType", layers = "Layers"
    }
}

/// A published layer version. See <https://docs.aws.amazon.com/lambda/latest/api/API_GetLayerVersion.html>.
public struct LayerVersion: Decodable, Sendable {
    public struct Content: Decodable, Sendable {
        public var codeSha256: String?
        /// The zipped size.
        public var codeSize: Int64?
        /// A presigned URL of the layer's zip, valid for ten minutes.
        public var location: String?
        enum CodingKeys: String, CodingKey { case codeSha256 = "CodeSha256", codeSize = "CodeSize", location = "Location" }
    }

    public var layerVersionArn: String
    public var version: Int
    public var description: String?
    public var content: Content?
    public var compatibleRuntimes: [String]?
    public var compatibleArchitectures: [String]?

    enum CodingKeys: String, CodingKey {
        case layerVersionArn = "LayerVersionArn", version = "Version", description = "Description"
        case content = "Content", compatibleRuntimes = "CompatibleRuntimes"
        case compatibleArchitectures = "CompatibleArchitectures"
    }
}

/// What `CreateFunction` sets besides the code.
/// See <https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html>.
public struct FunctionSettings: Sendable, Equatable {
    public var role: String
    public var runtime: String
    public var architecture: String
    public var handler: String
    public var memory: Int?
    public var timeout: Int?
    public var environment: [String: String]
    public var description: String?
    public var layers: [String]

    public init(role: String, runtime: String, architecture: String, handler: String, memory: Int? = nil,
                timeout: Int? = nil, environment: [String: String] = [:], description: String? = nil,
                layers: [String] = []) {
        self.role = role
        self.runtime = runtime
        self.architecture = architecture
        self.handler = handler
        self.memory = memory
        self.timeout = timeout
        self.environment = environment
        self.description = description
        self.layers = layers
    }
}

/// A Lambda alias. See <https://docs.aws.amazon.com/lambda/latest/api/API_AliasConfiguration.html>.
public struct AliasConfiguration: Decodable, Sendable {
    public var name: String
    public var functionVersion: String
    public var aliasArn: String?
    public var revisionId: String?

    enum CodingKeys: String, CodingKey {
        case name = "Name", functionVersion = "FunctionVersion", aliasArn = "AliasArn", revisionId = "RevisionId"
    }
}

/// Where the new code comes from in `CreateFunction`, `UpdateFunctionCode` and `PublishLayerVersion`.
enum CodeSource: Sendable {
    case zipFile(Data)
    case s3(bucket: String, key: String)

    /// The `ZipFile` or `S3Bucket`/`S3Key` members of a request.
    var json: [String: Any] {
        switch self {
        case .zipFile(let data): ["ZipFile": data.base64EncodedString()]
        case .s3(let bucket, let key): ["S3Bucket": bucket, "S3Key": key]
        }
    }
}

/// The Lambda REST API (version 2015-03-31) operations a deploy needs.
/// See <https://docs.aws.amazon.com/lambda/latest/api/API_Operations.html>.
struct LambdaAPI: Sendable {
    var client: AWSClient

    private var base: URL { client.baseURL(service: "lambda") }

    private func functionPath(_ function: String, _ tail: String) -> String {
        "/2015-03-31/functions/" + SigV4Signer.uriEncode(function, keepSlash: false) + tail
    }

    private func call<T: Decodable>(_ operation: String, _ method: String, _ path: String,
                                    json: [String: Any]? = nil, as type: T.Type) async throws -> T {
        let body = try json.map { try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]) } ?? Data()
        let response = try await client.send(
            operation: operation, service: "lambda", method: method, base: base, path: path,
            headers: body.isEmpty ? [:] : ["content-type": "application/json"], body: body)
        do {
            return try JSONDecoder().decode(T.self, from: response.body)
        } catch {
            throw DeployError.service(operation: operation, status: response.status, code: "MalformedResponse",
                                      message: "the response is not the expected JSON (\(error))")
        }
    }

    func getFunctionConfiguration(_ function: String) async throws -> FunctionConfiguration {
        try await call("GetFunctionConfiguration", "GET", functionPath(function, "/configuration"),
                       as: FunctionConfiguration.self)
    }

    /// `UpdateFunctionCode` without publishing; `revisionId` makes it fail if the function changed
    /// since we looked at it.
    func updateFunctionCode(_ function: String, code: CodeSource, revisionId: String?) async throws -> FunctionConfiguration {
        var json = code.json
        json["Publish"] = false
        if let revisionId { json["RevisionId"] = revisionId }
        return try await call("UpdateFunctionCode", "PUT", functionPath(function, "/code"), json: json,
                              as: FunctionConfiguration.self)
    }

    /// `PublishVersion` guarded by both the code hash and the revision we just produced.
    func publishVersion(_ function: String, codeSha256: String, revisionId: String?, description: String) async throws -> FunctionConfiguration {
        var json: [String: Any] = ["CodeSha256": codeSha256, "Description": description]
        if let revisionId { json["RevisionId"] = revisionId }
        return try await call("PublishVersion", "POST", functionPath(function, "/versions"), json: json,
                              as: FunctionConfiguration.self)
    }

    func getAlias(_ function: String, name: String) async throws -> AliasConfiguration {
        try await call("GetAlias", "GET", functionPath(function, "/aliases/" + SigV4Signer.uriEncode(name, keepSlash: false)),
                       as: AliasConfiguration.self)
    }

    func createAlias(_ function: String, name: String, version: String) async throws -> AliasConfiguration {
        try await call("CreateAlias", "POST", functionPath(function, "/aliases"),
                       json: ["Name": name, "FunctionVersion": version], as: AliasConfiguration.self)
    }

    func updateAlias(_ function: String, name: String, version: String, revisionId: String?) async throws -> AliasConfiguration {
        var json: [String: Any] = ["FunctionVersion": version]
        if let revisionId { json["RevisionId"] = revisionId }
        return try await call("UpdateAlias", "PUT",
                              functionPath(function, "/aliases/" + SigV4Signer.uriEncode(name, keepSlash: false)),
                              json: json, as: AliasConfiguration.self)
    }

    /// `CreateFunction` of a zip-packaged function, not published (a version comes from `PublishVersion`).
    func createFunction(_ function: String, code: CodeSource, settings: FunctionSettings) async throws -> FunctionConfiguration {
        var json: [String: Any] = [
            "FunctionName": function, "Role": settings.role, "Runtime": settings.runtime, "Handler": settings.handler,
            "Architectures": [settings.architecture], "PackageType": "Zip", "Code": code.json, "Publish": false,
        ]
        if let memory = settings.memory { json["MemorySize"] = memory }
        if let timeout = settings.timeout { json["Timeout"] = timeout }
        if !settings.environment.isEmpty { json["Environment"] = ["Variables": settings.environment] }
        if let description = settings.description { json["Description"] = description }
        if !settings.layers.isEmpty { json["Layers"] = settings.layers }
        return try await call("CreateFunction", "POST", "/2015-03-31/functions", json: json, as: FunctionConfiguration.self)
    }

    /// `UpdateFunctionConfiguration` of the layers only, guarded by `revisionId`.
    func updateLayers(_ function: String, layers: [String], revisionId: String?) async throws -> FunctionConfiguration {
        var json: [String: Any] = ["Layers": layers]
        if let revisionId { json["RevisionId"] = revisionId }
        return try await call("UpdateFunctionConfiguration", "PUT", functionPath(function, "/configuration"),
                              json: json, as: FunctionConfiguration.self)
    }

    /// `GetLayerVersion`, by the layer version ARN (`arn:aws:lambda:…:layer:NAME:VERSION`), which also
    /// reaches layers of other accounts.
    func getLayerVersion(arn: String) async throws -> LayerVersion {
        let (layer, version) = try Self.split(layerVersionArn: arn)
        return try await call("GetLayerVersion", "GET",
                              "/2018-10-31/layers/" + SigV4Signer.uriEncode(layer, keepSlash: false) + "/versions/" + version,
                              as: LayerVersion.self)
    }

    func publishLayerVersion(_ name: String, code: CodeSource, runtimes: [String], architectures: [String],
                             description: String) async throws -> LayerVersion {
        let json: [String: Any] = ["Content": code.json, "CompatibleRuntimes": runtimes,
                                   "CompatibleArchitectures": architectures, "Description": description]
        return try await call("PublishLayerVersion", "POST",
                              "/2018-10-31/layers/" + SigV4Signer.uriEncode(name, keepSlash: false) + "/versions",
                              json: json, as: LayerVersion.self)
    }

    /// `arn:aws:lambda:us-east-1:123456789012:layer:deps:3` → (`arn:…:layer:deps`, `3`).
    static func split(layerVersionArn arn: String) throws -> (layer: String, version: String) {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 8, parts[0] == "arn", parts[2] == "lambda", parts[5] == "layer",
              !parts[6].isEmpty, Int(parts[7]) != nil else {
            throw DeployError.configuration(
                "'\(arn)' is not a layer version ARN; pass --layers arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION (as `pexify deploy LAYER.zip --layer-name NAME` prints it).")
        }
        return (parts[..<7].joined(separator: ":"), String(parts[7]))
    }
}
