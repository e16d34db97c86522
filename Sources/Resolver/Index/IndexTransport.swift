import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP GET as the index client issues it: the URL carries no credentials (they travel in
/// `headers["Authorization"]`), so a request can be logged without leaking a secret.
public struct HTTPRequest: Sendable {
    public var url: URL
    public var headers: [String: String]
    /// Seconds without progress after which the transfer counts as stalled.
    public var timeout: TimeInterval

    public init(url: URL, headers: [String: String] = [:], timeout: TimeInterval = 30) {
        self.url = url
        self.headers = headers
        self.timeout = timeout
    }
}

/// An HTTP answer. `headers` keys are lowercased; `url` is the final URL after redirects, which is
/// the base for relative links (PEP 503, packaging-standards §8.18).
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

/// The seam between the index client and the network: `fetch` keeps the body in memory (index
/// pages, metadata files), `download` streams it to a file (wheels, which may be gigabytes).
public protocol IndexTransport: Sendable {
    func fetch(_ request: HTTPRequest) async throws -> HTTPResponse
    /// Writes the body of a 2xx answer to `destination` (replacing it); other answers leave no file.
    func download(_ request: HTTPRequest, to destination: String) async throws -> HTTPResponse
}

/// HTTP(S) through Foundation's `URLSession` (libcurl underneath on Linux, with pooled keep-alive
/// connections), and `file:` URLs read straight from disk so a local directory can act as an index.
public final class URLSessionTransport: IndexTransport {
    private let session: URLSession

    /// - Parameter timeout: seconds without progress before a transfer fails (FoundationNetworking
    ///   applies the session's value, not the request's).
    public init(maximumConnectionsPerHost: Int = 8, timeout: TimeInterval = 60) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.httpMaximumConnectionsPerHost = maximumConnectionsPerHost
        // Validators are handled by our own cache; Foundation's cache would hide 304s from us.
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration)
    }

    deinit { session.finishTasksAndInvalidate() }

    public func fetch(_ request: HTTPRequest) async throws -> HTTPResponse {
        if request.url.isFileURL { return try Self.readFile(request.url) }
        let (data, response) = try await session.data(for: urlRequest(request))
        return try Self.response(response, body: data, for: request)
    }

    public func download(_ request: HTTPRequest, to destination: String) async throws -> HTTPResponse {
        if request.url.isFileURL {
            let answer = try Self.readFile(request.url)
            try answer.body.write(to: URL(fileURLWithPath: destination))
            return HTTPResponse(status: 200, headers: [:], url: request.url, body: Data())
        }
        let (temporary, response) = try await session.download(for: urlRequest(request))
        defer { try? FileManager.default.removeItem(at: temporary) }
        let answer = try Self.response(response, body: Data(), for: request)
        if (200..<300).contains(answer.status) {
            try? FileManager.default.removeItem(atPath: destination)
            try FileManager.default.moveItem(at: temporary, to: URL(fileURLWithPath: destination))
        }
        return answer
    }

    private func urlRequest(_ request: HTTPRequest) -> URLRequest {
        var urlRequest = URLRequest(url: request.url, cachePolicy: .reloadIgnoringLocalCacheData,
                                    timeoutInterval: request.timeout)
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        return urlRequest
    }

    private static func response(_ response: URLResponse, body: Data, for request: HTTPRequest) throws
        -> HTTPResponse
    {
        guard let http = response as? HTTPURLResponse else {
            throw IndexError.transport(url: request.url.absoluteString, reason: "the answer was not HTTP")
        }
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
        }
        return HTTPResponse(status: http.statusCode, headers: headers, url: http.url ?? request.url, body: body)
    }

    /// A directory answers with its `index.html` when it has one, as a static web server would.
    private static func readFile(_ url: URL) throws -> HTTPResponse {
        var path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return HTTPResponse(status: 404, headers: [:], url: url, body: Data())
        }
        if isDirectory.boolValue { path += "/index.html" }
        guard let data = FileManager.default.contents(atPath: path) else {
            return HTTPResponse(status: 404, headers: [:], url: url, body: Data())
        }
        let type = path.hasSuffix(".json") ? SimpleAPI.jsonContentType : "text/html"
        return HTTPResponse(status: 200, headers: ["content-type": type], url: url, body: data)
    }
}
