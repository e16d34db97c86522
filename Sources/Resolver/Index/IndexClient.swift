import Basics
import Foundation

/// How hard the client tries: retries with back-off, the stall timeout, the deadline per file, and how
/// many requests may be in flight at once.
public struct FetchPolicy: Sendable {
    /// pip's default `--timeout`.
    public static let defaultTimeout: TimeInterval = 15

    public var retry: RetryPolicy
    /// Seconds without a byte arriving (connecting included) after which an attempt fails and is retried.
    public var timeout: TimeInterval
    /// The most one file (page, metadata file or wheel) may take, all attempts and back-off included:
    /// a server that trickles a byte just often enough never stalls, but cannot hold a build forever.
    public var deadline: Duration
    public var maxConcurrentRequests: Int

    public init(retry: RetryPolicy = RetryPolicy(maxAttempts: 4), timeout: TimeInterval = defaultTimeout,
                deadline: Duration = .seconds(1800), maxConcurrentRequests: Int = 16) {
        self.retry = retry
        self.timeout = timeout
        self.deadline = deadline
        self.maxConcurrentRequests = maxConcurrentRequests
    }

    /// The stall timeout the user chose: `--timeout` or `--index-timeout` (`option`), else `PIP_DEFAULT_TIMEOUT`, else 15 s.
    /// - Throws: `IndexError.configuration` when the environment variable is not a positive number.
    public static func timeout(option: TimeInterval?, environment: [String: String]) throws -> TimeInterval {
        if let option { return option }
        guard let text = environment["PIP_DEFAULT_TIMEOUT"], !text.isEmpty else { return defaultTimeout }
        guard let seconds = TimeInterval(text), seconds > 0, seconds.isFinite else {
            throw IndexError.configuration(source: "PIP_DEFAULT_TIMEOUT",
                                           reason: "\"\(text)\" is not a positive number of seconds")
        }
        return seconds
    }
}

/// Reads project listings, metadata files and wheels from the configured indexes and find-links
/// sources, through the cache. Safe to call concurrently: identical requests are made once, and at
/// most `policy.maxConcurrentRequests` run at a time.
public final class IndexClient: Sendable {
    public let configuration: IndexConfiguration
    public let cache: Cache
    public let offline: Bool
    let transport: any HTTPTransport
    let policy: FetchPolicy
    let credentials: Credentials
    private let limiter: AsyncLimiter
    private let listings = Memo<String, [ProjectFile]>()
    private let pages = Memo<String, [ProjectFile]>()
    private let downloads = Memo<String, LocalWheel>()
    private let metadataFiles = Memo<String, Data>()
    let metadataTransfers = TransferLedger()
    /// Files and bytes transferred, for a progress line.
    public let meter: TransferMeter

    public init(configuration: IndexConfiguration, cache: Cache, offline: Bool = false,
                transport: (any HTTPTransport)? = nil, policy: FetchPolicy = FetchPolicy(),
                meter: TransferMeter = TransferMeter(),
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.configuration = configuration
        self.cache = cache
        self.offline = offline
        self.transport = transport ?? CurlTransport(maximumIdleHandles: policy.maxConcurrentRequests, tls: configuration.tls)
        self.policy = policy
        self.meter = meter
        credentials = Credentials(urls: configuration.indexURLs + configuration.findLinks, environment: environment)
        limiter = AsyncLimiter(limit: policy.maxConcurrentRequests)
    }

    // MARK: Listings

    /// Every file of the project (PEP 503-normalised `name`) from all indexes and find-links
    /// sources, in source order; a project an index does not know contributes nothing.
    public func files(for name: String) async throws -> [ProjectFile] {
        try await listings.value(for: name) { [self] in
            try await withThrowingTaskGroup(of: (Int, [ProjectFile]).self) { group in
                let sources = configuration.findLinks.map { ($0, true) } + configuration.indexURLs.map { ($0, false) }
                for (position, (source, isFlat)) in sources.enumerated() {
                    group.addTask {
                        if isFlat {
                            return (position, FindLinks.files(try await self.flatListing(source), for: name))
                        }
                        let base = source.hasSuffix("/") ? source : source + "/"
                        return (position, try await self.page(base + name + "/", source: Credentials.strip(source)))
                    }
                }
                var parts: [(Int, [ProjectFile])] = []
                for try await part in group { parts.append(part) }
                return parts.sorted { $0.0 < $1.0 }.flatMap(\.1)
            }
        }
    }

    private func flatListing(_ location: String) async throws -> [ProjectFile] {
        if let directory = FindLinks.localDirectory(location) {
            return try await pages.value(for: "dir:" + directory) { FindLinks.scan(directory: directory) }
        }
        return try await page(location, source: location)
    }

