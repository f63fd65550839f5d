import HookCore

extension YAMLNode {
    /// The node as JSON (mappings keep their order; plain scalars typed by the YAML 1.2 core schema). Non-finite
    /// numbers become strings, since JSON has none. Used to check manifests against the JSON Schema.
    var jsonValue: JSONValue {
        switch content {
        case .mapping(let pairs): return .orderedObject(pairs.map { JSONMember($0.name, $0.value.jsonValue) })
        case .sequence(let items): return .array(items.map(\.jsonValue))
        case .scalar(let text, _):
            switch scalarValue {
            case .null?: return .null
            case .bool(let b)?: return .bool(b)
            case .int(let i)?: return .integer(i)
            case .double(let d)?: return d.isFinite ? .number(d) : .string(text)
            case .string(let s)?: return .string(s)
            case nil: return .string(text)
            }
        }
    }
}

/// Converts every document of a YAML text to JSON with hookctl's own reader (nil on a reading problem).
/// Tools and tests use it to feed manifests to JSON Schema validators.
public func yamlDocumentsAsJSON(_ bytes: [UInt8]) -> [JSONValue]? {
    let result = bytes.withUnsafeBufferPointer { YAMLReader().read($0) }
    guard result.problems.isEmpty else { return nil }
    return result.documents.map { $0.root?.jsonValue ?? .null }
}
