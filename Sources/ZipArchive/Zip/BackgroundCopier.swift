import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Copies byte ranges into the archive on its own thread and descriptor, in the order given, so the
/// writer can go on with the headers and small entries after a large raw-copied entry while the kernel
/// copies it: on two cores, one copies and the other writes everything else. The jobs waiting hold at
/// most `maxSources` source files open, so a plan of thousands of wheels stays within the open-file
/// limit, however many large entries one wheel has.
final class BackgroundCopier: @unchecked Sendable {
    static let maxSources = 64

    struct Job {
        var source: ReadOnlyFile
        var sourceOffset: UInt64
        var length: UInt64
        var destinationOffset: UInt64
        var entry: String
    }

    private let path: String
    private let descriptor: Int32
    private let condition = NSCondition()
    /// Queued and not yet started; `jobs[next...]` are waiting.
    private var jobs: [Job] = []
    private var next = 0
    /// How many waiting jobs read each source file.
    private var waitingBySource: [ObjectIdentifier: Int] = [:]
    private var closing = false
    private var cancelled = false
    private var running = true
    private var failure: (any Error)?

    /// Opens `path` (the archive being written) once more for writing, and starts the thread.
    init(path: String) throws {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ZipError.io(path: path, operation: "open", errno: errno) }
        self.path = path
        descriptor = fd
        let thread = Thread { [self] in run() }
        thread.name = "pexify-zip-copy"
        thread.start()
    }

    deinit { close(descriptor) }

    /// Queues `job`, first waiting while the waiting jobs read `maxSources` other files; throws the error
    /// of an earlier job.
    func submit(_ job: Job) throws {
        let source = ObjectIdentifier(job.source)
        condition.lock()
        defer { condition.unlock() }
        while waitingBySource[source] == nil && waitingBySource.count >= Self.maxSources && failure == nil {
            condition.wait()
        }
        if let failure { throw failure }
        precondition(!closing, "a copy was queued after the copier finished")
        jobs.append(job)
        waitingBySource[source, default: 0] += 1
        condition.broadcast()
    }

    /// Whether `submit` would queue a job reading `source` without waiting.
    func acceptsWithoutWaiting(_ source: ReadOnlyFile) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return waitingBySource[ObjectIdentifier(source)] != nil || waitingBySource.count < Self.maxSources
    }

    /// Waits until every queued job is done; throws the first error.
    func finish() throws {
        condition.lock()
        closing = true
        condition.broadcast()
        while running { condition.wait() }
        let failure = failure
        condition.unlock()
        if let failure { throw failure }
    }

    /// Drops the jobs not started yet and waits for the thread to stop (the archive is being abandoned).
    func cancel() {
        condition.lock()
        cancelled = true
        closing = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while next == jobs.count && !closing { condition.wait() }
            guard next < jobs.count, !cancelled, failure == nil else {
                running = false
                condition.broadcast()
                condition.unlock()
                return
            }
            let job = jobs[next]
            next += 1
            // Started jobs leave the queue in batches (amortised O(1)), so that they do not keep their
            // source files open while the writer goes on queueing.
            if next == jobs.count || next >= 64 && next * 2 >= jobs.count {
                jobs.removeFirst(next)
                next = 0
            }
            let source = ObjectIdentifier(job.source)
            waitingBySource[source]! -= 1
            if waitingBySource[source] == 0 { waitingBySource[source] = nil }
            condition.broadcast()
            condition.unlock()
            do {
                try copyRange(from: job.source, at: job.sourceOffset, length: job.length, entry: job.entry,
                              to: descriptor, path: path, at: job.destinationOffset)
            } catch {
                condition.lock()
                failure = error
                condition.broadcast()
                condition.unlock()
            }
        }
    }
}
