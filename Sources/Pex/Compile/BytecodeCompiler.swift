import Basics
import Foundation
import ZipArchive

/// Compiles Python sources to bytecode for a target CPython version with an interpreter of exactly that
/// version, kept running for the whole build and fed in batches over a pipe (see ``CompileDriver``).
///
/// pexify never writes bytecode itself: the format (magic number, marshal version, opcodes) belongs to the
/// interpreter, so one whose `sys.version_info[:2]` matches the target must be at hand.
public final class BytecodeCompiler: @unchecked Sendable {
    /// The interpreter that compiles (as found on `PATH` or given).
    public let interpreter: String
    /// The interpreter's `sys.implementation.cache_tag`, e.g. `cpython-311`.
    public let cacheTag: String

    private let process: Process
    private let toDriver: Int32
    private var fromDriver: PipeReader
    /// Serialises sessions: the pipe carries one request stream at a time.
    private let lock = NSLock()
    private let stopLock = NSLock()
    private var stopped = false

    /// Starts a compiler for CPython `major.minor`.
    /// - Parameters:
    ///   - interpreter: `--compile-with`: the only interpreter to try; `nil` searches `PATH` for `pythonX.Y`.
    ///   - searchPath: the `PATH` to search; `nil` for this process's.
    /// - Throws: `CompileError.noInterpreter` (naming the version and every candidate that was rejected),
    ///   `.wrongInterpreter` when `interpreter` runs another version.
    public init(major: Int, minor: Int, interpreter: String? = nil, searchPath: String? = nil) throws {
        let version = "\(major).\(minor)"
        let wanted = "cpython \(version)"
        var rejected: [String] = []
        let candidates = interpreter.map { [$0] }
            ?? ExecutableSearch.candidates(named: "python" + version, in: searchPath ?? ProcessInfo.processInfo.environment["PATH"] ?? "")
        for candidate in candidates {
            let started: Started
            do {
                started = try Self.launch(candidate)
            } catch let error as CompileError {
                if interpreter != nil { throw error }
                rejected.append("\(candidate) (\(error.detail))")
                continue
            }
            guard started.runs == wanted else {
                started.stop()
                if let interpreter { throw CompileError.wrongInterpreter(path: interpreter, version: version, found: started.runs) }
                rejected.append("\(candidate) (runs \(started.runs))")
                continue
            }
            self.interpreter = candidate
            cacheTag = started.cacheTag
            process = started.process
            toDriver = started.toDriver
            fromDriver = started.fromDriver
            return
        }
        throw CompileError.noInterpreter(version: version, tried: rejected)
    }

    deinit { stop() }

    /// What happened to one source.
    public enum Outcome: Sendable, Equatable {
        /// The pyc's archive path (`pkg/__pycache__/mod.cpython-311.pyc`) and bytes.
        case compiled(cachePath: String, pyc: [UInt8])
        /// The interpreter's message (`SyntaxError: …`).
        case failed(message: String)
    }

    /// Compiles `sources` (archive path and content) in order. Sources are read and sent on another
    /// thread while the interpreter compiles, so reading wheels overlaps with compiling.
    /// - Throws: errors reading a source; `CompileError.interpreterFailed` when the interpreter stops.
    ///   Syntax errors in a source are not thrown: they are that source's ``Outcome/failed(message:)``.
    public func compile(_ sources: [(path: String, content: ArchiveEntry.Content)]) throws -> [Outcome] {
        guard !sources.isEmpty else { return [] }
        lock.lock()
        defer { lock.unlock() }
        let sending = DispatchGroup()
        let failure = ErrorBox()
        let descriptor = toDriver
        sending.enter()
        DispatchQueue.global().async {
            defer { sending.leave() }
            do {
                try Self.send(sources, to: descriptor)
            } catch {
                failure.error = error
                self.process.terminate()   // the driver waits for input the reader would wait for forever
            }
        }
        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(sources.count)
        do {
            for _ in sources {
                let status = try fromDriver.bytes(1)[0]
                let cachePath = String(decoding: try fromDriver.field(), as: UTF8.self)
                let payload = try fromDriver.field()
                outcomes.append(status == 0 ? .compiled(cachePath: cachePath, pyc: payload)
                                            : .failed(message: String(decoding: payload, as: UTF8.self)))
            }
        } catch {
            stop()   // unblocks the sender, whose pipe now has no reader
            sending.wait()
            if let sent = failure.error, !(sent is PipeClosed) { throw sent }
            throw CompileError.interpreterFailed(
                path: interpreter, detail: "it stopped after \(outcomes.count) of \(sources.count) sources "
                    + "(exit status \(process.terminationStatus))")
        }
        sending.wait()
        if let error = failure.error {
            stop()
            throw error
        }
        return outcomes
    }

