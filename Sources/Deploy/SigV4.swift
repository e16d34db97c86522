import Basics
import Crypto
import Foundation

/// An HTTP request as AWS Signature Version 4 sees it: method, path, query, headers and the
/// SHA-256 of the body. Header names are case-insensitive; repeated names are joined with commas.
///
/// See <https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html>.
public struct SignableRequest: Sendable {
    public var method: String
    /// The absolute path as sent on the wire, each segment percent-encoded once
    /// (`/2015-03-31/functions/arn%3Aaws%3A.../code`).
    public var path: String
    /// Query parameters in any order, not yet percent-encoded.
    public var query: [(name: String, value: String)]
    /// Headers to sign, in any order, including `host` and `x-amz-date`.
    public var headers: [(name: String, value: String)]
    /// Lower-case hex SHA-256 of the body (for S3 also sent as `x-amz-content-sha256`).
    public var payloadHash: String

    public init(method: String, path: String, query: [(name: String, value: String)] = [],
                headers: [(name: String, value: String)], payloadHash: String) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.payloadHash = payloadHash
    }
}

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`) with HMAC-SHA256 and SHA-256 from swift-crypto.
public struct SigV4Signer: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    public var service: String

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// `20150830T123600Z`, the format of `x-amz-date`.
    public static func amzDate(_ date: Date) -> String {
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let digits = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return pad(c.year, 4) + pad(c.month, 2) + pad(c.day, 2) + "T" + pad(c.hour, 2) + pad(c.minute, 2)
            + pad(c.second, 2) + "Z"
    }

    /// The canonical request (task 1 of the signing process).
    public func canonicalRequest(_ request: SignableRequest) -> String {
        let headers = Self.canonicalHeaders(request.headers)
        return [
            request.method.uppercased(),
            Self.canonicalPath(request.path, service: service),
            Self.canonicalQuery(request.query),
            headers.map { "\($0.name):\($0.value)\n" }.joined(),
            headers.map(\.name).joined(separator: ";"),
            request.payloadHash,
        ].joined(separator: "\n")
    }

    /// The `Authorization` header value for `request`, whose `x-amz-date` header must hold `amzDate`.
    public func authorization(_ request: SignableRequest, amzDate: String) -> String {
        let day = String(amzDate.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope,
                            hex(SHA256.hash(data: Data(canonicalRequest(request).utf8)))]
            .joined(separator: "\n")
        var key = SymmetricKey(data: Data(("AWS4" + credentials.secretAccessKey).utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        let signed = Self.canonicalHeaders(request.headers).map(\.name).joined(separator: ";")
        return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope), SignedHeaders=\(signed), Signature=\(signature)"
    }

    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            // Trim and collapse runs of spaces, as the spec asks for header values.
            let collapsed = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            merged[name.lowercased(), default: []].append(collapsed.trimmingCharacters(in: .whitespaces))
        }
        return merged.keys.sorted().map { (name: $0, value: merged[$0]!.joined(separator: ",")) }
    }

    static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        query.map { (uriEncode($0.name, keepSlash: false), uriEncode($0.value, keepSlash: false)) }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// S3 signs the path as sent; every other service encodes the sent (already encoded) path again.
    static func canonicalPath(_ path: String, service: String) -> String {
        let sent = path.isEmpty ? "/" : path
        return service == "s3" ? sent : uriEncode(sent, keepSlash: true)
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters (and `/` in paths).
    public static func uriEncode(_ text: String, keepSlash: Bool) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                out.append("/")
            default:
                out += "%" + String(hexDigits[Int(byte >> 4)]) + String(hexDigits[Int(byte & 0xF)])
            }
        }
        return out
    }

    private static let hexDigits = Array("0123456789ABCDEF")
}
