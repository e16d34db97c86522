import Foundation
import Testing
@testable import ZipArchive

/// Counts what the pipeline has in flight, from the workers' side.
private final class Tracker: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var preparedNotConsumed = 0
    private(set) var peak = 0

    func prepared() {
        lock.lock(); defer { lock.unlock() }
        preparedNotConsumed += 1
        peak = max(peak, preparedNotConsumed)
    }

    func consumed() {
        lock.lock(); defer { lock.unlock() }
        preparedNotConsumed -= 1
    }
}

@Suite("OrderedPipeline") struct OrderedPipelineTests {
    @Test("Results arrive strictly in index order and the in-flight budget holds", arguments: [1, 2, 4])
    func orderAndBudget(workers: Int) throws {
        let tracker = Tracker()
        var seen: [Int] = []
        try OrderedPipeline.run(
            count: 300, workers: workers, maxCostInFlight: 10, maxItemsInFlight: 1000,
            cost: { _ in 3 },   // at most 3 items (cost 9) fit in a budget of 10
            makeWorker: { () },
            prepare: { _, index in
                // Later items finish first often, to exercise the reorder buffer.
                usleep(useconds_t((300 - index) % 7 * 50))
                tracker.prepared()
                return index * 2
            },
            consume: { index, output in
                #expect(output == index * 2)
                seen.append(index)
                tracker.consumed()
            })
        #expect(seen == Array(0..<300))
        #expect(tracker.peak <= 3, "peak \(tracker.peak) items in flight with budget for 3")
    }

    @Test("An item larger than the budget still runs alone instead of dead-locking")
    func oversizedItem() throws {
        var seen: [Int] = []
        try OrderedPipeline.run(count: 5, workers: 3, maxCostInFlight: 10, maxItemsInFlight: 100,
                                cost: { $0 == 2 ? 1000 : 4 }, makeWorker: { () },
                                prepare: { _, index in index }, consume: { index, _ in seen.append(index) })
        #expect(seen == [0, 1, 2, 3, 4])
    }

    @Test("Items with a ready output skip the workers and keep their place", arguments: [1, 3])
    func readyItems(workers: Int) throws {
        var seen: [(Int, String)] = []
        try OrderedPipeline.run(count: 200, workers: workers, maxCostInFlight: 50, maxItemsInFlight: 100,
                                cost: { _ in 1 }, readyOutput: { $0 % 3 == 0 ? "ready" : nil }, makeWorker: { () },
                                prepare: { _, index in
                                    #expect(index % 3 != 0, "ready item \(index) was handed to a worker")
                                    return "prepared"
                                },
                                consume: { index, output in seen.append((index, output)) })
        #expect(seen.map(\.0) == Array(0..<200))
        #expect(seen.allSatisfy { $0.1 == ($0.0 % 3 == 0 ? "ready" : "prepared") })
    }

    struct Boom: Error {}

    @Test("A worker's error reaches the consumer at that item's turn, and the pool stops", arguments: [1, 3])
    func errorStops(workers: Int) throws {
        let tracker = Tracker()
        var seen: [Int] = []
        #expect(throws: Boom.self) {
            try OrderedPipeline.run(count: 10_000, workers: workers, maxCostInFlight: 100, maxItemsInFlight: 8,
                                    cost: { _ in 1 }, makeWorker: { () },
                                    prepare: { _, index in
                                        tracker.prepared()
                                        if index == 20 { throw Boom() }
                                        return index
                                    },
                                    consume: { index, _ in seen.append(index) })
        }
        #expect(seen == Array(0..<20))
        #expect(tracker.peak < 100, "workers stopped early instead of preparing all 10,000 items")
    }
}
