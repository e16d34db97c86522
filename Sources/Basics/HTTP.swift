import Foundation

/// One HTTP exchange as pexify's clients build it. The URL carries no credentials (they travel in
/// `headers["Authorization"]` or a signature), so a request can be logged without leaking a secret.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: [String: String]
    public var body: Data
    /// Seconds without a byte arriving (connecting included) after which the transfer counts as stalled.
    public var timeout: TimeInterval

    public init(method: String = "GET", url: URL, headers: [String: String] = [:], body: Data = Data(),
                timeout: TimeInterval = 60) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// An HTTP answer. `headers` keys are lower-cased; `url` is the final URL after redirects, which is
/// the base for relative links in an index page (PEP 503).
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var url: URL
    public var body: Data

    public init(status: Int, headers: [String: String], url: URL, body: Data) {
        self.status = status
        self.headers = headers
        self.url = url
        self.body = body
    }
}

/// No byte arrived for `seconds` (connecting included): the server accepted the request and went quiet,
/// or the network dropped it. Worth another attempt.
public struct HTTPTimeout: Error, CustomStringConvertible, Sendable {
    public var url: URL
    public var seconds: Double

    public init(url: URL, seconds: Double) {
        self.url = url
        self.seconds = seconds
    }

    public var description: String { "timed out after \(Self.format(seconds)) s waiting for data from \(url.absoluteString)" }

    /// `15` rather than `15.0`; fractions as given.
    public static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() && abs(seconds) < 1e15 ? String(Int(seconds)) : String(seconds)
    }
}

/// A failure below HTTP: no connection, a reset, a refused certificate. `isTransient` says whether
/// another attempt may succeed.
public struct HTTPTransportError: Error, CustomStringConvertible, Sendable {
    public var url: URL
    public var reason: String
    public var isTransient: Bool
    /// Set when the certificates were the cause, so a client can point at its certificate settings.
    public var tlsFailure: TLSFailure?

    public init(url: URL, reason: String, isTransient: Bool, tlsFailure: TLSFailure? = nil) {
        self.url = url
        self.reason = reason
        self.isTransient = isTransient
        self.tlsFailure = tlsFailure
    }

    public var description: String { "\(reason) (\(url.absoluteString))" }
}

/// The seam between pexify's clients (the package index, AWS) and the network: ``CurlTransport`` in
/// production, wrappers in tests that corrupt, stall or throttle on purpose.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and keeps the answer's body in memory (index pages, metadata, API calls).
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
    /// Streams the body of a 2xx answer to `destination` (replacing it); other answers leave no file.
    /// The returned response has an empty body.
    func download(_ request: HTTPRequest, to destination: String) async throws -> HTTPResponse
}

extension HTTPTransport {
    /// Buffers the body, for transports that only wrap `send` (tests).
    public func download(_ request: HTTPRequest, to destination: String) async throws -> HTTPResponse {
        var response = try await send(request)
        if (200..<300).contains(response.status) {
            try response.body.write(to: URL(fileURLWithPath: destination))
        }
        response.body = Data()
        return response
    }
}
