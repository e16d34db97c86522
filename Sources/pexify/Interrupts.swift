import Basics
import Foundation

/// Ctrl-C (SIGINT) and SIGTERM stop pexify at once, with the shell's exit codes (130, 143): the partial
/// files the build registered (``PartialFiles``) are removed, the output path is left as it was, and
/// stderr says so. Waiting for the build's tasks to unwind could take as long as a stalled download.
enum Interrupts {
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    static func install() {
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        for (signal, name, status) in [(SIGINT, "SIGINT", Int32(130)), (SIGTERM, "SIGTERM", Int32(143))] {
            // A parent (a test runner, a CI agent) may hand the process a mask that blocks the signal.
            sigaddset(&unblocked, signal)
            Foundation.signal(signal, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signal, queue: .global(qos: .userInteractive))
            source.setEventHandler { stop(name, status: status) }
            source.resume()
            sources.append(source)
        }
        pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
    }

    private static func stop(_ name: String, status: Int32) -> Never {
        let removed = PartialFiles.removeAll()
        let what = removed.isEmpty ? "nothing was written"
            : "removed \(removed.count) partial file\(removed.count == 1 ? "" : "s"): " + removed.joined(separator: ", ")
        Terminal.standardError.write("\npexify: interrupted by \(name); \(what).\n")
        _exit(status)
    }
}
