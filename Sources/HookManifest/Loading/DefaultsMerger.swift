/// Merges the project's `defaults:` under an order's `spec` (the manifest wins).
enum DefaultsMerger {
    /// Keys whose mappings merge key by key; others are replaced whole by the manifest's value.
    static let deepKeys: Set<String> = ["source", "storage", "options", "wait", "catalogue", "auth"]

    static func merge(_ spec: YAMLNode, under defaults: YAMLNode) -> YAMLNode {
        guard case .mapping(var pairs) = spec.content, case .mapping(let base) = defaults.content else { return spec }
        for pair in base {
            guard let index = pairs.index(ofKey: pair.name) else {
                pairs.append(pair)
                continue
            }
            let mine = pairs[index].value
            guard deepKeys.contains(pair.name), mine.pairs != nil, pair.value.pairs != nil else { continue }
            // A source or storage of another type replaces the default whole: their keys do not mix.
            if pair.name == "source" || pair.name == "storage",
                let a = typeName(of: mine), let b = typeName(of: pair.value), a != b
            {
                continue
            }
            pairs[index].value = mergeMapping(mine, under: pair.value)
        }
        var merged = spec
        merged.content = .mapping(pairs)
        return merged
    }

    private static func mergeMapping(_ node: YAMLNode, under base: YAMLNode) -> YAMLNode {
        guard case .mapping(var pairs) = node.content, case .mapping(let defaults) = base.content else { return node }
        for pair in defaults {
            if let index = pairs.index(ofKey: pair.name) {
                if deepKeys.contains(pair.name), pairs[index].value.pairs != nil, pair.value.pairs != nil {
                    pairs[index].value = mergeMapping(pairs[index].value, under: pair.value)
                }
            } else {
                pairs.append(pair)
            }
        }
        var merged = node
        merged.content = .mapping(pairs)
        return merged
    }

    private static func typeName(of node: YAMLNode) -> String? {
        node.pairs?.value(ofKey: "type")?.stringValue
    }
}