    /// An index page, revalidated with its ETag / Last-Modified when cached; 404 means "no such
    /// project here".
    private func page(_ url: String, source: String) async throws -> [ProjectFile] {
        try await pages.value(for: url) { [self] in
            guard let (plainURL, authorization) = credentials.authorize(url) else {
                throw IndexError.configuration(source: Credentials.redact(url), reason: "it is not a valid URL")
            }
            let key = plainURL.absoluteString
            let cached = cache.page(url: key)
            if offline || cached?.record.isFresh == true {
                guard let cached else { throw IndexError.notCached(url: key) }
                return try parse(cached.body, record: cached.record, source: source)
            }
            var headers = ["Accept": SimpleAPI.accept]
            if let authorization { headers["Authorization"] = authorization }
            if let cached {
                if let etag = cached.record.etag { headers["If-None-Match"] = etag }
                if let modified = cached.record.lastModified { headers["If-Modified-Since"] = modified }
            }
            let request = HTTPRequest(url: plainURL, headers: headers, timeout: policy.timeout)
            let response = try await withRetries(key) { try await self.get(request) }
            let now = Date().timeIntervalSince1970
            let maxAge = Self.maxAge(response.headers["cache-control"])
            switch response.status {
            case 304 where cached != nil:
                var record = cached!.record
                record.fetchedAt = now
                record.maxAge = maxAge ?? record.maxAge
                try cache.storePage(record, body: cached!.body)
                return try parse(cached!.body, record: record, source: source)
            case 404, 410:
                return []
            case 200..<300:
                let record = Cache.PageRecord(
                    url: key, finalURL: response.url.absoluteString, contentType: response.headers["content-type"],
                    etag: response.headers["etag"], lastModified: response.headers["last-modified"],
                    fetchedAt: now, maxAge: maxAge)
                let files = try parse(response.body, record: record, source: source)
                try cache.storePage(record, body: response.body)
                return files
            default:
                throw IndexError.httpStatus(url: key, status: response.status)
            }
        }
    }

    /// `max-age` from a Cache-Control header; `no-cache`/`no-store` mean always revalidate.
    static func maxAge(_ header: String?) -> Double? {
        guard let header = header?.lowercased() else { return nil }
        let directives = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if directives.contains(where: { $0 == "no-cache" || $0 == "no-store" }) { return nil }
        return directives.first { $0.hasPrefix("max-age=") }.flatMap { Double($0.dropFirst(8)) }
    }

    private func parse(_ body: Data, record: Cache.PageRecord, source: String) throws -> [ProjectFile] {
        let pageURL = URL(string: record.finalURL) ?? URL(string: record.url)!
        return try SimpleAPI.parse(body, contentType: record.contentType, pageURL: pageURL, source: source)
    }

    // MARK: Metadata

    /// The bytes transferred so far to read the metadata of `file` (0 when it came from the cache or a
    /// local file): the cost of trying a candidate, which a resolution's budget bounds.
    public func metadataTransfer(for file: ProjectFile) -> Int { metadataTransfers.total(for: file.url) }

    /// The core metadata (METADATA) of a wheel: the PEP 658 `.metadata` file when the index offers
    /// one and its hash checks out, else read out of the remote wheel with range requests, else out of
    /// the whole wheel (downloaded into the cache) when the server does not honour ranges.
    public func metadata(for file: ProjectFile) async throws -> Data {
        try await metadataFiles.value(for: file.url) { [self] in
            // A local file is keyed by its contents (its stat-keyed sha256), never by its path, whose file
            // may be rewritten with new contents.
            let key = try file.localPath.map { try cache.localSHA256(path: $0) } ?? file.sha256
                ?? sha256Hex(Data(file.url.utf8))
            if let cached = cache.metadata(key: key) { return cached }
            if let expected = file.metadataHashes, !offline, let data = try? await remoteMetadata(file, expected) {
                metadataTransfers.add(data.count, for: file.url)
                meter.transferStarted(expectedBytes: nil)
                meter.transferFinished(bytes: data.count, expectedBytes: nil)
                try cache.storeMetadata(data, key: key)
                return data
            }
            if file.localPath == nil, !offline, let ranged = try await rangedMetadata(file) {
                try cache.storeMetadata(ranged.metadata, key: key)
                if let sha256 = file.sha256 { try cache.storeWheelSize(ranged.wheelSize, sha256: sha256) }
                return ranged.metadata
            }
            if file.localPath == nil { metadataTransfers.add(file.size ?? 0, for: file.url) }
            let data = try WheelMetadataReader.metadata(ofWheel: try await wheel(for: file).path)
            try cache.storeMetadata(data, key: key)
            return data
        }
    }

