import Basics
import Crypto
import Foundation

/// A refusal by an AWS service, parsed from its JSON (Lambda) or XML (S3) error body.
struct AWSServiceError: Error, Sendable {
    var operation: String
    var status: Int
    var code: String
    var message: String

    var isThrottling: Bool {
        status == 429 || ["TooManyRequestsException", "ThrottlingException", "Throttling", "SlowDown",
                          "RequestLimitExceeded", "ThrottledException"].contains(code)
    }
    var isRetryable: Bool { isThrottling || [500, 502, 503, 504].contains(status) }

    init(operation: String, response: HTTPResponse) {
        self.operation = operation
        status = response.status
        var code = response.headers["x-amzn-errortype"].map { String($0.prefix { $0 != ":" }) } ?? ""
        var message = ""
        if let json = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any] {
            // `__type` may be namespaced (`com.amazonaws.lambda#ResourceNotFoundException`); `Type`
            // is only `User`/`Service`, never the code.
            if code.isEmpty { code = String((json["__type"] as? String ?? json["code"] as? String ?? "").split(separator: "#").last ?? "") }
            message = json["message"] as? String ?? json["Message"] as? String ?? ""
        } else {
            let text = String(decoding: response.body, as: UTF8.self)
            code = code.isEmpty ? Self.xmlElement("Code", in: text) ?? "" : code
            message = Self.xmlElement("Message", in: text) ?? ""
        }
        self.code = code.isEmpty ? "HTTP\(response.status)" : code
        self.message = message.isEmpty ? "no message" : message
    }

    static func xmlElement(_ name: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(name)>"),
              let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex) else { return nil }
        return String(text[open.upperBound..<close.lowerBound])
    }
}

/// Signs requests with SigV4 and sends them through an `HTTPTransport`, retrying throttling and
/// server errors with exponential back-off. Errors leave this type with secrets redacted.
struct AWSClient: Sendable {
    var credentials: AWSCredentials
    var region: String
    var endpointURL: URL?
    var transport: any HTTPTransport
    var retry: RetryPolicy
    var clock: @Sendable () -> Date = { Date() }

    /// `https://lambda.us-east-1.amazonaws.com`, or the custom endpoint.
    func baseURL(service: String, bucket: String? = nil) -> URL {
        if let endpointURL { return endpointURL }
        if service == "s3", let bucket, !bucket.contains(".") {
            return URL(string: "https://\(bucket).s3.\(region).amazonaws.com")!
        }
        return URL(string: "https://\(service).\(region).amazonaws.com")!
    }

    /// Sends one request and returns a 2xx response.
    /// - Parameter path: the path as sent, each segment already percent-encoded.
    func send(operation: String, service: String, method: String, base: URL, path: String,
              query: [(name: String, value: String)] = [], headers extra: [String: String] = [:],
              body: Data = Data()) async throws -> HTTPResponse {
        let payloadHash = hex(SHA256.hash(data: body))
        var components = URLComponents(url: base, resolvingAgainstBaseURL: false)!
        let basePath = components.percentEncodedPath.hasSuffix("/")
            ? String(components.percentEncodedPath.dropLast()) : components.percentEncodedPath
        let fullPath = basePath + path
        components.percentEncodedPath = fullPath
        components.percentEncodedQuery = query.isEmpty ? nil : SigV4Signer.canonicalQuery(query)
        let url = components.url!
        var host = components.host ?? ""
        if let port = components.port, !((components.scheme == "http" && port == 80) || (components.scheme == "https" && port == 443)) {
            host += ":\(port)"
        }
        let signer = SigV4Signer(credentials: credentials, region: region, service: service)

        var attempt = 0
        while true {
            attempt += 1
            let amzDate = SigV4Signer.amzDate(clock())
            var headers = extra
            headers["host"] = host
            headers["x-amz-date"] = amzDate
            headers["x-amz-content-sha256"] = payloadHash
            if let token = credentials.sessionToken { headers["x-amz-security-token"] = token }
            let signable = SignableRequest(method: method, path: fullPath, query: query,
                                           headers: headers.map { ($0.key, $0.value) }, payloadHash: payloadHash)
            headers["authorization"] = signer.authorization(signable, amzDate: amzDate)
            headers.removeValue(forKey: "host")  // URLSession writes it from the URL, identically

            let response: HTTPResponse
            do {
                response = try await transport.send(HTTPRequest(method: method, url: url, headers: headers, body: body))
            } catch {
                if let failure = error as? HTTPTransportError, let tlsFailure = failure.tlsFailure {
                    throw DeployError.certificate(operation: operation, endpoint: base.absoluteString, failure: tlsFailure,
                                                  reason: credentials.redact(failure.reason))
                }
                if attempt < retry.maxAttempts, !(error is CancellationError) {
                    try await Task.sleep(for: retry.delay(attempt: attempt, retryAfter: nil))
                    continue
                }
                throw DeployError.transport(operation: operation, endpoint: base.absoluteString,
                                            message: credentials.redact(error.words))
            }
            if (200..<300).contains(response.status) { return response }
            var failure = AWSServiceError(operation: operation, response: response)
            failure.message = credentials.redact(failure.message)
            if failure.isRetryable && attempt < retry.maxAttempts {
                try await Task.sleep(for: retry.delay(attempt: attempt, retryAfter: response.headers["retry-after"]))
                continue
            }
            if failure.isThrottling { throw DeployError.throttled(operation: operation, attempts: attempt) }
            throw failure
        }
    }
}

extension AWSServiceError {
    /// The generic form, for refusals no caller maps to something more specific.
    var deployError: DeployError {
        .service(operation: operation, status: status, code: code, message: message)
    }
}
