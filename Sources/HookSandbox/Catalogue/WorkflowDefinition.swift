import HookCore

/// One option a workflow accepts, as `GET Workflows?$expand=WorkflowOptions` shows it (HOOK-API 3.2).
struct WorkflowOptionSpec: Sendable {
    enum ValueType: String, Sendable { case str, int, float, bool }

    var name: String
    var description: String
    var type: ValueType
    var defaultValue: JSONValue = .null
    var allowed: [String]? = nil
    /// As the catalogue shows it; the real service enforces it conditionally (see `OrderValidator`).
    var required: Bool = true

    var json: JSONValue {
        .ordered([
            ("Name", .string(name)), ("Description", .string(description)), ("Type", .string(type.rawValue)),
            ("Default", defaultValue),
            ("Value", allowed.map { .array($0.map { .ordered([("value", .string($0)), ("condition", .null)]) }) } ?? .null),
            ("Required", .bool(required)),
        ])
    }
}

/// A workflow of the catalogue (HOOK-API 6.1) and how the sandbox runs it.
struct WorkflowDefinition: Sendable {
    enum Kind: Sendable {
        /// `data-harvest`: copies products from a DESP or EXTERNAL source.
        case harvest
        /// A processing hook fed from DESP: inputs must exist in the catalogue with one of these product types.
        case processing(productTypes: Set<String>)
        /// A hook that takes any identifier (input types `*` or none): nothing is looked up.
        case anyInput
    }

    var id: Int
    var name: String
    var displayName: String
    var documentation: String?
    var description: String?
    var inputProductType: String?
    var inputProductTypes: [String]
    var outputProductType: String?
    var outputProductTypes: [String]
    var version: String
    var customInputSource: Bool
    var inputProductStatusOffline: Bool = false
    var options: [WorkflowOptionSpec]
    var kind: Kind

    func option(_ name: String) -> WorkflowOptionSpec? { options.first { $0.name == name } }

    /// The entity of `GET Workflows`; `WorkflowOptions` only when expanded, inserted after `WorkflowVersion`.
    func json(expandOptions: Bool) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("Id", .string(String(id))), ("Uuid", .null), ("Name", .string(name)), ("DisplayName", .string(displayName)),
            ("Documentation", .string(documentation)), ("Description", .string(description)),
            ("InputProductType", .string(inputProductType)), ("InputProductTypes", .array(inputProductTypes.map { .string($0) })),
            ("OutputProductType", .string(outputProductType)),
            ("OutputProductTypes", .array(outputProductTypes.map { .string($0) })), ("WorkflowVersion", .string(version)),
        ]
        if expandOptions { pairs.append(("WorkflowOptions", .array(options.map(\.json)))) }
        pairs.append(("CustomInputSource", .bool(customInputSource)))
        pairs.append(("InputProductStatusOffline", .bool(inputProductStatusOffline)))
        return .ordered(pairs)
    }
}
