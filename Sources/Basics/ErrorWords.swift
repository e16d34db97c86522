import Foundation

extension Error {
    /// The error in words for a message: a transport failure's own reason, an error's own description
    /// when it has one (every pexify error type), else Foundation's localized description. Bridging a
    /// Swift error to `NSError` alone gives "The operation could not be completed. (Type error 1.)".
    public var words: String {
        switch self {
        case let failure as HTTPTransportError: failure.reason
        case let described as CustomStringConvertible: described.description
        default: (self as NSError).localizedDescription
        }
    }
}
