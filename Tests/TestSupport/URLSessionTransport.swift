import Basics
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// HTTP(S) through one pooled Foundation `URLSession`: an HTTP client independent of pexify's own
/// `CurlTransport`, for tests that wrap a transport. pexify does not use it (FoundationNetworking spins a
/// core on Linux while a response is outstanding), so its library stays out of the binary.
public final class URLSessionTransport: HTTPTransport {
    private let session: URLSession

    /// - Parameter timeout: seconds without progress before a transfer fails (FoundationNetworking
    ///   applies the session's value, not the request's).
    public init(maximumConnectionsPerHost: Int = 8, timeout: TimeInterval = 60) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.httpMaximumConnectionsPerHost = maximumConnectionsPerHost
        // Validators are handled by pexify's own cache; Foundation's cache would hide 304s from it.
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration)
    }

    deinit { session.finishTasksAndInvalidate() }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (data, response) = request.body.isEmpty
            ? try await session.data(for: urlRequest(request))
            : try await session.upload(for: urlRequest(request), from: request.body)
        return try Self.response(response, body: data, for: request)
    }

    public func download(_ request: HTTPRequest, to destination: String) async throws -> HTTPResponse {
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
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        return urlRequest
    }

    private static func response(_ response: URLResponse, body: Data, for request: HTTPRequest) throws
        -> HTTPResponse
    {
        guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
        }
        return HTTPResponse(status: http.statusCode, headers: headers, url: http.url ?? request.url, body: body)
    }
}
