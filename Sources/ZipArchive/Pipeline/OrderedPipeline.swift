import Foundation

/// Runs a per-item preparation on a pool of worker threads and hands the results to one consumer
/// strictly in index order (pigz's sequence-numbered write list, applied per archive entry).
///
/// Workers claim items in index order, in small batches to keep lock traffic low, and only while the
/// cost of claimed-but-unconsumed items stays within `maxCostInFlight` (or nothing else is in flight).
/// So memory stays bounded however many items there are, and the consumer never waits on an item that
/// is blocked behind later ones. Items whose output is known without work (`readyOutput`) skip the
/// workers. What the consumer sees does not depend on the number of workers.
public enum OrderedPipeline {
    /// - Parameter maxBatchItems: how many items a worker claims at once at most; 1 when items differ so
    ///   much in work (one huge library among small files) that a batch would leave a core idle.
    public static func run<Worker, Output: Sendable>(
        count: Int, workers: Int, maxCostInFlight: Int, maxItemsInFlight: Int, maxBatchItems: Int = 32,
        cost: @escaping @Sendable (Int) -> Int,
        readyOutput: @escaping @Sendable (Int) -> Output? = { _ in nil },
        makeWorker: @escaping @Sendable () throws -> Worker,
        prepare: @escaping @Sendable (inout Worker, Int) throws -> Output,
        consume: (Int, Output) throws -> Void
    ) throws {
        guard count > 0 else { return }
        if workers <= 1 {
            var worker: Worker?
            for index in 0..<count {
                if let ready = readyOutput(index) {
                    try consume(index, ready)
                    continue
                }
                if worker == nil { worker = try makeWorker() }
                try consume(index, try prepare(&worker!, index))
            }
            return
        }
        let state = PipelineState<Output>(count: count, workers: workers, maxCost: maxCostInFlight,
                                          maxItems: maxItemsInFlight, maxBatchItems: maxBatchItems, cost: cost,
                                          ready: { readyOutput($0) != nil })
        let finished = DispatchGroup()
        for number in 0..<min(workers, count) {
            finished.enter()
            let thread = Thread {
                defer { finished.leave() }
                var worker: Worker
                do { worker = try makeWorker() } catch { state.fail(error); return }
                while let batch = state.claim() {
                    state.deliver(batch.map { index in (index, Result { try prepare(&worker, index) }) })
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
            if let ready = readyOutput(index) {
                try consume(index, ready)
            } else {
                try consume(index, try state.take(index).get())
                state.release(index)
            }
        }
    }
}

private final class PipelineState<Output: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private let count: Int
    private let maxCost: Int
    private let maxItems: Int
    private let maxBatchCost: Int
    private let maxBatchItems: Int
    private let cost: @Sendable (Int) -> Int
    private let ready: @Sendable (Int) -> Bool
    private var next = 0
    private var costInFlight = 0
    private var itemsInFlight = 0
    private var results: [Int: Result<Output, any Error>] = [:]
    private var stopped = false
    private var setupError: (any Error)?
    private var waitingWorkers = 0
    private var consumerWaiting = false

    init(count: Int, workers: Int, maxCost: Int, maxItems: Int, maxBatchItems: Int,
         cost: @escaping @Sendable (Int) -> Int, ready: @escaping @Sendable (Int) -> Bool) {
        self.count = count
        self.maxBatchItems = max(1, maxBatchItems)
        self.maxCost = maxCost
        self.maxItems = maxItems
        // A batch takes at most a worker's share of the budget, so the others have work too.
        maxBatchCost = max(1, maxCost / max(workers, 1))
        self.cost = cost
        self.ready = ready
    }

    /// The next indices to prepare, once the budget admits them; nil when nothing is left or we stopped.
    func claim() -> [Int]? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if stopped { return nil }
            var batch: [Int] = []
            var batchCost = 0
            while next < count && batch.count < maxBatchItems {
                if ready(next) {
                    next += 1
                    continue
                }
                let itemCost = cost(next)
                let alone = itemsInFlight == 0
                guard alone || (costInFlight + itemCost <= maxCost && itemsInFlight < maxItems
                                && (batch.isEmpty || batchCost + itemCost <= maxBatchCost)) else { break }
                costInFlight += itemCost
                itemsInFlight += 1
                batchCost += itemCost
                batch.append(next)
                next += 1
            }
            if !batch.isEmpty { return batch }
            if next >= count { return nil }
            waitingWorkers += 1
            condition.wait()
            waitingWorkers -= 1
        }
    }

    func deliver(_ batch: [(Int, Result<Output, any Error>)]) {
        condition.lock()
        for (index, result) in batch { results[index] = result }
        if consumerWaiting { condition.broadcast() }
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
            consumerWaiting = true
            condition.wait()
            consumerWaiting = false
        }
    }

    /// Returns the budget of a consumed item.
    func release(_ index: Int) {
        condition.lock()
        costInFlight -= cost(index)
        itemsInFlight -= 1
        if waitingWorkers > 0 { condition.broadcast() }
        condition.unlock()
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }
}
