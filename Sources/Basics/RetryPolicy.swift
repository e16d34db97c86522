/// How often and how patiently a request that may succeed on another try is retried: exponential
/// back-off with jitter, capped, and a server's `Retry-After` honoured (within the cap).
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    /// The first back-off; doubled each attempt (with jitter), capped at `maxDelay`.
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(20)) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// How long to wait before attempt `attempt + 1`, after attempt `attempt` (1-based) failed.
    /// - Parameter retryAfter: the failed answer's `Retry-After` header, in seconds.
    public func delay(attempt: Int, retryAfter: String?) -> Duration {
        if let retryAfter, let seconds = Double(retryAfter) { return min(.seconds(seconds), maxDelay) }
        let exponential = baseDelay * (1 << min(max(attempt - 1, 0), 16))
        return min(exponential * Double.random(in: 0.5...1.0), maxDelay)
    }
}
