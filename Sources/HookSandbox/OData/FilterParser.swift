/// Recursive-descent parser of `$filter` (precedence: `or` < `and` < `not` < comparison), bounded in depth.
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