    /// Ends the interpreter (idempotent); later ``compile(_:)`` calls fail.
    public func stop() {
        let first = stopLock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        if process.isRunning {
            var end = UInt32(0).bigEndian
            _ = withUnsafeBytes(of: &end) { write(toDriver, $0.baseAddress, 4) }
        }
        close(toDriver)
        close(fromDriver.descriptor)
        // The driver ends at once on a count of 0 or end of input; terminate it only if it does not.
        let deadline = Date().addingTimeInterval(2)
        while process.isRunning && Date() < deadline { usleep(1000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    // MARK: - Batches

    /// Sources per batch and bytes of source per batch: enough to amortise the flushes, small enough that
    /// the interpreter starts compiling while the next batch is read.
    static let batchFiles = 256
    static let batchBytes = 1 << 20

    private static func send(_ sources: [(path: String, content: ArchiveEntry.Content)], to descriptor: Int32) throws {
        var batch: [UInt8] = []
        var count = 0
        func flush() throws {
            guard count > 0 else { return }
            try writeAll(descriptor, bigEndian(UInt32(count)) + batch)
            batch.removeAll(keepingCapacity: true)
            count = 0
        }
        for source in sources {
            let path = Array(source.path.utf8)
            let bytes = try source.content.bytes()
            batch += bigEndian(UInt32(path.count)) + path + bigEndian(UInt32(bytes.count))
            batch += bytes
            count += 1
            if count >= batchFiles || batch.count >= batchBytes { try flush() }
        }
        try flush()
    }

    // MARK: - Starting an interpreter

    private struct Started {
        var process: Process
        var toDriver: Int32
        var fromDriver: PipeReader
        /// `cpython 3.11`.
        var runs: String
        var cacheTag: String

        func stop() {
            close(toDriver)
            close(fromDriver.descriptor)
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// Starts the driver under `executable` and reads its handshake. The child gets this process's
    /// environment without `PYTHON*` variables (no `PYTHONPYCACHEPREFIX` moving cache paths, no
    /// `PYTHONOPTIMIZE`) and with `PYTHONHASHSEED=0`, so set and frozenset constants marshal in the same
    /// order every time; `-s -S` keeps site packages, and whatever they import, out of the process.
    private static func launch(_ executable: String) throws -> Started {
        _ = ignoreBrokenPipes
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-s", "-S", "-c", CompileDriver.source]
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PYTHON") }
        environment["PYTHONHASHSEED"] = "0"
        process.environment = environment
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw CompileError.interpreterFailed(path: executable, detail: "it cannot be started (\(error))")
        }
        let toDriver = dup(input.fileHandleForWriting.fileDescriptor)
        var reader = PipeReader(descriptor: dup(output.fileHandleForReading.fileDescriptor))
        try? input.fileHandleForWriting.close()
        try? output.fileHandleForReading.close()
        let line = (try? reader.line()) ?? ""
        let words = line.dropFirst(CompileDriver.handshakePrefix.count).split(separator: " ").map(String.init)
        guard line.hasPrefix(CompileDriver.handshakePrefix), words.count == 4 else {
            close(toDriver)
            close(reader.descriptor)
            process.terminate()
            process.waitUntilExit()
            throw CompileError.interpreterFailed(
                path: executable, detail: "it exited with status \(process.terminationStatus) before compiling anything")
        }
        return Started(process: process, toDriver: toDriver, fromDriver: reader,
                       runs: "\(words[0]) \(words[1]).\(words[2])", cacheTag: words[3])
    }

    /// A dead interpreter must surface as a write error (EPIPE) the build reports, not as SIGPIPE ending
    /// pexify.
    private static let ignoreBrokenPipes: Void = { _ = signal(SIGPIPE, SIG_IGN) }()
}

extension CompileError {
    /// The reason part of an error, for the list of rejected candidates.
    var detail: String {
        if case let .interpreterFailed(_, detail) = self { return detail }
        return description
    }
}

private final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (any Error)?
    var error: (any Error)? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

private func bigEndian(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
}

private func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) throws {
    try bytes.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw PipeClosed()
            }
            offset += written
        }
    }
}

private struct PipeClosed: Error, CustomStringConvertible {
    var description: String { "the interpreter closed its end of the pipe" }
}

/// Buffered reads from the driver's stdout.
private struct PipeReader {
    let descriptor: Int32
    private var buffer: [UInt8] = []
    private var start = 0

    init(descriptor: Int32) { self.descriptor = descriptor }

    private mutating func fill() throws {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw PipeClosed() }
            buffer += chunk[..<count]
            return
        }
    }

    mutating func bytes(_ count: Int) throws -> [UInt8] {
        while buffer.count - start < count { try fill() }
        defer { start += count }
        return Array(buffer[start..<start + count])
    }

    mutating func field() throws -> [UInt8] {
        let length = try bytes(4).reduce(0) { $0 << 8 | Int($1) }
        return try bytes(length)
    }

    mutating func line() throws -> String {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                defer { start = newline + 1 }
                return String(decoding: buffer[start..<newline], as: UTF8.self)
            }
            try fill()
        }
    }
}
