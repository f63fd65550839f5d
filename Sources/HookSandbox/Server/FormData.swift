import HookCore
import HookS3

/// `application/x-www-form-urlencoded` and query-string coding.
enum FormData {
    /// Decodes `a=1&b=x+y` (percent escapes, `+` as space); malformed escapes are kept literally.
    static func decode(_ text: Substring) -> [(String, String)] {
        guard !text.isEmpty else { return [] }
        return text.split(separator: "&", omittingEmptySubsequences: true).prefix(1000).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (unescape(parts[0]), parts.count > 1 ? unescape(parts[1]) : "")
        }
    }

    static func decode(_ text: String) -> [(String, String)] { decode(Substring(text)) }

    static func unescape(_ text: Substring, plusIsSpace: Bool = true) -> String {
        String(decoding: PercentCoding.decode(text, plusIsSpace: plusIsSpace), as: UTF8.self)
    }

    static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    }

    /// RFC 3986 percent-encoding (unreserved characters kept), as HookS3 signs URIs.
    static func escape(_ text: String) -> String { SigV4Signer.uriEncode(text, keepSlash: false) }

    static func pathEscape(_ text: String) -> String { escape(text) }
}
