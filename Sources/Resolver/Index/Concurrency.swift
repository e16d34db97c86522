import Foundation

/// A counting semaphore for async code: at most `limit` bodies run at once, the rest wait in order.
actor AsyncLimiter {
    private let limit: Int
    private var running = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = max(1, limit) }

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        if running < limit { running += 1; return }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty { running -= 1 } else { waiters.removeFirst().resume() }
    }
}

/// Runs each keyed computation once; concurrent callers for the same key share its task.
public actor Memo<Key: Hashable & Sendable, Value: Sendable> {
    private var tasks: [Key: Task<Value, any Error>] = [:]

    public init() {}

    public func value(for key: Key, _ compute: @escaping @Sendable () async throws -> Value) async throws -> Value {
        if let task = tasks[key] { return try await task.value }
        let task = Task { try await compute() }
        tasks[key] = task
        return try await task.value
    }
}

/// A set that tells each inserter whether it was first, for "do this once" across tasks.
actor OnceSet<Element: Hashable & Sendable> {
    private var members: Set<Element> = []

    func insert(_ element: Element) -> Bool { members.insert(element).inserted }
}

/// Bytes transferred per key, added to from any task: what reading each file's metadata cost.
final class TransferLedger: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [String: Int] = [:]

    func add(_ count: Int, for key: String) { lock.withLock { bytes[key, default: 0] += count } }
    func total(for key: String) -> Int { lock.withLock { bytes[key] ?? 0 } }
}
