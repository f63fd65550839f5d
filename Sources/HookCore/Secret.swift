/// A secret value (password, token, S3 secret key) that never shows itself by accident.
///
/// `description`, `debugDescription`, `dump`/`Mirror` and every `Encodable` encoding give a redacted
/// placeholder; ``reveal()`` is the only way to read the value. Review every call site of `reveal()`.
public struct Secret: Sendable, Hashable {
    private let value: String

    /// Wraps a secret value.
    public init(_ value: String) { self.value = value }

    /// The plain value. The only reader: call it only where the value leaves the process (a header, a form field).
    public func reveal() -> String { value }

    /// Whether the secret is the empty string (safe to ask: it reveals nothing worth hiding).
    public var isEmpty: Bool { value.isEmpty }

    /// The placeholder shown wherever a secret would otherwise be printed.
    public static let placeholder = "<redacted>"
}

extension Secret: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Always the redacted placeholder: string interpolation, `print` and logger metadata never show the value.
    public var description: String { Secret.placeholder }
    /// Always `Secret(<redacted>)`.
    public var debugDescription: String { "Secret(\(Secret.placeholder))" }
    /// A mirror without children, so `dump` and reflection-based printers see nothing.
    public var customMirror: Mirror { Mirror(self, children: [:], displayStyle: .struct) }
}

extension Secret: Codable {
    /// Decodes the plain value from a single string.
    public init(from decoder: any Decoder) throws {
        value = try decoder.singleValueContainer().decode(String.self)
    }

    /// Encodes the redacted placeholder, never the value (state files, reports).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Secret.placeholder)
    }
}
