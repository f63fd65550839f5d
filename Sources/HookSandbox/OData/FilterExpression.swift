/// A value a `$filter` compares: a string, a number, a boolean or null.
enum FilterValue: Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    var isString: Bool { if case .string = self { true } else { false } }

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

    /// The literals `property` must equal one of for the expression to hold, when the expression requires that
    /// (`Id eq 5`, `Id eq 5 or Id eq 6`, either inside `and`); nil when any value might match. Lets listings look
    /// the entities up instead of scanning them all (hookctl polls its orders 40 ids to a call).
    func possibleValues(of property: String) -> [FilterValue]? {
        switch self {
        case let .compare("eq", .property(p), .literal(v)) where p == property: [v]
        case let .compare("eq", .literal(v), .property(p)) where p == property: [v]
        case let .and(a, b): a.possibleValues(of: property) ?? b.possibleValues(of: property)
        case let .or(a, b):
            if let left = a.possibleValues(of: property), let right = b.possibleValues(of: property) { left + right } else { nil }
        default: nil
        }
    }

    /// The literals of an expression that is nothing but `property eq literal` clauses joined by `or` (hookctl's
    /// lookups by id or name): an entity matches exactly when its `property` equals one of them, so a listing can
    /// take the entities looked up by these values without evaluating the expression on each. Nil for any other
    /// expression.
    func equalityValues(of property: String) -> [FilterValue]? {
        var values: [FilterValue] = []
        var pending = [self]
        while let next = pending.popLast() {
            switch next {
            case let .compare("eq", .property(p), .literal(v)) where p == property: values.append(v)
            case let .compare("eq", .literal(v), .property(p)) where p == property: values.append(v)
            case let .or(a, b): pending += [b, a]
            default: return nil
            }
        }
        return values
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
