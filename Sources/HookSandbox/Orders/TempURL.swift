import Crypto
import Foundation
import HookCore

/// The `DownloadLink` of a completed TEMPORARY item, in the shape the real service gives (HOOK-API 3.6): an OpenStack
/// Swift temporary URL `/swift/v1/tmp-storage/<YYYYMMDD>_<itemId>_<8 chars>.zip?temp_url_sig=<40 hex>&temp_url_expires=<unix>`,
/// public (no bearer token), valid for `--temporary-ttl` from completion (two weeks by default, as the real service).
/// The signature is Swift's: HMAC-SHA1 of
/// `GET\n<expires>\n<path>`; the key is fixed, since the link only has to be checked, not kept secret.
enum TempURL {
    static let folder = "/swift/v1/tmp-storage/"
    private static let key = SymmetricKey(data: Array("hookctl-sandbox-temp-url-key".utf8))

    /// The link for an item of an order, completed at `completedMs`, valid for `lifetime`.
    static func link(baseURL: String, orderID: Int, itemID: Int, completedMs: Int64, lifetime: Duration) -> String {
        let path = folder + fileName(orderID: orderID, itemID: itemID, completedMs: completedMs)
        let expires = completedMs / 1000 + lifetime.components.seconds
        return "\(baseURL)\(path)?temp_url_sig=\(signature(path: path, expires: expires))&temp_url_expires=\(expires)"
    }

    /// `<YYYYMMDD>_<itemId>_<8 chars>.zip`; the eight characters follow from the order and item, so a file name
    /// cannot be guessed from an item id alone.
    static func fileName(orderID: Int, itemID: Int, completedMs: Int64) -> String {
        let day = String(Timestamp.string(ms: completedMs).prefix(10).filter { $0 != "-" })
        return "\(day)_\(itemID)_\(tag(orderID: orderID, itemID: itemID)).zip"
    }

    /// The item id a file name carries, if it is one of ours.
    static func itemID(inFileName name: String) -> Int? {
        let parts = name.split(separator: "_")
        guard parts.count == 3, parts[2].hasSuffix(".zip") else { return nil }
        return Int(parts[1])
    }

    static func signature(path: String, expires: Int64) -> String {
        Hex.string(HMAC<Insecure.SHA1>.authenticationCode(for: Array("GET\n\(expires)\n\(path)".utf8), using: key))
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    private static func tag(orderID: Int, itemID: Int) -> String {
        var generator = SeededGenerator(seed: SeededGenerator.hash("\(orderID)/\(itemID)"))
        return String(decoding: (0..<8).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }, as: UTF8.self)
    }
}
