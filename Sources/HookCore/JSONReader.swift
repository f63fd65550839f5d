/// Reads JSON into `JSONValue`, keeping what Foundation's reader loses: whether a number was written as an integer
/// (`12`) or a number (`12.0`), so what is read back writes the same bytes. The runner reads back only files it wrote, but a
/// hand-edited or truncated lock file must give an error, never a crash.
public enum JSONReader {
    public struct Failure: Error, CustomStringConvertible {
        public let offset: Int
        public let reason: String
        public var description: String { "\(reason) at byte \(offset)" }
    }

    /// Reads one JSON value. With `keepingOrder`, objects are read as `orderedObject`s in the order their keys were
    /// written (a repeated key keeps its first place and its last value, as Python's `json` does).
    public static func parse(_ bytes: [UInt8], keepingOrder: Bool = false) throws(Failure) -> JSONValue {
        var reader = Cursor(bytes: bytes, keepingOrder: keepingOrder)
        let value = try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.index == bytes.count else { throw Failure(offset: reader.index, reason: "unexpected text after the value") }
        return value
    }

    /// Reads a top-level object, handing each member of its member `streamed` (itself an object) to `each` as soon
    /// as that member is read, so a large document is never held whole as a tree; returns the other members.
    public static func parseObject(
        _ bytes: [UInt8], streaming streamed: String, each: (String, JSONValue) throws -> Void
    ) throws -> [String: JSONValue] {
        var reader = Cursor(bytes: bytes)
        var others: [String: JSONValue] = [:]
        reader.skipSpace()
        try reader.forEachMember { reader, key in
            if key == streamed, reader.index < bytes.count, bytes[reader.index] == UInt8(ascii: "{") {
                try reader.forEachMember { reader, member in try each(member, try reader.value(depth: 2)) }
                others[key] = .object([:])
            } else {
                others[key] = try reader.value(depth: 1)
            }
        }
        reader.skipSpace()
        guard reader.index == bytes.count else { throw Failure(offset: reader.index, reason: "unexpected text after the value") }
        return others
    }

    private struct Cursor {
        let bytes: [UInt8]
        var keepingOrder = false
        var index = 0

        mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x0A, 0x0D, 0x09: index += 1
                default: return
                }
            }
        }

        func fail(_ reason: String) -> Failure { Failure(offset: index, reason: reason) }

        /// Reads an object from `{` to `}`, handing `member` each key with the cursor at the start of its value.
        mutating func forEachMember(_ member: (inout Cursor, String) throws -> Void) throws {
            try expect("{")
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return
            }
            while true {
                skipSpace()
                let key = try string()
                skipSpace()
                try expect(":")
                skipSpace()
                try member(&self, key)
                skipSpace()
                guard index < bytes.count else { throw fail("unterminated object") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                try expect("}")
                return
            }
        }

        mutating func expect(_ literal: String) throws(Failure) {
            for byte in literal.utf8 {
                guard index < bytes.count, bytes[index] == byte else { throw fail("expected \(literal)") }
                index += 1
            }
        }

        mutating func value(depth: Int) throws(Failure) -> JSONValue {
            guard depth < 64 else { throw fail("nesting too deep") }
            skipSpace()
            guard index < bytes.count else { throw fail("unexpected end") }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var fields: [String: JSONValue] = [:]
                var members: [JSONMember] = []
                var places: [String: Int] = [:]
                var result: JSONValue { keepingOrder ? .orderedObject(members) : .object(fields) }
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return result
                }
                while true {
                    skipSpace()
                    let key = try string()
                    skipSpace()
                    try expect(":")
                    let member = try value(depth: depth + 1)
                    if !keepingOrder {
                        fields[key] = member
                    } else if let place = places[key] {
                        members[place].value = member
                    } else {
                        places[key] = members.count
                        members.append(JSONMember(key, member))
                    }
                    skipSpace()
                    guard index < bytes.count else { throw fail("unterminated object") }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    try expect("}")
                    return result
                }
            case UInt8(ascii: "["):
                index += 1
                var items: [JSONValue] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(items)
                }
                while true {
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard index < bytes.count else { throw fail("unterminated array") }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    try expect("]")
                    return .array(items)
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"):
                try expect("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try expect("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try expect("null")
                return .null
            default:
                return try number()
            }
        }

        mutating func number() throws(Failure) -> JSONValue {
            let start = index
            var isInteger = true
            while index < bytes.count, "+-0123456789.eE".utf8.contains(bytes[index]) {
                if !"+-0123456789".utf8.contains(bytes[index]) { isInteger = false }
                index += 1
            }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if isInteger, let value = Int(text) { return .integer(value) }
            guard let value = Double(text), value.isFinite else { throw Failure(offset: start, reason: "bad number") }
            return .number(value)
        }

        mutating func string() throws(Failure) -> String {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string") }
            index += 1
            // Most strings have no escape: their bytes become the String at once.
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") { index += 1 }
            guard index < bytes.count else { throw fail("unterminated string") }
            if bytes[index] == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: bytes[start..<index - 1], as: UTF8.self)
            }
            var utf8 = Array(bytes[start..<index])
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return String(decoding: utf8, as: UTF8.self)
                }
                index += 1
                guard byte == UInt8(ascii: "\\") else {
                    utf8.append(byte)
                    continue
                }
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u")
                    {
                        index += 2
                        let low = try hex4()
                        // A lone or malformed surrogate becomes U+FFFD (a hand-edited file must not crash the reader).
                        code = (0xDC00..<0xE000).contains(low) ? 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00) : 0xFFFD
                    }
                    utf8.append(contentsOf: String(Unicode.Scalar(code) ?? "\u{FFFD}").utf8)
                default: utf8.append(escape)
                }
            }
            throw fail("unterminated string")
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            guard index + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
            else { throw fail("bad \\u escape") }
            index += 4
            return code
        }
    }
}
