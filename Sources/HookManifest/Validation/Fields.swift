/// A mapping being decoded: looks keys up, reports unknown ones (with a suggestion) and reads typed values, reporting
/// every type problem at the value's position.
struct Fields {
    /// The path of the mapping this one is in (empty at the top), and this one's key in it: the joined `path` is built
    /// only when asked for (messages, nested mappings), not for every mapping decoded.
    private let parentPath: String
    private let key: String
    /// Where the mapping is, as messages name it: `spec.source.auth`.
    var path: String { Self.join(parentPath, key) }

    /// `key` under `path`: `spec` + `source` is `spec.source` (joined, not interpolated: interpolation was slower).
    private static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }
    let pairs: [YAMLPair]
    let context: DecodeContext
    /// Where the mapping starts and ends (kept instead of its node: the pairs are the node's content, and every copy
    /// of a `Fields` would retain them twice).
    let mark: Mark
    let end: Mark

    /// The mapping's node.
    var node: YAMLNode { YAMLNode(content: .mapping(pairs), mark: mark, end: end) }

    /// Nil (after reporting) when `node` is not a mapping.
    init?(_ node: YAMLNode, path: String, context: DecodeContext) { self.init(node, in: "", key: path, context: context) }

    /// The mapping at `key` of the mapping at `parentPath`.
    private init?(_ node: YAMLNode, in parentPath: String, key: String, context: DecodeContext) {
        guard let pairs = node.pairs else {
            let path = Self.join(parentPath, key)
            if case .scalar(_, _) = node.content, node.scalarValue == .null {
                context.sink.error("type.mapping", "`\(path)` is empty; expected a mapping", at: node.mark)
            } else {
                context.sink.error("type.mapping", "`\(path)` must be a mapping, found \(node.kindName)", at: node.mark)
            }
            return nil
        }
        self.mark = node.mark
        self.end = node.end
        self.parentPath = parentPath
        self.key = key
        self.pairs = pairs
        self.context = context
    }

    /// The path of this mapping's `key`.
    func sub(_ key: String) -> String { Self.join(path, key) }

    subscript(_ key: String) -> YAMLPair? { pairs.index(ofKey: key).map { pairs[$0] } }

    func has(_ key: String) -> Bool { self[key] != nil }

    /// Reports keys not in `allowed`; `misplaced` maps a key to the reason it is not allowed here.
    func checkKeys(_ allowed: [String], misplaced: [String: String] = [:]) {
        for index in pairs.indices where !allowed.contains(where: { pairs[index].name.isSameKey(as: $0) }) {
            let pair = pairs[index]
            let suggestion = Suggestion.closest(to: pair.name, in: allowed)
            // A misspelt or misplaced secret field still holds a secret.
            if DecodeContext.isSecretName(pair.name) || suggestion.map(DecodeContext.isSecretName) == true {
                context.sink.maskSecret(pair.value)
            }
            if let reason = misplaced[pair.name] {
                context.sink.error("key.misplaced", "`\(sub(pair.name))` \(reason)", at: pair.keyMark)
                continue
            }
            let hint = suggestion.map { "; did you mean `\($0)`?" } ?? " (allowed: \(allowed.joined(separator: ", ")))"
            context.sink.error("key.unknown", "unknown key `\(pair.name)` in `\(path.isEmpty ? "document" : path)`\(hint)", at: pair.keyMark)
        }
    }

    /// Reports a missing required key at the mapping's start.
    func missing(_ key: String, hint: String = "") {
        // A misspelt key already got "did you mean `key`?"; do not also call `key` missing.
        if pairs.contains(where: { $0.name != key && Suggestion.closest(to: $0.name, in: [key]) == key }) { return }
        context.sink.error("key.missing", "missing required key `\(sub(key))`\(hint)", at: mark)
    }

    /// A plain or quoted string without reference processing.
    func string(_ key: String, required: Bool = false) -> (String, YAMLNode)? {
        guard let pair = self[key] else {
            if required { missing(key) }
            return nil
        }
        guard let text = pair.value.stringValue else {
            context.sink.error("type.string", "`\(sub(key))` must be a string, found \(pair.value.kindName)", at: pair.value.mark)
            return nil
        }
        return (text, pair.value)
    }

    /// A string that may hold references. Secrets must be references only; non-secret references are resolved when
    /// their variables are set.
    func template(_ key: String, required: Bool = false, secret: Bool = false) -> (Template, YAMLNode)? {
        guard let pair = self[key] else {
            if required { missing(key, hint: secret ? " (a reference such as `${env:NAME}`)" : "") }
            return nil
        }
        // The message's path is joined only if needed, from copies of the parts (capturing `self` would copy it).
        let (parentPath, ownKey) = (parentPath, self.key)
        return context.template(pair.value, path: Self.join(Self.join(parentPath, ownKey), key), secret: secret).map { ($0, pair.value) }
    }

    func bool(_ key: String) -> Bool? {
        guard let pair = self[key] else { return nil }
        guard case .bool(let b)? = pair.value.scalarValue else {
            context.sink.error("type.boolean", "`\(sub(key))` must be true or false, found \(pair.value.kindName)", at: pair.value.mark)
            return nil
        }
        return b
    }

    func int(_ key: String) -> (Int, YAMLNode)? {
        guard let pair = self[key] else { return nil }
        guard case .int(let i)? = pair.value.scalarValue else {
            context.sink.error("type.integer", "`\(sub(key))` must be an integer, found \(pair.value.kindName)", at: pair.value.mark)
            return nil
        }
        return (i, pair.value)
    }

    /// One of a fixed set of words, with a suggestion when close.
    func choice(_ key: String, _ allowed: [String], default value: String? = nil) -> String? {
        guard let (text, node) = string(key, required: value == nil) else {
            return self[key] == nil ? value : nil
        }
        guard allowed.contains(text) else {
            let hint = Suggestion.closest(to: text, in: allowed).map { "; did you mean `\($0)`?" } ?? ""
            context.sink.error("value.choice", "`\(sub(key))` must be one of \(allowed.joined(separator: ", ")), found `\(text)`\(hint)", at: node.mark)
            return nil
        }
        return text
    }

    /// A nested mapping.
    func mapping(_ key: String, required: Bool = false) -> Fields? {
        guard let pair = self[key] else {
            if required { missing(key) }
            return nil
        }
        return Fields(pair.value, in: path, key: key, context: context)
    }
}
