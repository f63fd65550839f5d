/// What the decoders of one file share: the problem sink, the environment and the project.
final class DecodeContext {
    let sink: ProblemSink
    let environment: [String: String]
    /// Whether unset variables are warned about (not for profiles: only the runner needs their values).
    let warnUnset: Bool

    init(sink: ProblemSink, environment: [String: String], warnUnset: Bool = true) {
        self.sink = sink
        self.environment = environment
        self.warnUnset = warnUnset
    }

    /// True for names that hold secrets: passwords, secret keys, access keys, client secrets, tokens, one-time passwords.
    static func isSecretName(_ name: String) -> Bool {
        // On the bytes, in place: this runs for every option of every manifest.
        name.utf8.withContiguousStorageIfAvailable(isSecretWord) ?? Array(name.utf8).withUnsafeBufferPointer(isSecretWord)
    }

    /// `isSecretName` on the name's bytes, compared lowercased and with `-` as `_`. One pass: a word is compared only
    /// where its first letter is.
    private static func isSecretWord(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        func folded(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b + 32 : b == 0x2D ? 0x5F : b }
        func has(_ word: StaticString, at start: Int) -> Bool {
            let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            guard start >= 0, bytes.count - start >= w.count else { return false }
            for k in 0..<w.count where folded(bytes[start + k]) != w[k] { return false }
            return true
        }
        for start in bytes.indices {
            switch folded(bytes[start]) {
            case UInt8(ascii: "p"): if has("password", at: start) { return true }
            case UInt8(ascii: "s"): if has("secret", at: start) { return true }
            case UInt8(ascii: "a"): if has("accesskey", at: start) || has("access_key", at: start) { return true }
            default: continue
            }
        }
        let count = bytes.count
        if has("token", at: count - 5) && (count == 5 || has("_token", at: count - 6)) { return true }
        if has("otp", at: count - 3) && (count == 3 || has("_otp", at: count - 4)) { return true }
        return false
    }

    /// Parses a string value with references, reporting malformed references at their column, non-empty literal
    /// secrets (masked), and unset variables (warning). Non-secret references with set variables come back resolved.
    func template(_ node: YAMLNode, path: @autoclosure () -> String, secret: Bool) -> Template? {
        guard let text = node.stringValue else {
            if secret { sink.maskSecret(node) }
            sink.error("type.string", "`\(path())` must be a string, found \(secret ? "a literal value" : node.kindName)", at: node.mark)
            return nil
        }
        let parsed: Template
        switch TemplateParser.parse(text) {
        case .failure(let failure):
            if secret { sink.maskSecret(node) }
            var at = node.mark
            if node.mark.line == node.end.line {
                let quote: Int32 = { if case .scalar(_, let plain) = node.content, !plain { 1 } else { 0 } }()
                at.column += quote + Int32(clamping: failure.offset)
            }
            sink.error("reference.malformed", "`\(path())`: \(failure.message)", at: at)
            return nil
        case .success(let template): parsed = template
        }
        // An explicit empty value reveals nothing (SPEC: source_client_secret may be empty), so only non-empty
        // literals are refused.
        if secret && !text.isEmpty && !parsed.isReferenceOnly {
            sink.maskSecret(node)
            sink.error(
                "secret.literal",
                "`\(path())` is a secret and must be a reference such as `${env:NAME}`, not a literal value (manifests live in version control)", at: node.mark)
            return nil
        }
        // A default is written in the file too: only an empty one (`${env:X:-}`) keeps a secret out of it.
        let defaulted =
            parsed.hasReferences
            && parsed.parts.contains { part in
                if case .reference(_, let value?) = part { !value.isEmpty } else { false }
            }
        if secret && defaulted {
            sink.maskSecret(node)
            sink.error(
                "secret.literal",
                "`\(path())` is a secret: its reference may not carry a default value, which would be a literal secret in version control (write `${env:NAME}`, or `${env:NAME:-}` for an empty one)",
                at: node.mark)
            return nil
        }
        // Literal text (the usual case) needs no resolving, and no path for a message.
        guard parsed.hasReferences else { return parsed }
        return resolving(parsed, at: node.mark, path: warnsUnset ? path() : "", secret: secret)
    }

    /// A non-secret string that is not a YAML scalar of its own (a line of an identifiers file) starting at `mark`,
    /// checked and resolved like `template(_:path:secret:)`.
    func template(_ text: String, at mark: Mark, path: @autoclosure () -> String) -> Template? {
        switch TemplateParser.parse(text) {
        case .failure(let failure):
            var at = mark
            at.column += Int32(clamping: failure.offset)
            sink.error("reference.malformed", "`\(path())`: \(failure.message)", at: at)
            return nil
        case .success(let parsed): return parsed.hasReferences ? resolving(parsed, at: mark, path: warnsUnset ? path() : "", secret: false) : parsed
        }
    }

    /// Whether unset variables get a warning: when not, no path is built for one (paths are built strings, and every
    /// secret of every manifest is a reference).
    private var warnsUnset: Bool { warnUnset && sink.keepsWarnings }

    /// Warns about unset variables (`path` names the value; unused unless `warnsUnset`); a non-secret template whose
    /// variables are all set comes back resolved.
    private func resolving(_ parsed: Template, at mark: Mark, path: String, secret: Bool) -> Template {
        guard parsed.hasReferences else { return parsed }
        let unset = parsed.unsetVariables(in: environment)
        if warnsUnset, !unset.isEmpty {  // no message built for a warning the sink drops
            let names = unset.map { "`\($0)`" }.joined(separator: ", ")
            sink.warning("reference.unset", "`\(path)`: variable\(unset.count == 1 ? "" : "s") \(names) not set; shown as the reference", at: mark)
        }
        if !secret, unset.isEmpty, case .success(let value) = parsed.resolve(in: environment) { return Template(resolved: value, from: parsed) }
        return parsed
    }

    /// A non-secret template with its references resolved when every variable is set (or has a default).
    func resolvedIfSet(_ template: Template) -> Template {
        guard template.hasReferences, case .success(let value) = template.resolve(in: environment) else { return template }
        return Template(resolved: value, from: template)
    }
}
