/// Parses `${env:NAME}` / `${env:NAME:-default}` references; `$$` is a literal `$`.
enum TemplateParser {
    struct Failure: Error {
        var message: String
        /// 0-based offset in Unicode scalars from the start of the text.
        var offset: Int
    }

    static func parse(_ text: String) -> Result<Template, Failure> {
        // Fast path: no `$` at all.
        if !text.containsByte(UInt8(ascii: "$")) { return .success(Template(literal: text)) }
        let bytes = Array(text.utf8)
        func scalarOffset(_ index: Int) -> Int { bytes[..<index].reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) } }
        func string(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        var parts: [Template.Part] = []
        var literal: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            guard c == UInt8(ascii: "$") else {
                literal.append(c)
                i += 1
                continue
            }
            let next = i + 1 < bytes.count ? bytes[i + 1] : 0
            if next == UInt8(ascii: "$") {
                literal.append(c)
                i += 2
                continue
            }
            guard next == UInt8(ascii: "{") else {
                literal.append(c)
                i += 1
                continue
            }
            guard let close = bytes[(i + 2)...].firstIndex(of: UInt8(ascii: "}")) else {
                return .failure(Failure(message: "unterminated reference: `${` has no closing `}`", offset: scalarOffset(i)))
            }
            let body = (i + 2)..<close
            guard bytes[body].starts(with: "env:".utf8) else {
                let colon = bytes[body].firstIndex(of: UInt8(ascii: ":")) ?? close
                return .failure(
                    Failure(
                        message: "unknown reference `${\(string((i + 2)..<colon)):...}`; only `${env:NAME}` and `${env:NAME:-default}` are supported",
                        offset: scalarOffset(i)))
            }
            var nameRange = (body.lowerBound + 4)..<close
            var defaultValue: String?
            if let colon = bytes[nameRange].firstIndex(of: UInt8(ascii: ":")), colon + 1 < close, bytes[colon + 1] == UInt8(ascii: "-") {
                defaultValue = string((colon + 2)..<close)
                nameRange = nameRange.lowerBound..<colon
            }
            guard isVariableName(bytes[nameRange]) else {
                let shown = nameRange.isEmpty ? "an empty name" : "`\(string(nameRange))`"
                return .failure(
                    Failure(message: "bad variable name \(shown) in reference: use letters, digits and `_`, not starting with a digit", offset: scalarOffset(i))
                )
            }
            if !literal.isEmpty {
                parts.append(.literal(String(decoding: literal, as: UTF8.self)))
                literal.removeAll(keepingCapacity: true)
            }
            parts.append(.reference(name: string(nameRange), defaultValue: defaultValue))
            i = close + 1
        }
        if !literal.isEmpty { parts.append(.literal(String(decoding: literal, as: UTF8.self))) }
        return .success(Template(parts: parts, text: text))
    }

    static func isVariableName(_ name: ArraySlice<UInt8>) -> Bool {
        guard let first = name.first, !(first >= 0x30 && first <= 0x39) else { return false }
        return name.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F }
    }
}
