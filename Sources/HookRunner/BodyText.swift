import HookCore
import HookManifest

/// An order body as the state keeps it: its canonical JSON text (keys sorted, two-space indent, no final newline),
/// secrets as references. Text rather than a tree: one allocation per body instead of one per value, so the state of
/// 100,000 orders stays small, and `plan`'s diff and the lock file use the text as it is.
public struct BodyText: Hashable, Sendable {
    public let text: String

    /// The canonical text of `value` (objects written with sorted keys, whatever their order in `value`).
    public init(_ value: JSONValue) {
        var out = CanonicalJSON.bytes(Self.sorted(value))
        out.removeLast()  // the final newline
        text = String(decoding: out, as: UTF8.self)
    }

    /// A text that is already canonical (read back from the journal, which writes only canonical text).
    init(canonical text: String) { self.text = text }

    /// The body as a value, for the rare reader of its fields.
    public var value: JSONValue { (try? JSONReader.parse(Array(text.utf8))) ?? .null }

    /// The lines `plan` diffs: all but the `Name` line (the name follows from the body, so it would only add noise).
    public var diffLines: [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix(#"  "Name": "#) }.map(String.init)
    }

    /// Appends the text as it appears nested `indent` levels deep in a canonical document.
    func write(indent: Int, into out: inout [UInt8]) {
        let pad = [UInt8](repeating: UInt8(ascii: " "), count: indent * 2)
        for byte in text.utf8 {
            out.append(byte)
            if byte == UInt8(ascii: "\n") { out.append(contentsOf: pad) }
        }
    }

    private static func sorted(_ value: JSONValue) -> JSONValue {
        switch value {
        case .orderedObject(let members):
            .object(Dictionary(members.map { ($0.key, sorted($0.value)) }) { first, _ in first })
        case .object(let fields): .object(fields.mapValues(sorted))
        case .array(let items): .array(items.map(sorted))
        default: value
        }
    }
}
