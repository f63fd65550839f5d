/// Decodes `spec.options`: extra WorkflowOptions, typed as written, checked against the service's catalogue when present (cached by `workflows --save`, or live in `check`).
enum ExtraOptions {
    /// Names hookctl generates from `source` and `storage`; setting them in `options` is an error.
    static let generated: Set<String> = [
        "output_storage", "output_s3_access_key", "output_s3_secret_key", "output_s3_path", "output_s3_endpoint_url",
        "source_type", "desp_source_username", "desp_source_password", "desp_source_collection",
        "source_catalogue_api_url", "source_catalogue_api_type", "source_token_url", "source_grant_type",
        "source_auth_header_name", "source_username", "source_password", "source_client_id", "source_client_secret",
        "source_catalogue_collection",
    ]

    static func decode(_ fields: Fields, workflow: WorkflowCatalogue.Workflow?) -> [WorkflowOption]? {
        let sink = fields.context.sink
        let errors = sink.errorCount
        var options: [WorkflowOption] = []
        options.reserveCapacity(fields.pairs.count)
        for pair in fields.pairs {
            let name = pair.name
            guard isOptionName(name) else {
                sink.error(
                    "option.name", "option name `\(name)` is not valid: use letters, digits, `_`, `-` and `.`, starting with a letter", at: pair.keyMark)
                continue
            }
            if generated.contains(name) {
                let from = name.hasPrefix("output_") ? "spec.storage" : "spec.source"
                sink.error("option.generated", "option `\(name)` is generated from `\(from)`; set it there instead", at: pair.keyMark)
                continue
            }
            let secret = DecodeContext.isSecretName(name)
            let value: OptionValue
            switch pair.value.content {
            case .mapping, .sequence:
                if secret { sink.maskSecret(pair.value) }
                sink.error("option.nested", "option `\(name)` must be a string, number or boolean, not \(pair.value.kindName)", at: pair.value.mark)
                continue
            case .scalar:
                switch pair.value.scalarValue {
                case .null?, nil:
                    sink.error("option.null", "option `\(name)` has no value; write a string, number or boolean", at: pair.value.mark)
                    continue
                case .bool(let b)?:
                    if secret { sink.maskSecret(pair.value) }
                    value = .boolean(b)
                case .int(let i)?:
                    if secret { sink.maskSecret(pair.value) }
                    value = .integer(i)
                case .double(let d)?:
                    if secret { sink.maskSecret(pair.value) }
                    guard d.isFinite else {
                        sink.error("option.number", "option `\(name)` must be a finite number", at: pair.value.mark)
                        continue
                    }
                    value = .number(d)
                case .string?:
                    guard let template = fields.context.template(pair.value, path: fields.sub(name), secret: secret) else { continue }
                    value = .string(template)
                }
            }
            if secret, case .string = value {
            } else if secret {
                sink.error(
                    "secret.literal",
                    "`\(fields.sub(name))` is a secret and must be a reference such as `${env:NAME}`, not a literal value (manifests live in version control)",
                    at: pair.value.mark)
                continue
            }
            if let workflow { check(name, value, at: pair, against: workflow, sink: sink) }
            options.append(WorkflowOption(name: name, value: value, isSecret: secret))
        }
        if let workflow, sink.errorCount == errors { warnMissingRequired(options, workflow: workflow, at: fields) }
        return sink.errorCount == errors ? options : nil
    }

    /// The service marks options `Required` that orders routinely omit (HOOK-API 6.2), so only options hookctl does
    /// not generate, without a default, give a warning.
    static func warnMissingRequired(_ options: [WorkflowOption], workflow: WorkflowCatalogue.Workflow, at fields: Fields) {
        let given = Set(options.map(\.name))
        let missing = workflow.options.filter { name, info in
            info.required && !info.hasDefault && !generated.contains(name) && !given.contains(name)
        }.keys.sorted()
        guard !missing.isEmpty else { return }
        let names = missing.map { "`\($0)`" }.joined(separator: ", ")
        fields.context.sink.warning("option.required", "workflow `\(workflow.name)` marks \(names) as required (service catalogue)", at: fields.mark)
    }

    private static func check(_ name: String, _ value: OptionValue, at pair: YAMLPair, against workflow: WorkflowCatalogue.Workflow, sink: ProblemSink) {
        guard let info = workflow.options[name] else {
            let candidates = workflow.options.keys.filter { !generated.contains($0) }.sorted()
            sink.error(
                "option.unknown", "workflow `\(workflow.name)` has no option `\(name)` (service catalogue)\(Suggestion.hint(for: name, in: candidates))",
                at: pair.keyMark)
            return
        }
        let type = info.type?.lowercased() ?? ""
        let ok: Bool
        switch (type, value) {
        case ("str", .string), ("string", .string): ok = true
        case ("str", _), ("string", _): ok = false
        case ("int", .integer), ("integer", .integer): ok = true
        case ("int", _), ("integer", _): ok = false
        case ("float", .number), ("float", .integer), ("number", .number), ("number", .integer): ok = true
        case ("float", _), ("number", _): ok = false
        case ("bool", .boolean), ("boolean", .boolean): ok = true
        case ("bool", _), ("boolean", _): ok = false
        default: ok = true  // enum-like types (CatalogueType, ...) are checked by their allowed values only
        }
        if !ok {
            let quote = type.hasPrefix("str") ? "; quote the value to make it a string" : ""
            sink.error("option.type", "option `\(name)` of workflow `\(workflow.name)` takes type `\(info.type ?? "?")`\(quote)", at: pair.value.mark)
            return
        }
        if !info.allowed.isEmpty, case .string(let template) = value, !template.hasReferences,
            !info.allowed.contains(template.description)
        {
            sink.error("option.value", "option `\(name)` must be one of \(info.allowed.joined(separator: ", "))", at: pair.value.mark)
        }
    }

    static func isOptionName(_ name: String) -> Bool {
        guard let first = name.utf8.first, (first >= 0x41 && first <= 0x5A) || (first >= 0x61 && first <= 0x7A) || first == 0x5F else { return false }
        return name.utf8.count <= 128
            && name.utf8.allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F || $0 == 0x2D || $0 == 0x2E
            }
    }
}
