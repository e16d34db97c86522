import Foundation

/// A result the command line prints for machines with `--json`: one JSON object with sorted keys and
/// unescaped slashes, so the same result always prints the same text.
public protocol MachineReadable: Encodable {}

extension MachineReadable {
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
