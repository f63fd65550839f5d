/// The one JSON writer of hookctl: bodies, the lock file, reports and `--format json` diagnostics.
///
/// Output is pretty and deterministic: two-space indent, `"key": value`, objects' keys sorted unless the value is an
/// `orderedObject`, `[]`/`{}` for empty containers, and a final newline.
public enum CanonicalJSON {
    /// The canonical text of `value`, ending with a newline.
    public static func string(_ value: JSONValue) -> String {
        String(decoding: bytes(value), as: UTF8.self)
    }

    /// The canonical UTF-8 bytes of `value`, ending with a newline.
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        write(value, into: &out)
        return out
    }

    /// The value on one line (no indent, no spaces; keys in canonical order), ending with a newline: a JSON Lines
    /// record, as the runner's journal appends them.
    public static func line(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        write(value, indent: oneLine, into: &out)
        out.append(UInt8(ascii: "\n"))
        return out
    }

    /// Appends the canonical bytes of `value` (with its final newline) to `out`.
    public static func write(_ value: JSONValue, into out: inout [UInt8]) {
        write(value, indent: 0, into: &out)
        out.append(UInt8(ascii: "\n"))
    }

    /// Appends `value` as it appears nested `indent` levels deep (no final newline): for writers that lay out the
    /// outer levels of a document themselves.
    public static func write(_ value: JSONValue, indent: Int, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .integer(let i): out.append(contentsOf: String(i).utf8)
        case .number(let d): writeNumber(d, into: &out)
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            if items.isEmpty {
                out.append(contentsOf: "[]".utf8)
                return
            }
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 1, into: &out)
                write(item, indent: indent + 1, into: &out)
            }
            newline(indent, into: &out)
            out.append(UInt8(ascii: "]"))
        case .object(let fields):
            let members = fields.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                .map { JSONMember($0.key, $0.value) }
            writeMembers(members, indent: indent, into: &out)
        case .orderedObject(let members):
            writeMembers(members, indent: indent, into: &out)
        }
    }

    private static func writeMembers(_ members: [JSONMember], indent: Int, into out: inout [UInt8]) {
        if members.isEmpty {
            out.append(contentsOf: "{}".utf8)
            return
        }
        out.append(UInt8(ascii: "{"))
        for (index, member) in members.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            newline(indent + 1, into: &out)
            writeString(member.key, into: &out)
            out.append(UInt8(ascii: ":"))
            if indent >= 0 { out.append(UInt8(ascii: " ")) }
            write(member.value, indent: indent + 1, into: &out)
        }
        newline(indent, into: &out)
        out.append(UInt8(ascii: "}"))
    }

    /// An indent that stays negative at any depth: `line(_:)`'s "no layout".
    private static let oneLine = Int.min / 2

    /// A negative indent means one line: no newlines and no indentation at any depth.
    private static func newline(_ indent: Int, into out: inout [UInt8]) {
        guard indent >= 0 else { return }
        out.append(UInt8(ascii: "\n"))
        for _ in 0..<(indent * 2) { out.append(UInt8(ascii: " ")) }
    }

    public static func writeNumber(_ d: Double, into out: inout [UInt8]) {
        guard d.isFinite else {
            out.append(contentsOf: "null".utf8)  // validation never lets a non-finite number through
            return
        }
        out.append(contentsOf: d.description.utf8)  // shortest round-trip, e.g. 0.5, 20.0, 1e-05
    }

    /// True when some byte of `word` is below 0x20, `"` or `\\` (exact: no byte that needs no escaping sets it).
    @inlinable @inline(__always) static func mayNeedEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZero(_ v: UInt64) -> Bool { (v &- ones) & ~v & highs != 0 }
        let below0x20 = (word &- ones &* 0x20) & ~word & highs != 0
        return below0x20 || hasZero(word ^ (ones &* 0x22)) || hasZero(word ^ (ones &* 0x5C))
    }

    /// True when some byte of `bytes` must be escaped in a JSON string: `"`, `\\` or a control byte.
    @inlinable public static func needsEscape(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index + 8 <= bytes.count {  // eight bytes at a time
            if mayNeedEscape(UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self)) { return true }
            index += 8
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return true }
            index += 1
        }
        return false
    }

    /// Appends `s` as a JSON string literal: runs of bytes that need no escape are copied at once.
    public static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Native strings lend their bytes in place; only others (bridged, lazily decoded) are copied first.
        if s.utf8.withContiguousStorageIfAvailable({ writeEscaped($0, into: &out) }) == nil {
            var copy = s
            copy.withUTF8 { writeEscaped($0, into: &out) }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends `bytes` with `"`, `\\` and control bytes escaped.
    private static func writeEscaped(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var run = 0
        var index = 0
        while index < bytes.count {
            // Eight bytes at a time while none needs escaping, the usual case.
            if index + 8 <= bytes.count, !mayNeedEscape(UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self)) {
                index += 8
                continue
            }
            let end = min(index + 8, bytes.count)
            while index < end {
                let byte = bytes[index]
                index += 1
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if run < index - 1 { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<(index - 1)])) }
                run = index
                out.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x0C: out.append(UInt8(ascii: "f"))
                default:
                    out.append(contentsOf: "u00".utf8)
                    Hex.append(CollectionOfOne(byte), into: &out)
                }
            }
        }
        if run < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...])) }
    }
}
