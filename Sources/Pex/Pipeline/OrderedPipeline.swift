import Foundation

/// Runs a per-item preparation on a pool of worker threads and hands the results to one consumer
/// strictly in index order (pigz's sequence-numbered write list, applied per archive entry).
///
/// Items are claimed in index order, and an item is claimed only when the cost of claimed-but-unconsumed
/// items stays within `maxCostInFlight` (or nothing else is in flight), so memory stays bounded however
/// many items there are, and the consumer can never wait on an item that is blocked behind later ones.
/// The consumer's output is independent of the number of workers.
enum OrderedPipeline {
    static func run<Worker, Output: Sendable>(
        count: Int, workers: Int, maxCostInFlight: Int, maxItemsInFlight: Int,
        cost: @escaping @Sendable (Int) -> Int,
        makeWorker: @escaping @Sendable () throws -> Worker,
        prepare: @escaping @Sendable (inout Worker, Int) throws -> Output,
        consume: (Int, Output) throws -> Void
    ) throws {
        guard count > 0 else { return }
        if workers <= 1 {
            var worker = try makeWorker()
            for index in 0..<count { try consume(index, try prepare(&worker, index)) }
            return
        }
        let state = PipelineState<Output>(count: count, maxCost: maxCostInFlight, maxItems: maxItemsInFlight,
                                          cost: cost)
        let finished = DispatchGroup()
        for number in 0..<min(workers, count) {
            finished.enter()
            let thread = Thread {
                defer { finished.leave() }
                var worker: Worker
                do { worker = try makeWorker() } catch { state.fail(error); return }
                while let index = state.claim() {
                    let result = Result { try prepare(&worker, index) }
                    state.deliver(index, result)
                }
            }
            thread.name = "pexify-zip-\(number)"
            thread.start()
        }
        defer {
            state.stop()
            finished.wait()
        }
        for index in 0..<count {
            let output = try state.take(index).get()
            try consume(index, output)
            state.release(index)
        }
    }
}

private final class PipelineState<Output: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private let count: Int
    private let maxCost: Int
    private let maxItems: Int
    private let cost: @Sendable (Int) -> Int
    private var next = 0
    private var costInFlight = 0
    private var itemsInFlight = 0
    private var results: [Int: Result<Output, any Error>] = [:]
    private var stopped = false
    private var setupError: (any Error)?

    init(count: Int, maxCost: Int, maxItems: Int, cost: @escaping @Sendable (Int) -> Int) {
        self.count = count
        self.maxCost = maxCost
        self.maxItems = maxItems
        self.cost = cost
    }

    /// The next index to prepare, once the budget admits it; nil when there is nothing left or we stopped.
    func claim() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if stopped || next >= count { return nil }
            let itemCost = cost(next)
            if itemsInFlight == 0 || (costInFlight + itemCost <= maxCost && itemsInFlight < maxItems) {
                costInFlight += itemCost
                itemsInFlight += 1
                next += 1
                return next - 1
            }
            condition.wait()
        }
    }

    func deliver(_ index: Int, _ result: Result<Output, any Error>) {
        condition.lock()
        results[index] = result
        condition.broadcast()
        condition.unlock()
    }

    func fail(_ error: any Error) {
        condition.lock()
        if setupError == nil { setupError = error }
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for the result of `index`.
    func take(_ index: Int) -> Result<Output, any Error> {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let result = results.removeValue(forKey: index) { return result }
            if let setupError { return .failure(setupError) }
            condition.wait()
        }
    }

    /// Returns the budget of a consumed item.
    func release(_ index: Int) {
        condition.lock()
        costInFlight -= cost(index)
        itemsInFlight -= 1
        condition.broadcast()
        condition.unlock()
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }
}
