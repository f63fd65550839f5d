/// A 1-based position inside one of the files being read (`file` indexes the loader's file table).
struct Mark: Hashable, Sendable {
    var line: Int32
    var column: Int32
    var file: Int32 = 0
}

/// A YAML node that keeps where it came from: the tree every rule reads, so every diagnostic has an exact position.
struct YAMLNode: Sendable {
    enum Content: Sendable {
        /// The scalar's text and whether it was written plain (unquoted, untagged): only plain scalars are resolved
        /// to null, booleans and numbers (YAML 1.2 core schema).
        case scalar(String, plain: Bool)
        case mapping([YAMLPair])
        case sequence([YAMLNode])
    }

    var content: Content
    /// Start of the node.
    var mark: Mark
    /// End of the node (exclusive), used to mask secret values in quoted lines.
    var end: Mark

    var kindName: String {
        switch content {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar:
            switch scalarValue {
            case .null: return "null"
            case .bool: return "a boolean"
            case .int: return "an integer"
            case .double: return "a number"
            case .string, nil: return "a string"
            }
        }
    }

    var pairs: [YAMLPair]? {
        if case .mapping(let p) = content { return p }
        return nil
    }

    /// The resolved scalar, or nil for collections.
    var scalarValue: ScalarValue? {
        guard case .scalar(let text, let plain) = content else { return nil }
        return plain ? ScalarValue.resolvePlain(text) : .string(text)
    }

    /// The text of a scalar that resolves to a string, or nil.
    var stringValue: String? {
        guard case .scalar(let text, let plain) = content else { return nil }
        return !plain || ScalarValue.nonString(text) == nil ? text : nil
    }

    /// Same node with every mark moved to another file index (used for the project's `defaults`).
    func relocated(toFile file: Int32) -> YAMLNode {
        var node = self
        node.mark.file = file
        node.end.file = file
        switch content {
        case .scalar: break
        case .sequence(let items): node.content = .sequence(items.map { $0.relocated(toFile: file) })
        case .mapping(let pairs):
            node.content = .mapping(
                pairs.map { pair in
                    var keyMark = pair.keyMark
                    keyMark.file = file
                    return YAMLPair(name: pair.name, keyMark: keyMark, value: pair.value.relocated(toFile: file))
                })
        }
        return node
    }
}

/// One key and value of a mapping, in document order. Keys are always scalars (the reader refuses others), so the
/// key is kept as its text and position, not as a node: pairs are copied often.
struct YAMLPair: Sendable {
    /// The key's text.
    let name: String
    /// Where the key starts.
    var keyMark: Mark
    var value: YAMLNode
}

extension [YAMLPair] {
    /// Where the pair with key `name` is. By index on purpose: `firstIndex(where:)` would copy every pair it passes
    /// (a retain and a release per reference), and this runs for every key the decoder looks up.
    func index(ofKey name: String) -> Int? {
        for index in indices where self[index].name.isSameKey(as: name) { return index }
        return nil
    }

    /// The value of key `name`, if the mapping has it.
    func value(ofKey name: String) -> YAMLNode? { index(ofKey: name).map { self[$0].value } }
}

extension String {
    /// `self == key`, comparing lengths first: keys differ in length more often than not, and the length is at hand.
    /// (`==`, not bytes: the reader's key index for large mappings is a dictionary, which compares the same way.)
    @inline(__always) func isSameKey(as key: String) -> Bool { utf8.count == key.utf8.count && self == key }
}

/// A scalar resolved with the YAML 1.2 core schema.
enum ScalarValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)

    /// Resolves a plain scalar: `null`/`~`/empty, `true`/`false`, integers (decimal, `0o`, `0x`), floats.
    static func resolvePlain(_ text: String) -> ScalarValue { nonString(text) ?? .string(text) }

    /// What a plain scalar resolves to when that is not a string; nil when it is one (asking builds no string value,
    /// which would retain and release the text).
    static func nonString(_ text: String) -> ScalarValue? {
        // On the bytes (in place for native strings): this runs for every plain value of every manifest.
        if let value = text.utf8.withContiguousStorageIfAvailable({ nonString(text, $0) }) { return value }
        return Array(text.utf8).withUnsafeBufferPointer { nonString(text, $0) }
    }

    private static func nonString(_ text: String, _ bytes: UnsafeBufferPointer<UInt8>) -> ScalarValue? {
        guard let first = bytes.first else { return .null }
        switch first {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."): break
        case UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "~"), UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"):
            // Only these can begin a null or a boolean, all of 1, 4 or 5 bytes.
            guard bytes.count == 1 || bytes.count == 4 || bytes.count == 5 else { return nil }
            switch text {
            case "null", "Null", "NULL", "~": return .null
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default: return nil
            }
        default: return nil  // most plain scalars: a letter that begins no special value
        }
        if let int = parseInt(text, bytes) { return .int(int) }
        if first == UInt8(ascii: ".") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-"), bytes.count == 4 || bytes.count == 5 {
            // `.inf`, `+.inf`, `-.inf`, `.nan` and their capitalised forms
            switch text {
            case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .double(.infinity)
            case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
            case ".nan", ".NaN", ".NAN": return .double(.nan)
            default: break
            }
        }
        if isCoreFloat(bytes), let d = Double(text) { return .double(d) }
        return nil
    }

    /// `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`; nil when not an integer or out of range.
    private static func parseInt(_ text: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        if bytes.count >= 2, bytes[0] == UInt8(ascii: "0") {
            if bytes[1] == UInt8(ascii: "o") { return Int(text.dropFirst(2), radix: 8) }
            if bytes[1] == UInt8(ascii: "x") { return Int(text.dropFirst(2), radix: 16) }
        }
        var index = 0
        let negative = bytes[0] == UInt8(ascii: "-")
        if negative || bytes[0] == UInt8(ascii: "+") { index = 1 }
        guard index < bytes.count else { return nil }
        // Accumulated as a negative number, whose range reaches `Int.min`.
        var value = 0
        while index < bytes.count {
            let digit = Int(bytes[index]) - 0x30
            guard digit >= 0, digit <= 9 else { return nil }
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowB) = shifted.subtractingReportingOverflow(digit)
            if overflowA || overflowB { return nil }
            value = next
            index += 1
        }
        if negative { return value }
        return value == Int.min ? nil : -value
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
    private static func isCoreFloat(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        func skipSign() { if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 } }
        func digits() -> Int {
            let start = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
            return index - start
        }
        skipSign()
        let intDigits = digits()
        var fracDigits = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            fracDigits = digits()
        } else if intDigits == 0 {
            return false
        }
        if intDigits == 0 && fracDigits == 0 { return false }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            skipSign()
            if digits() == 0 { return false }
        }
        return index == bytes.count
    }
}
