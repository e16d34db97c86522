import Basics
import Foundation

/// Where a deploy's credentials come from, as the AWS SDKs' default chain finds them. Static keys are
/// known at once; the others are fetched when a deploy starts (never for a dry run, whose plan lists the
/// request instead).
///
/// See <https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html>,
/// <https://docs.aws.amazon.com/sdkref/latest/guide/feature-assume-role-credentials.html> and
/// <https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html>.
public indirect enum CredentialProvider: Sendable, Equatable {
    /// Access keys from the environment or a profile.
    case keys(AWSCredentials)
    /// The container credentials endpoint of ECS and CodeBuild (`AWS_CONTAINER_CREDENTIALS_*_URI`), with
    /// the `Authorization` token from `AWS_CONTAINER_AUTHORIZATION_TOKEN` or the file named by
    /// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`.
    case container(url: URL, token: String?, tokenFile: String?)
    /// STS `AssumeRoleWithWebIdentity` with the OIDC token in `tokenFile` (GitHub Actions, EKS).
    case webIdentity(roleArn: String, tokenFile: String, sessionName: String)
    /// STS `AssumeRole`, signed with the credentials of `source` (a profile's `role_arn` + `source_profile`).
    case assumeRole(roleArn: String, sessionName: String, externalId: String?, source: CredentialProvider)

    /// The requests fetching the credentials takes, for the plan.
    var steps: [String] {
        switch self {
        case .keys: []
        case .container(let url, _, _): ["GET container credentials from \(url.absoluteString)"]
        case .webIdentity(let roleArn, let tokenFile, _):
            ["STS AssumeRoleWithWebIdentity for \(roleArn) with the token in \(tokenFile)"]
        case .assumeRole(let roleArn, _, _, let source): source.steps + ["STS AssumeRole \(roleArn)"]
        }
    }

    /// Fetches the credentials.
    /// - Parameter stsBase: where STS requests go (the regional endpoint, or a custom endpoint).
    func credentials(region: String, stsBase: URL, transport: any HTTPTransport,
                     retry: RetryPolicy) async throws -> AWSCredentials {
        switch self {
        case .keys(let credentials):
            return credentials
        case .container(let url, let token, let tokenFile):
            var headers: [String: String] = [:]
            if let tokenFile {
                guard let data = FileManager.default.contents(atPath: tokenFile) else {
                    throw DeployError.configuration("Cannot read the container authorization token file '\(tokenFile)' (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE); check that it exists and is readable.")
                }
                headers["authorization"] = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            } else if let token {
                headers["authorization"] = token
            }
            let response: HTTPResponse
            do {
                response = try await transport.send(HTTPRequest(url: url, headers: headers, timeout: 10))
            } catch {
                throw DeployError.configuration("The container credentials endpoint \(url.absoluteString) did not answer (\(error.words)); check AWS_CONTAINER_CREDENTIALS_FULL_URI / _RELATIVE_URI.")
            }
            guard response.status == 200,
                  let json = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
                  let key = json["AccessKeyId"] as? String, let secret = json["SecretAccessKey"] as? String else {
                throw DeployError.configuration("The container credentials endpoint \(url.absoluteString) answered HTTP \(response.status) without AccessKeyId and SecretAccessKey; check the authorization token and the task's role.")
            }
            return AWSCredentials(accessKeyId: key, secretAccessKey: secret, sessionToken: json["Token"] as? String)
        case .webIdentity(let roleArn, let tokenFile, let sessionName):
            guard let data = FileManager.default.contents(atPath: tokenFile) else {
                throw DeployError.configuration("Cannot read the web identity token file '\(tokenFile)' (AWS_WEB_IDENTITY_TOKEN_FILE or web_identity_token_file); check that it exists and is readable.")
            }
            let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return try await STS(base: stsBase, region: region, transport: transport, retry: retry).assume(
                "AssumeRoleWithWebIdentity", roleArn: roleArn,
                parameters: [("RoleSessionName", sessionName), ("WebIdentityToken", token)], signedBy: nil, secret: token)
        case .assumeRole(let roleArn, let sessionName, let externalId, let source):
            let sourceCredentials = try await source.credentials(region: region, stsBase: stsBase, transport: transport,
                                                                 retry: retry)
            var parameters = [("RoleSessionName", sessionName)]
            if let externalId { parameters.append(("ExternalId", externalId)) }
            return try await STS(base: stsBase, region: region, transport: transport, retry: retry).assume(
                "AssumeRole", roleArn: roleArn, parameters: parameters, signedBy: sourceCredentials, secret: nil)
        }
    }
}

/// The two STS actions of the Query API (form-encoded POST, XML answer) that give temporary credentials.
/// See <https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html>.
struct STS: Sendable {
    var base: URL
    var region: String
    var transport: any HTTPTransport
    var retry: RetryPolicy

    /// - Parameters:
    ///   - signedBy: the credentials that sign the request; `nil` for `AssumeRoleWithWebIdentity`,
    ///     which the token itself authorises.
    ///   - secret: a further value to keep out of error messages (the web identity token).
    func assume(_ action: String, roleArn: String, parameters: [(String, String)], signedBy: AWSCredentials?,
                secret: String?) async throws -> AWSCredentials {
        let fields = [("Action", action), ("Version", "2011-06-15"), ("RoleArn", roleArn)] + parameters
        let body = Data(fields.map { "\(SigV4Signer.uriEncode($0.0, keepSlash: false))=\(SigV4Signer.uriEncode($0.1, keepSlash: false))" }
            .joined(separator: "&").utf8)
        let headers = ["content-type": "application/x-www-form-urlencoded; charset=utf-8"]
        let text: String
        do {
            let response: HTTPResponse
            if let signedBy {
                response = try await AWSClient(credentials: signedBy, region: region, endpointURL: base,
                                               transport: transport, retry: retry)
                    .send(operation: action, service: "sts", method: "POST", base: base, path: "/",
                          headers: headers, body: body)
            } else {
                response = try await transport.send(HTTPRequest(method: "POST", url: base, headers: headers, body: body))
                guard (200..<300).contains(response.status) else { throw AWSServiceError(operation: action, response: response) }
            }
            text = String(decoding: response.body, as: UTF8.self)
        } catch let failure as AWSServiceError {
            let message = secret.map { failure.message.replacingOccurrences(of: $0, with: "<redacted>") } ?? failure.message
            throw DeployError.configuration("STS \(action) for \(roleArn) was refused with HTTP \(failure.status) \(failure.code): \(message); check the role's trust policy and the token or source credentials.")
        } catch let error as DeployError {
            throw error
        } catch let error as HTTPTransportError where error.tlsFailure != nil {
            throw DeployError.certificate(operation: action, endpoint: base.absoluteString, failure: error.tlsFailure!,
                                          reason: error.reason)
        } catch {
            throw DeployError.transport(operation: action, endpoint: base.absoluteString,
                                        message: error.words)
        }
        guard let key = AWSServiceError.xmlElement("AccessKeyId", in: text),
              let secretKey = AWSServiceError.xmlElement("SecretAccessKey", in: text) else {
            throw DeployError.configuration("STS \(action) for \(roleArn) answered without credentials; check the STS endpoint.")
        }
        return AWSCredentials(accessKeyId: key, secretAccessKey: secretKey,
                              sessionToken: AWSServiceError.xmlElement("SessionToken", in: text))
    }
}
