/// Parses `${env:NAME}` / `${env:NAME:-default}` references; `$$` is a literal `$`.
enum TemplateParser {
    struct Failure: Error {
        var message: String
        /// 0-based offset in Unicode scalars from the start of the text.
        var offset: Int
    }

    static func parse(_ text: String) -> Result<Template, Failure> {
        // Fast path: no `$` at all.
        if !text.utf8.contains(UInt8(ascii: "$")) { return .success(Template(literal: text)) }
        let scalars = Array(text.unicodeScalars)
        var parts: [Template.Part] = []
        var literal = ""
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            guard c == "$" else {
                literal.unicodeScalars.append(c)
                i += 1
                continue
            }
            if i + 1 < scalars.count, scalars[i + 1] == "$" {
                literal += "$"
                i += 2
                continue
            }
            guard i + 1 < scalars.count, scalars[i + 1] == "{" else {
                literal += "$"
                i += 1
                continue
            }
            guard let close = scalars[(i + 2)...].firstIndex(of: "}") else {
                return .failure(Failure(message: "unterminated reference: `${` has no closing `}`", offset: i))
            }
            let body = String(String.UnicodeScalarView(scalars[(i + 2)..<close]))
            guard body.hasPrefix("env:") else {
                let scheme = body.split(separator: ":", maxSplits: 1).first.map(String.init) ?? body
                return .failure(Failure(message: "unknown reference `${\(scheme):...}`; only `${env:NAME}` and `${env:NAME:-default}` are supported", offset: i))
            }
            let rest = body.dropFirst(4)
            var name = Substring(rest)
            var defaultValue: String?
            if let sep = rest.firstRange(of: ":-") {
                name = rest[rest.startIndex..<sep.lowerBound]
                defaultValue = String(rest[sep.upperBound...])
            }
            guard isVariableName(name) else {
                let shown = name.isEmpty ? "an empty name" : "`\(name)`"
                return .failure(Failure(message: "bad variable name \(shown) in reference: use letters, digits and `_`, not starting with a digit", offset: i))
            }
            if !literal.isEmpty {
                parts.append(.literal(literal))
                literal = ""
            }
            parts.append(.reference(name: String(name), defaultValue: defaultValue))
            i = close + 1
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        return .success(Template(parts: parts, text: text))
    }

    static func isVariableName(_ name: Substring) -> Bool {
        guard let first = name.utf8.first, !(first >= 0x30 && first <= 0x39) else { return false }
        return name.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F }
    }
}
