import CCurl
import Foundation

/// HTTP(S) through libcurl's blocking *easy* interface, one dedicated thread per transfer: pexify's
/// transport to indexes and AWS. It replaces `URLSessionTransport` because FoundationNetworking on
/// Linux busy-waits while a response is outstanding (a write-ready dispatch source on the socket fires
/// in a loop: about half a core for every second a server stalls). `curl_easy_perform` sleeps in
/// `poll(2)` instead.
///
/// - The stall timeout is libcurl's low-speed limit (less than one byte per second for `timeout`
///   seconds) plus a connect timeout of the same length; it surfaces as ``HTTPTimeout``.
/// - Task cancellation aborts a transfer within about a second (libcurl's progress callback).
/// - Idle handles are pooled, and with them their keep-alive connections.
/// - Proxies come from the usual `http_proxy`/`https_proxy`/`no_proxy` variables, as in libcurl.
/// - Certificates come from `tls`; a certificate problem surfaces as an ``HTTPTransportError`` with its
///   ``TLSFailure``, never retried.
public final class CurlTransport: HTTPTransport {
    private let pool: HandlePool
    private let tls: TLSSettings

    /// libcurl is opened and initialised on the first transfer: a build from a local wheelhouse never
    /// loads it.
    /// - Parameters:
    ///   - maximumIdleHandles: how many handles (and so kept-alive connections) stay pooled.
    ///   - tls: the CA certificates to trust and the client certificate to present; by default libcurl's.
    public init(maximumIdleHandles: Int = 16, tls: TLSSettings = TLSSettings()) {
        pool = HandlePool(limit: maximumIdleHandles)
        self.tls = tls
    }

    /// Once per process, before the first handle (curl_global_init is not thread-safe; a static is
    /// initialised once).
    fileprivate static let globalInit: Int32 = pexify_curl_global_init()

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let transfer = Transfer(request: request, destination: nil, tls: tls)
        return try await run(transfer)
    }

    public func download(_ request: HTTPRequest, to destination: String) async throws -> HTTPResponse {
        let transfer = Transfer(request: request, destination: destination, tls: tls)
        return try await run(transfer)
    }

    private func run(_ transfer: Transfer) async throws -> HTTPResponse {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                let pool = pool
                // Blocking I/O stays off the cooperative thread pool.
                Thread.detachNewThread {
                    continuation.resume(with: Result { try transfer.perform(pool: pool) })
                }
            }
        } onCancel: {
            transfer.cancel()
        }
    }

    deinit { pool.drain() }
}

/// Idle easy handles; `curl_easy_reset` keeps their live connections, so a reused handle skips the
/// TCP and TLS handshakes.
private final class HandlePool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [UnsafeMutableRawPointer] = []
    private let limit: Int

    init(limit: Int) { self.limit = max(1, limit) }

    func take() -> UnsafeMutableRawPointer? {
        if let handle = lock.withLock({ idle.popLast() }) {
            pexify_curl_easy_reset(handle)
            return handle
        }
        _ = CurlTransport.globalInit
        return pexify_curl_easy_init()
    }

    func give(_ handle: UnsafeMutableRawPointer) {
        let keep = lock.withLock {
            guard idle.count < limit else { return false }
            idle.append(handle)
            return true
        }
        if !keep { pexify_curl_easy_cleanup(handle) }
    }

    func drain() {
        for handle in lock.withLock({ defer { idle.removeAll() }; return idle }) { pexify_curl_easy_cleanup(handle) }
    }
}

/// One request's state while libcurl runs it; the callbacks reach it through an unmanaged pointer.
private final class Transfer: @unchecked Sendable {
    let request: HTTPRequest
    let destination: String?
    let tls: TLSSettings
    private let cancelled = NSLock()
    private var isCancelled = false
    private var headers: [String: String] = [:]
    private var body = Data()
    private var file: FileHandle?
    private var writeFailure: (any Error)?

    init(request: HTTPRequest, destination: String?, tls: TLSSettings) {
        self.request = request
        self.destination = destination
        self.tls = tls
    }

    func cancel() { cancelled.withLock { isCancelled = true } }

    var wasCancelled: Bool { cancelled.withLock { isCancelled } }

