/// A JSON value as `CanonicalJSON` writes it. `object` is written with sorted keys, `orderedObject` in its own order.
public enum JSONValue: Hashable, Sendable {
    /// `null`.
    case null
    /// `true` / `false`.
    case bool(Bool)
    /// An integer, written without a fraction.
    case integer(Int)
    /// A finite number, written in Swift's shortest round-trip form.
    case number(Double)
    /// A string, escaped as JSON requires (non-ASCII kept as UTF-8).
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object whose keys are written sorted (by UTF-8 bytes).
    case object([String: JSONValue])
    /// An object whose keys are written in the given order.
    case orderedObject([JSONMember])
}

/// One key and value of an `orderedObject`.
public struct JSONMember: Hashable, Sendable {
    /// The key.
    public var key: String
    /// The value.
    public var value: JSONValue
    /// Creates a member.
    public init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}
