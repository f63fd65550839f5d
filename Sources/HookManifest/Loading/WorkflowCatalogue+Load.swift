extension WorkflowCatalogue {
    /// Reads the service's answer to `GET Workflows?$expand=WorkflowOptions` (`{"value": [...]}`) as cached by
    /// `hookctl workflows --save`. JSON is read with the same bounded YAML reader. Nil when it is not that shape.
    static func parse(_ bytes: [UInt8]) -> WorkflowCatalogue? {
        let result = bytes.withUnsafeBufferPointer { YAMLReader().read($0) }
        guard result.problems.isEmpty, let root = result.documents.first?.root?.pairs,
            case .sequence(let items)? = root.value(ofKey: "value")?.content
        else { return nil }
        var workflows: [String: Workflow] = [:]
        for item in items {
            guard let fields = item.pairs, let name = fields.value(ofKey: "Name")?.stringValue else { continue }
            var options: [String: OptionInfo] = [:]
            if case .sequence(let list)? = fields.value(ofKey: "WorkflowOptions")?.content {
                for option in list {
                    guard let o = option.pairs, let optionName = o.value(ofKey: "Name")?.stringValue else { continue }
                    let type = o.value(ofKey: "Type")?.stringValue
                    var allowed: [String] = []
                    if case .sequence(let values)? = o.value(ofKey: "Value")?.content {
                        for value in values {
                            if let text = value.stringValue {
                                allowed.append(text)
                            } else if let text = value.pairs?.value(ofKey: "value")?.stringValue {
                                allowed.append(text)
                            }
                        }
                    }
                    let required: Bool = { if case .bool(let b)? = o.value(ofKey: "Required")?.scalarValue { b } else { false } }()
                    let defaultNode = o.value(ofKey: "Default")
                    let hasDefault = defaultNode.map { $0.scalarValue != .null } ?? false
                    options[optionName] = OptionInfo(type: type, allowed: allowed, required: required, hasDefault: hasDefault)
                }
            }
            workflows[name] = Workflow(name: name, options: options)
        }
        return WorkflowCatalogue(workflows: workflows)
    }
}
