import HookCore

/// How the sandbox reads and writes HookCore's `JSONValue`: answers are built as `orderedObject`s, in the real
/// service's key order, and written compactly as FastAPI writes them.
extension JSONValue {
    /// An object whose keys are written in the given order.
    static func ordered(_ pairs: [(String, JSONValue)]) -> JSONValue { .orderedObject(pairs.map { JSONMember($0.0, $0.1) }) }

    static func string(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
    static func integer(_ value: Int?) -> JSONValue { value.map { .integer($0) } ?? .null }

    subscript(key: String) -> JSONValue? {
        switch self {
        case .object(let fields): fields[key]
        case .orderedObject(let members): members.first { $0.key == key }?.value
        default: nil
        }
    }

    var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var intValue: Int? {
        if case .integer(let i) = self { return i }
        return nil
    }

    var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// Whether it is an object (read or built).
    var isObject: Bool {
        switch self {
        case .object, .orderedObject: true
        default: false
        }
    }

    /// The Python type name pydantic would report, for validation messages.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .integer: "int"
        case .number: "float"
        case .string: "str"
        case .array: "list"
        case .object, .orderedObject: "dict"
        }
    }

    /// Compact JSON, as FastAPI writes it: no spaces, no final newline.
    var compactBytes: [UInt8] { Array(CanonicalJSON.line(self).dropLast()) }
}
