import Foundation

/// Runs a Python snippet with the test interpreter and returns what it printed on stdout.
/// Fails (throws) when the snippet exits non-zero, with its stderr in the message.
public func python(_ code: String, arguments: [String] = [], environment: [String: String]? = nil,
                   currentDirectory: String? = nil, stdin: [UInt8]? = nil) throws -> String {
    let result = try run(TestEnvironment.python, ["-c", code] + arguments, environment: environment,
                         currentDirectory: currentDirectory, stdin: stdin)
    guard result.status == 0 else { throw PythonFailure(code: code, result: result) }
    return result.stdout
}

public struct PythonFailure: Error, CustomStringConvertible {
    public var code: String
    public var result: ProcessResult
    public var description: String { "Python snippet failed (\(result.summary))\n--- snippet ---\n\(code)" }
}
