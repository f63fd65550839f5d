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
        let n = name.lowercased().replacingAll("-", "_")
        if n.contains("password") || n.contains("secret") || n.contains("accesskey") || n.contains("access_key") { return true }
        if n == "token" || n.hasSuffix("_token") || n == "otp" || n.hasSuffix("_otp") { return true }
        return false
    }

    /// Parses a string value with references, reporting malformed references at their column, literal secrets
    /// (masked), and unset variables (warning). Non-secret references with set variables come back resolved.
    func template(_ node: YAMLNode, path: String, secret: Bool) -> Template? {
        guard let text = node.stringValue else {
            if secret { sink.maskSecret(node) }
            sink.error("type.string", "`\(path)` must be a string, found \(secret ? "a literal value" : node.kindName)", at: node.mark)
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
            sink.error("reference.malformed", "`\(path)`: \(failure.message)", at: at)
            return nil
        case .success(let template): parsed = template
        }
        if secret && !parsed.isReferenceOnly {
            sink.maskSecret(node)
            sink.error("secret.literal", "`\(path)` is a secret and must be a reference such as `${env:NAME}`, not a literal value (manifests live in version control)", at: node.mark)
            return nil
        }
        guard parsed.hasReferences else { return parsed }
        let unset = parsed.unsetVariables(in: environment)
        if warnUnset, !unset.isEmpty {
            let names = unset.map { "`\($0)`" }.joined(separator: ", ")
            sink.warning("reference.unset", "`\(path)`: variable\(unset.count == 1 ? "" : "s") \(names) not set; shown as the reference", at: node.mark)
        }
        if !secret, unset.isEmpty, case .success(let value) = parsed.resolve(in: environment) { return Template(literal: value) }
        return parsed
    }
}
