import Foundation
import HookCore
import Testing

@testable import HookS3

/// AWS's published Signature Version 4 examples. The `service` vectors come from the AWS SigV4 test suite
/// (credentials `AKIDEXAMPLE`, 2015-08-30T12:36:00Z, us-east-1); the `s3` vectors from the S3 API reference
/// "Signature Calculations for the Authorization Header" examples (`AKIAIOSFODNN7EXAMPLE`, 2013-05-24).
/// Every expected value was re-computed with botocore's independent signer before being written here.
@Suite struct SigV4SignerTests {
    static let suiteSigner = SigV4Signer(
        credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")),
        region: "us-east-1", service: "service")
    static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z
    static let s3Signer = SigV4Signer(
        credentials: AWSCredentials(
            accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: Secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")),
        region: "us-east-1", service: "s3")
    static let s3Date = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z

    @Test func `date spellings are UTC`() {
        #expect(SigV4Date(Self.suiteDate).date == "20150830")
        #expect(SigV4Date(Self.suiteDate).dateTime == "20150830T123600Z")
        #expect(SigV4Date(Self.s3Date).dateTime == "20130524T000000Z")
        #expect(SigV4Date(Date(timeIntervalSince1970: 951_782_400)).date == "20000229")  // leap day
    }

    @Test func `get-vanilla: canonical request, string to sign and signature`() {
        let signed = Self.suiteSigner.sign(
            method: "GET", url: URL(string: "https://example.amazonaws.com/")!, payloadHash: SigV4Signer.emptyPayloadHash,
            date: Self.suiteDate)
        #expect(
            signed.canonicalRequest == """
                GET
                /

                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """)
        #expect(
            signed.stringToSign == """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63
                """)
        #expect(
            signed.authorization
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        #expect(signed.headers.map(\.name) == ["host", "x-amz-date", "authorization"])
    }

    @Test func `get-vanilla-query-order-key-case: parameters are sorted`() {
        let signed = Self.suiteSigner.sign(
            method: "GET", url: URL(string: "https://example.amazonaws.com/?Param2=value2&Param1=value1")!,
            payloadHash: SigV4Signer.emptyPayloadHash, date: Self.suiteDate)
        #expect(signed.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[2] == "Param1=value1&Param2=value2")
        #expect(signed.signature == "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")
    }

    @Test func `post-vanilla`() {
        let signed = Self.suiteSigner.sign(
            method: "POST", url: URL(string: "https://example.amazonaws.com/")!, payloadHash: SigV4Signer.emptyPayloadHash,
            date: Self.suiteDate)
        #expect(signed.signature == "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")
    }

    @Test func `post-x-www-form-urlencoded: content type is signed, body hashed`() {
        let body = Array("Param1=value1".utf8)
        #expect(SigV4Signer.sha256Hex(body) == "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e")
        let signed = Self.suiteSigner.sign(
            method: "POST", url: URL(string: "https://example.amazonaws.com/")!,
            headers: [("Content-Type", "application/x-www-form-urlencoded")], payloadHash: SigV4Signer.sha256Hex(body),
            date: Self.suiteDate)
        #expect(signed.stringToSign.hasSuffix("\n42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281"))
        #expect(
            signed.authorization
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                + "SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a")
    }

    @Test func `header values are trimmed and inner blanks collapsed (botocore agrees)`() {
        let signed = Self.suiteSigner.sign(
            method: "GET", url: URL(string: "https://example.amazonaws.com/")!,
            headers: [("My-Header1", "  value1   with  spaces ")], payloadHash: SigV4Signer.emptyPayloadHash, date: Self.suiteDate)
        #expect(signed.canonicalRequest.contains("\nmy-header1:value1 with spaces\n"))
        #expect(signed.signature == "1d3c8dacf13d565cb88f90460a561e5caf0231c1f593a60fc93953ac77d13c58")
    }

    @Test func `S3 GET object with Range (AWS S3 example)`() {
        let signed = Self.s3Signer.sign(
            method: "GET", url: URL(string: "https://examplebucket.s3.amazonaws.com/test.txt")!,
            headers: [("Range", "bytes=0-9"), ("x-amz-content-sha256", SigV4Signer.emptyPayloadHash)],
            payloadHash: SigV4Signer.emptyPayloadHash, date: Self.s3Date)
        #expect(signed.stringToSign.hasSuffix("\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"))
        #expect(signed.signedHeaders == "host;range;x-amz-content-sha256;x-amz-date")
        #expect(signed.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func `S3 PUT object with an escaped key (AWS S3 example)`() {
        let body = Array("Welcome to Amazon S3.".utf8)
        let hash = SigV4Signer.sha256Hex(body)
        #expect(hash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let signed = Self.s3Signer.sign(
            method: "PUT", url: URL(string: "https://examplebucket.s3.amazonaws.com/test%24file.text")!,
            headers: [
                ("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
                ("x-amz-content-sha256", hash),
            ], payloadHash: hash, date: Self.s3Date)
        #expect(signed.canonicalRequest.hasPrefix("PUT\n/test%24file.text\n\n"))
        #expect(signed.signature == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test func `S3 GET bucket lifecycle: a value-less parameter (AWS S3 example)`() {
        let signed = Self.s3Signer.sign(
            method: "GET", url: URL(string: "https://examplebucket.s3.amazonaws.com/?lifecycle")!,
            headers: [("x-amz-content-sha256", SigV4Signer.emptyPayloadHash)], payloadHash: SigV4Signer.emptyPayloadHash,
            date: Self.s3Date)
        #expect(signed.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[2] == "lifecycle=")
        #expect(signed.signature == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    @Test func `S3 list objects: query sorted (AWS S3 example)`() {
        let signed = Self.s3Signer.sign(
            method: "GET", url: URL(string: "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J")!,
            headers: [("x-amz-content-sha256", SigV4Signer.emptyPayloadHash)], payloadHash: SigV4Signer.emptyPayloadHash,
            date: Self.s3Date)
        #expect(signed.signature == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test func `S3 key with spaces and UTF-8, port kept in host (botocore agrees)`() {
        let signer = SigV4Signer(credentials: Self.s3Signer.credentials, region: "eu-central-1", service: "s3")
        let signed = signer.sign(
            method: "GET",
            url: URL(string: "http://127.0.0.1:9000/bucket/a%20b/%C3%A9t%C3%A9%2B1.zip?list-type=2&prefix=a%20b%2F")!,
            headers: [("x-amz-content-sha256", SigV4Signer.emptyPayloadHash)], payloadHash: SigV4Signer.emptyPayloadHash,
            date: Self.s3Date)
        #expect(signed.canonicalRequest.contains("\nhost:127.0.0.1:9000\n"))
        #expect(signed.signature == "27558eae1f894f385a859c7c4f57b96b56585a3f692e888d34eb364e5aec8bfa")
    }

    @Test func `a session token is signed`() {
        var credentials = Self.suiteSigner.credentials
        credentials.sessionToken = Secret("session-token")
        let signed = SigV4Signer(credentials: credentials, region: "us-east-1", service: "service").sign(
            method: "GET", url: URL(string: "https://example.amazonaws.com/")!, payloadHash: SigV4Signer.emptyPayloadHash,
            date: Self.suiteDate)
        #expect(signed.signedHeaders == "host;x-amz-date;x-amz-security-token")
        #expect(signed.headers.contains { $0.name == "x-amz-security-token" && $0.value == "session-token" })
    }

    @Test func `URI encoding keeps unreserved characters only`() {
        #expect(SigV4Signer.uriEncode("a b/c~d_e.f-g+h*é", keepSlash: true) == "a%20b/c~d_e.f-g%2Bh%2A%C3%A9")
        #expect(SigV4Signer.uriEncode("a/b", keepSlash: false) == "a%2Fb")
    }
}
