/// A value a `$filter` compares: a string, a number, a boolean or null.
enum FilterValue: Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    /// The value as text for the string functions (numbers as written, integers without a fraction).
    var text: String? {
        switch self {
        case let .string(s): s
        case let .number(n): n == n.rounded() && abs(n) < 1e18 ? String(Int64(n)) : String(n)
        default: nil
        }
    }
}

/// A parsed OData `$filter`: comparisons (`eq ne gt ge lt le`), `and`, `or`, `not`, parentheses and the string
/// functions `endswith`, `startswith`, `contains`, `tolower`, `toupper`, `length`.
indirect enum FilterExpression: Sendable, Equatable {
    case property(String)
    case literal(FilterValue)
    case compare(String, FilterExpression, FilterExpression)
    case and(FilterExpression, FilterExpression)
    case or(FilterExpression, FilterExpression)
    case not(FilterExpression)
    case call(String, [FilterExpression])

    /// Why a `$filter` was refused; `message` becomes the 400 body's detail.
    struct Invalid: Error, Equatable {
        var message: String
    }

    static let maxLength = 8192
    static let maxDepth = 40

    /// Parses `text`; properties must be among `properties` (compared exactly, plus `id` for `Id`).
    static func parse(_ text: String, properties: Set<String>) throws(Invalid) -> FilterExpression {
        guard text.utf8.count <= maxLength else { throw Invalid(message: "Invalid $filter: longer than \(maxLength) bytes") }
        var parser = FilterParser(tokens: try FilterLexer.tokens(text), properties: properties)
        return try parser.parseAll()
    }

    /// The literal `property` must equal for the expression to hold, when the expression requires one
    /// (`Id eq 5`, or such a comparison inside `and`); lets listings look the entity up instead of scanning.
    func requiredEquality(_ property: String) -> FilterValue? {
        switch self {
        case let .compare("eq", .property(p), .literal(v)) where p == property: v
        case let .compare("eq", .literal(v), .property(p)) where p == property: v
        case let .and(a, b): a.requiredEquality(property) ?? b.requiredEquality(property)
        default: nil
        }
    }

    /// Evaluates to a boolean for one entity; `lookup` gives a property's value.
    func matches(_ lookup: (String) -> FilterValue) -> Bool {
        if case let .bool(b) = evaluate(lookup) { return b }
        return false
    }

    private func evaluate(_ lookup: (String) -> FilterValue) -> FilterValue {
        switch self {
        case let .property(name): return lookup(name)
        case let .literal(value): return value
        case let .not(inner): return .bool(!inner.matches(lookup))
        case let .and(a, b): return .bool(a.matches(lookup) && b.matches(lookup))
        case let .or(a, b): return .bool(a.matches(lookup) || b.matches(lookup))
        case let .compare(op, a, b): return .bool(Self.compare(op, a.evaluate(lookup), b.evaluate(lookup)))
        case let .call(name, args):
            let first = args.isEmpty ? FilterValue.null : args[0].evaluate(lookup)
            let second = args.count > 1 ? args[1].evaluate(lookup) : FilterValue.null
            switch name {
            case "endswith":
                guard let a = first.text, let b = second.text else { return .bool(false) }
                return .bool(a.hasSuffix(b))
            case "startswith":
                guard let a = first.text, let b = second.text else { return .bool(false) }
                return .bool(a.hasPrefix(b))
            case "contains":
                guard let a = first.text, let b = second.text else { return .bool(false) }
                return .bool(b.isEmpty || a.contains(b))
            case "tolower": return first.text.map { .string($0.lowercased()) } ?? .null
            case "toupper": return first.text.map { .string($0.uppercased()) } ?? .null
            case "length": return first.text.map { .number(Double($0.count)) } ?? .null
            default: return .null
            }
        }
    }

    private static func compare(_ op: String, _ a: FilterValue, _ b: FilterValue) -> Bool {
        let ordering: Int?
        switch (a, b) {
        case let (.string(x), .string(y)): ordering = x == y ? 0 : (x < y ? -1 : 1)
        case let (.number(x), .number(y)): ordering = x == y ? 0 : (x < y ? -1 : 1)
        // String ids compared with numbers (`id eq 25380` against "25380"): numerically when the string is a number.
        case let (.string(x), .number(y)): ordering = Double(x).map { $0 == y ? 0 : ($0 < y ? -1 : 1) }
        case let (.number(x), .string(y)): ordering = Double(y).map { x == $0 ? 0 : (x < $0 ? -1 : 1) }
        case let (.bool(x), .bool(y)): ordering = x == y ? 0 : (!x ? -1 : 1)
        case (.null, .null): ordering = 0
        default: ordering = nil
        }
        switch op {
        case "eq": return ordering == 0
        case "ne": return ordering != 0
        case "gt": return ordering.map { $0 > 0 } ?? false
        case "ge": return ordering.map { $0 >= 0 } ?? false
        case "lt": return ordering.map { $0 < 0 } ?? false
        case "le": return ordering.map { $0 <= 0 } ?? false
        default: return false
        }
    }
}

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
            case "(": tokens.append(.open); i += 1
            case ")": tokens.append(.close); i += 1
            case ",": tokens.append(.comma); i += 1
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

