import Crypto

/// One of N disjoint parts of a manifest tree (`--shard K/N`, SPEC 10): an order key belongs to shard
/// 1 + (the first 8 bytes of SHA-256(key), big-endian) mod N, so N jobs apply one tree at once, each with its own
/// state, and every run of any hookctl puts a key in the same shard.
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    /// 1-based.
    public let index: Int
    public let count: Int

    public init?(index: Int, count: Int) {
        guard count >= 1, (1...count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    /// `K/N`.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else { return nil }
        self.init(index: index, count: count)
    }

    /// The shard (1-based) that `key` falls in among `count`.
    public static func index(of key: String, among count: Int) -> Int {
        let digest = Array(SHA256.hash(data: Array(key.utf8)))
        let prefix = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return 1 + Int(prefix % UInt64(count))
    }

    public func contains(_ key: String) -> Bool { Self.index(of: key, among: count) == index }

    /// `K-of-N`, as state file names carry it.
    public var fileTag: String { "\(index)-of-\(count)" }

    public var description: String { "\(index)/\(count)" }
}
