extension WorkflowCatalogue {
    /// Reads the service's answer to `GET Workflows?$expand=WorkflowOptions` (`{"value": [...]}`) as cached by
    /// `hookctl workflows --save`. JSON is read with the same bounded YAML reader. Nil when it is not that shape.
    static func parse(_ bytes: [UInt8]) -> WorkflowCatalogue? {
        let result = bytes.withUnsafeBufferPointer { YAMLReader().read($0) }
        guard result.problems.isEmpty, let root = result.documents.first?.root?.pairs,
            case .sequence(let items)? = root.first(where: { $0.name == "value" })?.value.content
        else { return nil }
        var workflows: [String: Workflow] = [:]
        for item in items {
            guard let fields = item.pairs, let name = fields.first(where: { $0.name == "Name" })?.value.stringValue else { continue }
            var options: [String: OptionInfo] = [:]
            if case .sequence(let list)? = fields.first(where: { $0.name == "WorkflowOptions" })?.value.content {
                for option in list {
                    guard let o = option.pairs, let optionName = o.first(where: { $0.name == "Name" })?.value.stringValue else { continue }
                    let type = o.first { $0.name == "Type" }?.value.stringValue
                    var allowed: [String] = []
                    if case .sequence(let values)? = o.first(where: { $0.name == "Value" })?.value.content {
                        for value in values {
                            if let text = value.stringValue {
                                allowed.append(text)
                            } else if let text = value.pairs?.first(where: { $0.name == "value" })?.value.stringValue {
                                allowed.append(text)
                            }
                        }
                    }
                    let required: Bool = { if case .bool(let b)? = o.first(where: { $0.name == "Required" })?.value.scalarValue { b } else { false } }()
                    let defaultNode = o.first { $0.name == "Default" }?.value
                    let hasDefault = defaultNode.map { $0.scalarValue != .null } ?? false
                    options[optionName] = OptionInfo(type: type, allowed: allowed, required: required, hasDefault: hasDefault)
                }
            }
            workflows[name] = Workflow(name: name, options: options)
        }
        return WorkflowCatalogue(workflows: workflows)
    }
}
