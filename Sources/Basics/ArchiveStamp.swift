import Foundation

/// What an archive was built for, kept in its zip archive comment (APPNOTE 4.3.16, the end of central
/// directory record's comment) so that `deploy` can refuse a function whose runtime or architecture
/// differs from the archive's target, and `inspect` can show it.
///
/// The comment is invisible to what runs the archive: Lambda extracts members only, and CPython's
/// zipimport and zipfile skip the comment when they locate the central directory. Unlike a member file
/// it adds nothing to `/var/task`, `/opt/python` or `sys.path`, and one place serves all three layouts.
/// The text is `pexify ` followed by JSON with sorted keys, so the same build writes the same bytes.
public struct ArchiveStamp: Sendable, Codable, Equatable, MachineReadable {
    /// The pexify version that wrote the archive.
    public var pexify: String
    /// `zip`, `layer` or `pex`.
    public var layout: String
    /// `python3.12` for a Lambda runtime target; `nil` for other targets.
    public var runtime: String?
    /// Lambda's name for the architecture (`x86_64`, `arm64`) for a Lambda runtime target.
    public var architecture: String?
    /// The target's name (`linux_x86_64-cp311`, `AWS Lambda python3.12 arm64`).
    public var target: String
    /// `3.12`: what any target fixes, so a non-Lambda build can still be checked against a runtime.
    public var python: String
    /// The target's `platform_machine` (`x86_64`, `aarch64`).
    public var machine: String
    /// The AWS handler string the archive was built with (`lambda_function.handler`).
    public var handler: String?

    public init(pexify: String = PexifyVersion.current, layout: String, runtime: String?, architecture: String?,
                target: String, python: String, machine: String, handler: String?) {
        self.pexify = pexify
        self.layout = layout
        self.runtime = runtime
        self.architecture = architecture
        self.target = target
        self.python = python
        self.machine = machine
        self.handler = handler
    }

    static let marker = "pexify "

    /// The archive comment: `pexify {"architecture":…}`, deterministic.
    public var comment: [UInt8] {
        // Encoding a struct of strings cannot fail.
        Array((Self.marker + (try! json())).utf8)
    }

    /// Reads a stamp from an archive comment; `nil` for any other comment (or none).
    public init?(comment: [UInt8]) {
        guard comment.starts(with: Self.marker.utf8),
              let stamp = try? JSONDecoder().decode(Self.self, from: Data(comment.dropFirst(Self.marker.utf8.count)))
        else { return nil }
        self = stamp
    }

    /// Lambda's architecture name for the target machine (`aarch64` → `arm64`).
    public var lambdaArchitecture: String {
        architecture ?? (["aarch64", "arm64"].contains(machine) ? "arm64" : machine)
    }

    /// Lambda's runtime name for the target Python (`python3.12`).
    public var lambdaRuntime: String { runtime ?? "python\(python)" }

    /// One line for `inspect` and the deploy plan.
    public var summary: String {
        "built by pexify \(pexify) as a \(layout) for \(target)"
            + (handler.map { ", handler \($0)" } ?? "")
    }
}

/// This build of pexify.
public enum PexifyVersion {
    public static let current = "0.1.0"
}
