import Crypto
import Foundation
import HookCore

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`), as a pure function of the request, the credentials and a date.
///
/// The signer adds `host` (when missing), `x-amz-date` and, for temporary credentials, `x-amz-security-token`,
/// and returns the headers to send including `authorization`. It signs every header it is given.
/// For service `s3` the path is URI-encoded once; for other services twice (without path normalisation), as the
/// AWS documentation describes.
public struct SigV4Signer: Sendable {
    /// The credentials that sign.
    public var credentials: AWSCredentials
    /// The region of the scope, e.g. `us-east-1`.
    public var region: String
    /// The service of the scope, e.g. `s3`.
    public var service: String

    /// The SHA-256 of an empty payload.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// The payload hash S3 accepts when the body is not hashed (streamed uploads over TLS).
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    /// Creates a signer for one region and service.
    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The outcome of signing: every intermediate value (for tests and diagnostics) and the headers to send.
    public struct SignedRequest: Sendable {
        /// The canonical request (method, URI, query, headers, signed header names, payload hash).
        public var canonicalRequest: String
        /// The string to sign (algorithm, date, scope, hash of the canonical request).
        public var stringToSign: String
        /// The hex signature.
        public var signature: String
        /// `host;x-amz-date;...`: the signed header names.
        public var signedHeaders: String
        /// The full `Authorization` header value.
        public var authorization: String
        /// Every header to send, in the caller's order followed by the ones the signer added, `authorization` last.
        public var headers: [(name: String, value: String)]
    }

    /// Signs a request.
    /// - Parameters:
    ///   - method: the HTTP method, e.g. `GET`.
    ///   - url: the request URL; its path and query must be percent-encoded as they will be sent.
    ///   - headers: headers to sign and send (names in any case). `host` is derived from `url` when absent.
    ///   - payloadHash: the hex SHA-256 of the body, or ``unsignedPayload``.
    ///   - date: the signing time (`x-amz-date`).
    public func sign(
        method: String, url: URL, headers: [(name: String, value: String)] = [], payloadHash: String, date: Date
    ) -> SignedRequest {
        let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        let stamp = SigV4Date(date)
        var all = headers
        if !all.contains(where: { $0.name.lowercased() == "host" }) {
            all.insert((name: "host", value: Self.hostHeader(components)), at: 0)
        }
        if !all.contains(where: { $0.name.lowercased() == "x-amz-date" }) {
            all.append((name: "x-amz-date", value: stamp.dateTime))
        }
        if let token = credentials.sessionToken, !all.contains(where: { $0.name.lowercased() == "x-amz-security-token" }) {
            all.append((name: "x-amz-security-token", value: token.reveal()))
        }

        var grouped: [String: [String]] = [:]
        for header in all {
            grouped[header.name.lowercased(), default: []].append(Self.trimmedHeaderValue(header.value))
        }
        let names = grouped.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(grouped[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")

        let canonicalRequest = [
            method.uppercased(),
            canonicalURI(components?.percentEncodedPath ?? "/"),
            Self.canonicalQuery(components?.percentEncodedQuery),
            canonicalHeaders,
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")

        let scope = "\(stamp.date)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", stamp.dateTime, scope, Self.sha256Hex(Array(canonicalRequest.utf8)),
        ].joined(separator: "\n")

        let key = signingKey(date: stamp.date)
        let signature = Hex.string(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        all.append((name: "authorization", value: authorization))
        return SignedRequest(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature,
            signedHeaders: signedHeaders, authorization: authorization, headers: all)
    }

    /// The derived key: HMAC chain over date, region, service and `aws4_request`.
    func signingKey(date: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey.reveal())".utf8))
        for part in [date, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return key
    }

    /// The canonical URI: each path segment URI-encoded (once for S3, twice otherwise), `/` kept.
    func canonicalURI(_ percentEncodedPath: String) -> String {
        let path = percentEncodedPath.isEmpty ? "/" : percentEncodedPath
        let decoded = PercentCoding.decode(path)
        let once = Self.uriEncode(decoded, keepSlash: true)
        return service == "s3" ? once : Self.uriEncode(Array(once.utf8), keepSlash: true)
    }

    /// The canonical query: every parameter decoded, re-encoded with AWS rules and sorted by name then value.
    static func canonicalQuery(_ percentEncodedQuery: String?) -> String {
        guard let query = percentEncodedQuery, !query.isEmpty else { return "" }
        let pairs: [(String, String)] = query.split(separator: "&", omittingEmptySubsequences: true).map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = uriEncode(PercentCoding.decode(parts[0]), keepSlash: false)
            let value = parts.count > 1 ? uriEncode(PercentCoding.decode(parts[1]), keepSlash: false) : ""
            return (name, value)
        }
        return pairs.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// AWS URI encoding: unreserved characters (`A-Z a-z 0-9 - . _ ~`) kept, every other byte `%XX` (upper case).
    public static func uriEncode(_ bytes: [UInt8], keepSlash: Bool) -> String {
        var out = ""
        out.reserveCapacity(bytes.count)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                out.append("/")
            default:
                out.append("%")
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return out
    }

    /// AWS URI encoding of a string's UTF-8 bytes.
    public static func uriEncode(_ string: String, keepSlash: Bool) -> String {
        uriEncode(Array(string.utf8), keepSlash: keepSlash)
    }

    private static let hexDigits: [Character] = Array("0123456789ABCDEF")

    /// Header values: leading/trailing blanks removed, inner runs of blanks collapsed to one space.
    static func trimmedHeaderValue(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    /// `host[:port]`, the port only when it is not the scheme's default.
    static func hostHeader(_ components: URLComponents?) -> String {
        guard let components, let host = components.host else { return "" }
        let hostText = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        guard let port = components.port else { return hostText }
        let scheme = components.scheme?.lowercased()
        if (scheme == "http" && port == 80) || (scheme == "https" && port == 443) { return hostText }
        return "\(hostText):\(port)"
    }

    /// Lower-case hex SHA-256 of bytes.
    public static func sha256Hex(_ bytes: [UInt8]) -> String { Hex.string(SHA256.hash(data: bytes)) }
}