    /// The PEP 658 metadata file the index offers for `file` (for an sdist, too, where the index has
    /// one), checked against its hash and cached; `nil` when none is offered or it cannot be fetched.
    public func publishedMetadata(for file: ProjectFile) async -> Data? {
        guard let expected = file.metadataHashes, let key = file.sha256 else { return nil }
        if let cached = cache.metadata(key: key) { return cached }
        guard !offline, let data = try? await remoteMetadata(file, expected) else { return nil }
        metadataTransfers.add(data.count, for: file.url)
        try? cache.storeMetadata(data, key: key)
        return data
    }

    private func remoteMetadata(_ file: ProjectFile, _ expected: [String: String]) async throws -> Data? {
        guard let (url, authorization) = credentials.authorize(file.url + ".metadata") else { return nil }
        let request = HTTPRequest(url: url, headers: authorization.map { ["Authorization": $0] } ?? [:],
                                  timeout: policy.timeout)
        let data = try await withRetries(url.absoluteString) {
            let response = try await self.get(request)
            if let retryable = Retryable(response) { throw retryable }
            guard (200..<300).contains(response.status) else {
                throw IndexError.httpStatus(url: url.absoluteString, status: response.status)
            }
            if let want = expected["sha256"], sha256Hex(response.body) != want {
                throw IndexError.hashMismatch(file: url.absoluteString, expected: want, actual: sha256Hex(response.body))
            }
            return response.body
        }
        return data
    }

    // MARK: Wheels

    /// A wheel on disk and its sha256.
    public struct LocalWheel: Sendable, Hashable {
        public var path: String
        public var sha256: String
    }

    /// The wheel on disk: the find-links file itself, or the cache entry, downloading it first when
    /// missing. The sha256 is checked against `expectedSHA256` (a lock or `--hash`) and the index's
    /// hash before anything enters the cache.
    public func wheel(for file: ProjectFile, expectedSHA256: String? = nil) async throws -> LocalWheel {
        let expected = expectedSHA256 ?? file.sha256
        if let path = file.localPath {
            let actual = try cache.localSHA256(path: path)
            if let expected, actual != expected {
                throw IndexError.hashMismatch(file: path, expected: expected, actual: actual)
            }
            return LocalWheel(path: path, sha256: actual)
        }
        if let expected, let path = cache.wheel(sha256: expected, filename: file.filename) {
            return LocalWheel(path: path, sha256: expected)
        }
        if let expectedSHA256, let indexHash = file.sha256, indexHash != expectedSHA256 {
            throw IndexError.hashMismatch(file: file.url, expected: expectedSHA256, actual: indexHash)
        }
        if offline { throw IndexError.notCached(url: file.url) }
        return try await downloads.value(for: file.url + "#" + (expected ?? "")) { [self] in
            try await download(file, expected: expected)
        }
    }

    /// The sha256 a lock records for `file` without fetching it: `expectedSHA256` (from a lock) or the
    /// index's. `nil` when only the bytes can tell: no hash was given, or the file is local, and hashing
    /// it where it lies costs no transfer (and checks it).
    /// - Throws: `IndexError.hashMismatch` when the lock's hash and the index's disagree.
    public func knownSHA256(of file: ProjectFile, expectedSHA256: String? = nil) throws -> String? {
        guard file.localPath == nil, let known = expectedSHA256 ?? file.sha256 else { return nil }
        if let indexHash = file.sha256, indexHash != known {
            throw IndexError.hashMismatch(file: file.url, expected: known, actual: indexHash)
        }
        return known
    }

    /// The size of a wheel that is not fetched: the index's (PEP 691 / PEP 700), else the one learned
    /// while reading its metadata with range requests (kept in the cache); `nil` when neither told it,
    /// never a request made just for the size.
    public func knownSize(of file: ProjectFile, sha256: String) -> Int? {
        file.size ?? cache.wheelSize(sha256: sha256)
    }

    private func download(_ file: ProjectFile, expected: String?) async throws -> LocalWheel {
        guard let (url, authorization) = credentials.authorize(file.url) else {
            throw IndexError.configuration(source: Credentials.redact(file.url), reason: "it is not a valid URL")
        }
        let request = HTTPRequest(url: url, headers: authorization.map { ["Authorization": $0] } ?? [:],
                                  timeout: policy.timeout)
        meter.transferStarted(expectedBytes: file.size)
        let temporary = PartialFiles.track(cache.temporaryPath())
        defer {
            try? FileManager.default.removeItem(atPath: temporary)
            PartialFiles.release(temporary)
        }
        let digest = try await withRetries(url.absoluteString) {
            try? FileManager.default.removeItem(atPath: temporary)
            let response = try await self.save(request, to: temporary)
            if let retryable = Retryable(response) { throw retryable }
            guard (200..<300).contains(response.status) else {
                throw IndexError.httpStatus(url: url.absoluteString, status: response.status)
            }
            let size = FileStatus(path: temporary)?.size
            if let declared = response.headers["content-length"].flatMap(Int.init), declared != size {
                throw Retryable.truncated(expected: declared, received: size ?? 0)
            }
            let digest = try sha256Hex(ofFile: temporary)
            // Bytes that arrived whole but hash wrong are what the server serves: another try gets the same.
            if let expected, digest != expected {
                throw IndexError.hashMismatch(file: url.absoluteString, expected: expected, actual: digest)
            }
            return digest
        }
        let size = FileStatus(path: temporary)?.size ?? 0
        meter.transferFinished(bytes: size, expectedBytes: file.size)
        return LocalWheel(path: try cache.storeWheel(from: temporary, sha256: digest, filename: file.filename),
                          sha256: digest)
    }

