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
        if !plain { return text }
        if case .string = ScalarValue.resolvePlain(text) { return text }
        return nil
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
    static func resolvePlain(_ text: String) -> ScalarValue {
        let utf8 = text.utf8
        guard let first = utf8.first else { return .null }
        // Fast path: most plain scalars start with a letter that cannot begin a special value.
        let isDigitish = (first >= 0x30 && first <= 0x39) || first == 0x2B || first == 0x2D || first == 0x2E
        if !isDigitish {
            // Only `n`, `N`, `~`, `t`, `T`, `f` and `F` can begin a null or a boolean.
            switch first {
            case UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "~"), UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"): break
            default: return .string(text)
            }
            switch text {
            case "null", "Null", "NULL", "~": return .null
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default: return .string(text)
            }
        }
        if let int = parseInt(text) { return .int(int) }
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .double(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
        case ".nan", ".NaN", ".NAN": return .double(.nan)
        default: break
        }
        if isCoreFloat(utf8), let d = Double(text) { return .double(d) }
        return .string(text)
    }

    /// `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`; nil when not an integer or out of range.
    private static func parseInt(_ text: String) -> Int? {
        if text.hasPrefix("0o") { return Int(text.dropFirst(2), radix: 8) }
        if text.hasPrefix("0x") { return Int(text.dropFirst(2), radix: 16) }
        var digits = text.utf8.dropFirst(0)
        if let f = digits.first, f == 0x2B || f == 0x2D { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text.hasPrefix("+") ? String(text.dropFirst()) : text)
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
    private static func isCoreFloat(_ utf8: String.UTF8View) -> Bool {
        var bytes = utf8[...]
        func digits() -> Int {
            var n = 0
            while let b = bytes.first, b >= 0x30, b <= 0x39 {
                bytes = bytes.dropFirst()
                n += 1
            }
            return n
        }
        if let f = bytes.first, f == 0x2B || f == 0x2D { bytes = bytes.dropFirst() }
        let intDigits = digits()
        var fracDigits = 0
        if bytes.first == 0x2E {
            bytes = bytes.dropFirst()
            fracDigits = digits()
        } else if intDigits == 0 {
            return false
        }
        if intDigits == 0 && fracDigits == 0 { return false }
        if let e = bytes.first, e == 0x65 || e == 0x45 {
            bytes = bytes.dropFirst()
            if let s = bytes.first, s == 0x2B || s == 0x2D { bytes = bytes.dropFirst() }
            if digits() == 0 { return false }
        }
        return bytes.isEmpty
    }
}