struct FilterParser {
    let tokens: [FilterToken]
    let properties: Set<String>
    var index = 0
    var depth = 0

    static let comparisons: Set<String> = ["eq", "ne", "gt", "ge", "lt", "le"]
    static let predicates: Set<String> = ["endswith", "startswith", "contains"]
    static let valueFunctions: Set<String> = ["tolower", "toupper", "length"]

    init(tokens: [FilterToken], properties: Set<String>) {
        self.tokens = tokens
        self.properties = properties
    }

    mutating func parseAll() throws(FilterExpression.Invalid) -> FilterExpression {
        guard !tokens.isEmpty else { throw .init(message: "Invalid $filter: empty expression") }
        let expression = try parseOr()
        guard index == tokens.count else { throw .init(message: "Invalid $filter: unexpected \(describe(tokens[index])) after a complete expression") }
        return expression
    }

    private func describe(_ token: FilterToken) -> String {
        switch token {
        case let .word(w): "'\(w.prefix(40))'"
        case let .string(s): "string '\(s.prefix(40))'"
        case let .number(n): "number \(n)"
        case .open: "'('"
        case .close: "')'"
        case .comma: "','"
        }
    }

    private var peek: FilterToken? { index < tokens.count ? tokens[index] : nil }

    private func isKeyword(_ token: FilterToken?, _ word: String) -> Bool {
        if case let .word(w) = token { return w.lowercased() == word }
        return false
    }

    private mutating func descend() throws(FilterExpression.Invalid) {
        depth += 1
        guard depth <= FilterExpression.maxDepth else { throw .init(message: "Invalid $filter: nested too deeply") }
    }

    private mutating func parseOr() throws(FilterExpression.Invalid) -> FilterExpression {
        try descend()
        defer { depth -= 1 }
        var left = try parseAnd()
        while isKeyword(peek, "or") {
            index += 1
            left = .or(left, try parseAnd())
        }
        return left
    }

    private mutating func parseAnd() throws(FilterExpression.Invalid) -> FilterExpression {
        var left = try parseUnary()
        while isKeyword(peek, "and") {
            index += 1
            left = .and(left, try parseUnary())
        }
        return left
    }

    private mutating func parseUnary() throws(FilterExpression.Invalid) -> FilterExpression {
        if isKeyword(peek, "not") {
            index += 1
            try descend()
            defer { depth -= 1 }
            return .not(try parseUnary())
        }
        let left = try parseOperand()
        if case let .word(w)? = peek, Self.comparisons.contains(w.lowercased()) {
            index += 1
            let right = try parseOperand()
            return .compare(w.lowercased(), left, right)
        }
        switch left {
        case .call(let name, _) where Self.predicates.contains(name): return left
        case .and, .or, .not, .compare: return left
        case .literal(.bool): return left
        default:
            if let token = peek { throw .init(message: "Invalid $filter: expected a comparison operator (eq, ne, gt, ge, lt, le), found \(describe(token))") }
            throw .init(message: "Invalid $filter: expected a comparison operator (eq, ne, gt, ge, lt, le) at the end")
        }
    }

    private mutating func parseOperand() throws(FilterExpression.Invalid) -> FilterExpression {
        guard let token = peek else { throw .init(message: "Invalid $filter: expression ends where an operand was expected") }
        switch token {
        case .open:
            index += 1
            let inner = try parseOr()
            guard peek == .close else { throw .init(message: "Invalid $filter: missing ')'") }
            index += 1
            return inner
        case let .string(s):
            index += 1
            return .literal(.string(s))
        case let .number(n):
            index += 1
            return .literal(.number(n))
        case .close, .comma:
            throw .init(message: "Invalid $filter: unexpected \(describe(token)) where an operand was expected")
        case let .word(w):
            index += 1
            let lower = w.lowercased()
            if peek == .open, Self.predicates.contains(lower) || Self.valueFunctions.contains(lower) {
                index += 1
                try descend()
                defer { depth -= 1 }
                var args: [FilterExpression] = []
                if peek != .close {
                    while true {
                        args.append(try parseOperand())
                        if peek == .comma {
                            index += 1
                            continue
                        }
                        break
                    }
                }
                guard peek == .close else { throw .init(message: "Invalid $filter: missing ')' after the arguments of \(lower)") }
                index += 1
                let expected = Self.predicates.contains(lower) ? 2 : 1
                guard args.count == expected else {
                    throw .init(message: "Invalid $filter: \(lower) takes \(expected) argument\(expected == 1 ? "" : "s"), got \(args.count)")
                }
                return .call(lower, args)
            }
            switch lower {
            case "true": return .literal(.bool(true))
            case "false": return .literal(.bool(false))
            case "null": return .literal(.null)
            default: break
            }
            if properties.contains(w) { return .property(w) }
            if lower == "id", properties.contains("Id") { return .property("Id") }
            if Self.comparisons.contains(lower) || ["and", "or", "not"].contains(lower) {
                throw .init(message: "Invalid $filter: unexpected operator '\(w)' where an operand was expected")
            }
            throw .init(message: "Invalid $filter: unknown property '\(w.prefix(60))' (known: \(properties.sorted().joined(separator: ", ")))")
        }
    }
}