    func perform(pool: HandlePool) throws -> HTTPResponse {
        guard let handle = pool.take() else {
            let reason = pexify_curl_load_error().map {
                "libcurl could not be loaded (\(String(cString: $0))); install it (Debian: apt-get install libcurl4)"
            } ?? "libcurl could not create a handle"
            throw HTTPTransportError(url: request.url, reason: reason, isTransient: false)
        }
        var headerList: UnsafeMutableRawPointer?
        defer {
            pexify_curl_slist_free_all(headerList)
            try? file?.close()
            pool.give(handle)
        }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: 256)
        errorBuffer.initialize(repeating: 0, count: 256)
        defer { errorBuffer.deallocate() }
        let context = Unmanaged.passUnretained(self).toOpaque()
        let seconds = max(1, Int(request.timeout.rounded(.up)))
        let body = request.body
        let code: Int32 = request.url.absoluteString.withCString { url in
            request.method.withCString { method in
                body.withUnsafeBytes { bytes in
                    pexify_curl_setopt_pointer(handle, Int32(PEXIFY_CURLOPT_URL), url)
                    pexify_curl_setopt_long(handle, Int32(PEXIFY_CURLOPT_NOSIGNAL), 1)
                    pexify_curl_setopt_long(handle, Int32(PEXIFY_CURLOPT_FOLLOWLOCATION), 1)
                    pexify_curl_setopt_long(handle, Int32(PEXIFY_CURLOPT_MAXREDIRS), 10)
                    pexify_curl_setopt_long(handle, Int32(PEXIFY_CURLOPT_CONNECTTIMEOUT_MS), seconds * 1000)
                    pexify_curl_setopt_long(handle, Int32(PEXIFY_CURLOPT_LOW_SPEED_LIMIT), 1)
                    pexify_curl_setopt_long(handle, Int32(PEXIFY_CURLOPT_LOW_SPEED_TIME), seconds)
                    applyCertificates(handle)
                    if destination == nil {  // pages and API answers may come compressed; files stay as served
                        pexify_curl_setopt_pointer(handle, Int32(PEXIFY_CURLOPT_ACCEPT_ENCODING), "")
                    }
                    switch request.method {
                    case "GET": break
                    case "HEAD": pexify_curl_setopt_long(handle, Int32(PEXIFY_CURLOPT_NOBODY), 1)
                    default: pexify_curl_setopt_pointer(handle, Int32(PEXIFY_CURLOPT_CUSTOMREQUEST), method)
                    }
                    if !body.isEmpty || !["GET", "HEAD"].contains(request.method) {
                        pexify_curl_setopt_off(handle, Int32(PEXIFY_CURLOPT_POSTFIELDSIZE_LARGE), Int64(bytes.count))
                        pexify_curl_setopt_pointer(handle, Int32(PEXIFY_CURLOPT_POSTFIELDS),
                                                   bytes.baseAddress ?? UnsafeRawPointer(errorBuffer))
                    }
                    // "Name:" with no value removes a header libcurl would add on its own; signed requests
                    // (SigV4) must go out with exactly the headers that were signed.
                    var lines = request.headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
                    if request.headers.keys.contains(where: { $0.lowercased() == "content-type" }) == false {
                        lines.append("Content-Type:")
                    }
                    lines.append("Expect:")
                    for line in lines { headerList = pexify_curl_slist_append(headerList, line) }
                    pexify_curl_setopt_pointer(handle, Int32(PEXIFY_CURLOPT_HTTPHEADER), headerList)
                    pexify_curl_set_error_buffer(handle, errorBuffer)
                    pexify_curl_set_header_callback(handle, { data, size, count, context in
                        Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
                            .header(UnsafeRawBufferPointer(start: UnsafeRawPointer(data), count: size * count))
                    }, context)
                    pexify_curl_set_body_callback(handle, { data, size, count, context in
                        Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
                            .receive(UnsafeRawBufferPointer(start: UnsafeRawPointer(data), count: size * count))
                    }, context)
                    pexify_curl_set_progress_callback(handle, { context, _, _, _, _ in
                        Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue().wasCancelled ? 1 : 0
                    }, context)
                    self.handle = handle
                    return pexify_curl_perform(handle)
                }
            }
        }
        let status = pexify_curl_response_code(handle)
        let finalURL = pexify_curl_effective_url(handle).flatMap { URL(string: String(cString: $0)) } ?? request.url
        if code != Int32(PEXIFY_CURLE_OK) {
            if let destination, file != nil { unlink(destination) }
            if let writeFailure { throw writeFailure }
            throw failure(code, detail: String(cString: errorBuffer))
        }
        if let destination, (200..<300).contains(status) { _ = try openDestination(destination) }
        return HTTPResponse(status: Int(status), headers: headers, url: finalURL, body: destination == nil ? self.body : Data())
    }

    /// The handle, for the body callback to ask for the status before the first byte is kept.
    private var handle: UnsafeMutableRawPointer?

    /// The TLS options (libcurl copies the strings). A CA file or directory replaces libcurl's default
    /// trust store entirely, as pip's `--cert` replaces the default bundle.
    private func applyCertificates(_ handle: UnsafeMutableRawPointer) {
        func set(_ option: Int32, _ value: String?) {
            if let value { value.withCString { _ = pexify_curl_setopt_pointer(handle, option, $0) } }
            else { pexify_curl_setopt_pointer(handle, option, nil) }
        }
        if tls.caFile != nil || tls.caDirectory != nil {
            set(Int32(PEXIFY_CURLOPT_CAINFO), tls.caFile?.path)
            set(Int32(PEXIFY_CURLOPT_CAPATH), tls.caDirectory?.path)
        }
        if let client = tls.clientCertificate?.path {
            set(Int32(PEXIFY_CURLOPT_SSLCERT), client)
            set(Int32(PEXIFY_CURLOPT_SSLKEY), client)
        }
    }

    private func failure(_ code: Int32, detail: String) -> any Error {
        switch code {
        case Int32(PEXIFY_CURLE_OPERATION_TIMEDOUT): return HTTPTimeout(url: request.url, seconds: request.timeout)
        case Int32(PEXIFY_CURLE_ABORTED_BY_CALLBACK): return CancellationError()
        default:
            let permanent: Set<Int32> = [
                Int32(PEXIFY_CURLE_UNSUPPORTED_PROTOCOL), Int32(PEXIFY_CURLE_URL_MALFORMAT),
                Int32(PEXIFY_CURLE_SSL_CONNECT_ERROR),
            ]
            let reason = detail.isEmpty ? String(cString: pexify_curl_strerror(code)) : detail
            let tlsFailure = Self.tlsFailure(code, detail: reason)
            return HTTPTransportError(url: request.url, reason: reason,
                                      isTransient: tlsFailure == nil && !permanent.contains(code), tlsFailure: tlsFailure)
        }
    }

    /// Alerts a server sends about the client's certificate, in OpenSSL's words ("tlsv13 alert certificate
    /// required"). libcurl reports them as send, receive or connect errors, by when the alert arrived.
    private static let clientCertificateAlerts = [
        "alert certificate required", "alert bad certificate", "alert unknown ca", "alert certificate unknown",
        "alert certificate expired", "alert certificate revoked", "alert unsupported certificate",
    ]

    private static func tlsFailure(_ code: Int32, detail: String) -> TLSFailure? {
        switch code {
        case Int32(PEXIFY_CURLE_PEER_FAILED_VERIFICATION): return .serverNotTrusted
        case Int32(PEXIFY_CURLE_SSL_CACERT_BADFILE): return .trustUnusable
        case Int32(PEXIFY_CURLE_SSL_CERTPROBLEM): return .clientCertificateUnusable
        case Int32(PEXIFY_CURLE_SSL_CLIENTCERT): return .clientCertificateRefused
        default:
            let text = detail.lowercased()
            return clientCertificateAlerts.contains(where: text.contains) ? .clientCertificateRefused : nil
        }
    }

    /// One header line; a status line starts the headers of the next response (after a redirect).
    private func header(_ line: UnsafeRawBufferPointer) -> Int {
        let text = String(decoding: line, as: UTF8.self)
        if text.hasPrefix("HTTP/") {
            headers = [:]
        } else if let colon = text.firstIndex(of: ":") {
            let name = text[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            headers[name] = text[text.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return line.count
    }

    /// Body bytes: into memory, or for a download of a 2xx answer straight into `destination`.
    /// Returning less than `bytes.count` makes libcurl stop with a write error.
    private func receive(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard let destination else {
            body.append(contentsOf: bytes)
            return bytes.count
        }
        guard let handle, (200..<300).contains(pexify_curl_response_code(handle)) else { return bytes.count }
        do {
            try openDestination(destination).write(contentsOf: bytes)
            return bytes.count
        } catch {
            writeFailure = error
            return 0
        }
    }

    /// The destination, replaced on the first byte of a 2xx body (or at the end of an empty one).
    private func openDestination(_ destination: String) throws -> FileHandle {
        if let file { return file }
        unlink(destination)
        guard FileManager.default.createFile(atPath: destination, contents: nil),
              let opened = FileHandle(forWritingAtPath: destination) else {
            throw FileAccessError(path: destination, operation: "create", reason: "it cannot be written")
        }
        file = opened
        return opened
    }
}
