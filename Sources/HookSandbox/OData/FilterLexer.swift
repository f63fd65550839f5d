/// Tokens of a `$filter` expression.
enum FilterToken: Equatable {
    case word(String)
    case string(String)
    case number(Double)
    case open, close, comma
}

enum FilterLexer {
    static func tokens(_ text: String) throws(FilterExpression.Invalid) -> [FilterToken] {
        var tokens: [FilterToken] = []
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            switch c {
            case " ", "\t", "\n", "\r": i += 1
            case "(":
                tokens.append(.open)
                i += 1
            case ")":
                tokens.append(.close)
                i += 1
            case ",":
                tokens.append(.comma)
                i += 1
            case "'":
                var value = String.UnicodeScalarView()
                i += 1
                var closed = false
                while i < scalars.count {
                    if scalars[i] == "'" {
                        if i + 1 < scalars.count, scalars[i + 1] == "'" {
                            value.append("'")
                            i += 2
                            continue
                        }
                        closed = true
                        i += 1
                        break
                    }
                    value.append(scalars[i])
                    i += 1
                }
                guard closed else { throw .init(message: "Invalid $filter: unterminated string literal") }
                tokens.append(.string(String(value)))
            case "0"..."9", "-":
                var j = i + 1
                while j < scalars.count, ("0"..."9").contains(scalars[j]) || scalars[j] == "." { j += 1 }
                let raw = String(String.UnicodeScalarView(scalars[i..<j]))
                guard let number = Double(raw), number.isFinite else { throw .init(message: "Invalid $filter: bad number '\(raw.prefix(40))'") }
                tokens.append(.number(number))
                i = j
            default:
                guard c.properties.isAlphabetic || c == "_" || c == "$" else {
                    throw .init(message: "Invalid $filter: unexpected character '\(String(c))' at position \(i + 1)")
                }
                var j = i + 1
                while j < scalars.count, scalars[j].properties.isAlphabetic || ("0"..."9").contains(scalars[j]) || scalars[j] == "_" || scalars[j] == "/" {
                    j += 1
                }
                tokens.append(.word(String(String.UnicodeScalarView(scalars[i..<j]))))
                i = j
            }
        }
        return tokens
    }
}
