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

    enum CodingKeys: String, CodingKey {
        case functionName = "FunctionName", functionArn = "FunctionArn", codeSha256 = "CodeSha256"
        case codeSize = "CodeSize", revisionId = "RevisionId", version = "Version", state = "State"
        case lastUpdateStatus = "LastUpdateStatus", lastUpdateStatusReason = "LastUpdateStatusReason"
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

/// Where the new code comes from in `UpdateFunctionCode`.
enum CodeSource: Sendable {
    case zipFile(Data)
    case s3(bucket: String, key: String)
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
        var json: [String: Any] = ["Publish": false]
        switch code {
        case .zipFile(let data): json["ZipFile"] = data.base64EncodedString()
        case .s3(let bucket, let key): json["S3Bucket"] = bucket; json["S3Key"] = key
        }
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
}
