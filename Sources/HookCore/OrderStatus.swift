/// The status of an order or an item as the service spells it (`queued`, `in_progress`, `completed`, `failed`,
/// `cancelled`), or `submitting` while the answer to its submission is not known. Unknown spellings are kept as they
/// are, so reports show what the service said.
public struct OrderStatus: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }

    public static let queued: OrderStatus = "queued"
    public static let inProgress: OrderStatus = "in_progress"
    public static let completed: OrderStatus = "completed"
    public static let failed: OrderStatus = "failed"
    public static let cancelled: OrderStatus = "cancelled"
    /// hookctl's own: the request may have left, the service's answer is not known yet.
    public static let submitting: OrderStatus = "submitting"

    /// Whether an order in this status no longer changes.
    public var isTerminal: Bool { self == .completed || self == .failed || self == .cancelled }

    public var description: String { rawValue }
}
