import HookCore

/// One entry of a FastAPI 422 body: `{"loc": [...], "msg": "...", "type": "..."}`.
struct ValidationIssue: Sendable, Equatable {
    enum Location: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    var loc: [Location]
    var msg: String
    var type: String
    var ctx: JSONValue? = nil

    static func == (lhs: ValidationIssue, rhs: ValidationIssue) -> Bool {
        lhs.loc == rhs.loc && lhs.msg == rhs.msg && lhs.type == rhs.type
    }

    var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            (
                "loc",
                .array(
                    loc.map {
                        switch $0 {
                        case let .key(k): .string(k)
                        case let .index(i): .integer(i)
                        }
                    })
            ),
            ("msg", .string(msg)), ("type", .string(type)),
        ]
        if let ctx { pairs.append(("ctx", ctx)) }
        return .ordered(pairs)
    }

    static func body(_ issues: [ValidationIssue]) -> JSONValue { .ordered([("detail", .array(issues.map(\.json)))]) }

    static func missing(_ loc: [Location]) -> ValidationIssue { .init(loc: loc, msg: "field required", type: "value_error.missing") }
}