    // MARK: Transfers

    func get(_ request: HTTPRequest) async throws -> HTTPResponse {
        request.url.isFileURL ? LocalIndexFiles.read(request.url) : try await transport.send(request)
    }

    func save(_ request: HTTPRequest, to destination: String) async throws -> HTTPResponse {
        request.url.isFileURL
            ? try LocalIndexFiles.download(request.url, to: destination)
            : try await transport.download(request, to: destination)
    }

    // MARK: Retries

    /// Answers worth another attempt: the server is busy or failing (408, 429, 5xx), or the body ended
    /// short. Any other 4xx is final, and so are bytes with the wrong hash.
    enum Retryable: Error, CustomStringConvertible {
        case status(Int, retryAfter: String?)
        case truncated(expected: Int, received: Int)

        init?(_ response: HTTPResponse) {
            guard response.status == 408 || response.status == 429 || response.status >= 500 else { return nil }
            self = .status(response.status, retryAfter: response.headers["retry-after"])
        }

        var description: String {
            switch self {
            case let .status(code, _): "HTTP \(code)"
            case let .truncated(expected, received): "the body ended after \(received) of \(expected) bytes"
            }
        }

        /// The server's `Retry-After`, honoured for 429 and 503 (RFC 9110 §10.2.3).
        var retryAfter: String? {
            if case let .status(code, retryAfter) = self, code == 429 || code == 503 { return retryAfter }
            return nil
        }
    }

    /// Runs `body` up to `policy.retry.maxAttempts` times within `policy.deadline`, backing off as the
    /// retry policy and the server's `Retry-After` say. Retried: ``Retryable`` answers, timeouts and
    /// transport failures; every other error (an `IndexError`, a refused certificate) is final. After
    /// the last attempt throws `IndexError.timedOut` or `IndexError.gaveUp` naming the last failure.
    func withRetries<T: Sendable>(_ url: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let policy = policy
        return try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await self.attempts(url, body) }
            group.addTask {
                try await Task.sleep(for: policy.deadline)
                throw IndexError.deadlineExceeded(url: url, seconds: Int(policy.deadline.components.seconds))
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    private func attempts<T: Sendable>(_ url: String, _ body: @escaping @Sendable () async throws -> T) async throws
        -> T
    {
        var lastError: any Error = CancellationError()
        for attempt in 0..<policy.retry.maxAttempts {
            if attempt > 0 {
                let retryAfter = (lastError as? Retryable)?.retryAfter
                try await Task.sleep(for: policy.retry.delay(attempt: attempt, retryAfter: retryAfter))
            }
            do {
                return try await limiter.run {
                    let result = try await body()
                    if let response = result as? HTTPResponse, let retryable = Retryable(response) { throw retryable }
                    return result
                }
            } catch let error as IndexError {
                guard case .transport = error else { throw error }
                lastError = error
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as HTTPTransportError where !error.isTransient {
                if let failure = error.tlsFailure {
                    throw IndexError.certificate(url: url, failure: failure, reason: error.reason, tls: configuration.tls)
                }
                throw IndexError.transport(url: url, reason: error.reason)
            } catch let error as URLError where !Self.isTransient(error) {
                if error.code == .cancelled { throw CancellationError() }
                throw IndexError.transport(url: url, reason: error.localizedDescription)
            } catch {
                lastError = error
            }
        }
        let attempts = policy.retry.maxAttempts
        if let timeout = lastError as? HTTPTimeout {
            throw IndexError.timedOut(url: url, seconds: timeout.seconds, attempts: attempts)
        }
        throw IndexError.gaveUp(url: url, attempts: attempts, lastError: lastError.words)
    }

    /// Transport failures another attempt may cure; a bad URL or a refused certificate stays as it is.
    private static func isTransient(_ error: URLError) -> Bool {
        switch error.code {
        case .cancelled, .badURL, .unsupportedURL, .userAuthenticationRequired, .serverCertificateUntrusted,
             .serverCertificateHasBadDate, .serverCertificateHasUnknownRoot, .serverCertificateNotYetValid,
             .clientCertificateRejected, .clientCertificateRequired, .secureConnectionFailed:
            false
        default:
            true
        }
    }
}
