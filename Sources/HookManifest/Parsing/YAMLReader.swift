import CYAML

/// One YAML document of a file: its root node (nil when the document is empty) and where it starts.
struct YAMLDocument: Sendable {
    var root: YAMLNode?
    var start: Mark
}

/// What reading a file gave: the complete documents, and every problem (a fatal one ends the list).
struct YAMLReadResult: Sendable {
    var documents: [YAMLDocument] = []
    var problems: [YAMLProblem] = []
    /// True when reading stopped early (syntax error or a limit); the documents before it are complete.
    var stopped = false
}

/// Builds position-keeping node trees from libyaml's event parser, with hard limits checked event by event.
struct YAMLReader {
    var limits = YAMLLimits()
    var file: Int32 = 0
    private static let emptyInput: UInt8 = 0

    /// A collection being read, or the document around the root; its children move into its node when it ends.
    private struct Frame {
        enum Kind { case document, sequence, mapping }
        var kind: Kind
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        /// The key read last, waiting for its value.
        var pendingKey: (name: String, mark: Mark)?
        /// The pending key was already defined in this mapping (reported when it was read; its value is dropped).
        var pendingKeyIsDuplicate = false
        var index: [String: Int]?
        var start: Mark
        var anchor: String?
        var weight = 1
    }

    /// The 1-based line and column (in scalars) of byte `offset`.
    static func mark(atOffset offset: Int, in bytes: UnsafeBufferPointer<UInt8>, file: Int32) -> Mark {
        let before = bytes[..<min(max(offset, 0), bytes.count)]
        let lineStart = (before.lastIndex(of: 0x0A) ?? -1) + 1
        let line = before.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
        let column = bytes[lineStart..<before.endIndex].reduce(1) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
        return Mark(line: Int32(clamping: line), column: Int32(clamping: column), file: file)
    }

    func read(_ bytes: UnsafeBufferPointer<UInt8>) -> YAMLReadResult {
        var result = YAMLReadResult()
        if bytes.count > limits.maxFileBytes {
            result.problems.append(
                .init(
                    id: "file.too-large", message: "file is larger than the limit of \(limits.maxFileBytes) bytes", mark: Mark(line: 1, column: 1, file: file)))
            result.stopped = true
            return result
        }
        let pre = ByteScanner.problems(in: bytes)
        if !pre.isEmpty {
            result.problems = pre.map {
                var p = $0
                p.mark.file = file
                return p
            }
            result.stopped = true
            return result
        }
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            result.problems.append(
                .init(id: "yaml.memory", message: "cannot start the YAML parser (out of memory)", mark: Mark(line: 1, column: 1, file: file)))
            result.stopped = true
            return result
        }
        defer { yaml_parser_delete(parser) }
        // libyaml needs a pointer even for no input; a static byte serves for empty buffers.
        withUnsafePointer(to: Self.emptyInput) { empty in
            yaml_parser_set_input_string(parser, bytes.baseAddress ?? empty, bytes.baseAddress == nil ? 0 : bytes.count)
        }
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)

        // The innermost open collection is `current` (a local: each node added goes there), the ones around it are in
        // `outer`; at the top, `current` is the document, whose one item is the root.
        var current = Frame(kind: .document, start: Mark(line: 1, column: 1, file: file))
        var outer: [Frame] = []
        outer.reserveCapacity(8)
        var anchors: [String: (node: YAMLNode, weight: Int)] = [:]
        var aliasCount = 0
        var docWeight = 0
        var event = yaml_event_t()

        func mark(_ m: yaml_mark_t) -> Mark { Mark(line: Int32(clamping: m.line + 1), column: Int32(clamping: m.column + 1), file: file) }
        func fail(_ id: String, _ message: String, _ at: Mark) {
            result.problems.append(.init(id: id, message: message, mark: at))
            result.stopped = true
        }

        /// Adds a finished node to the current collection (or makes it the document root). Returns false on a fatal
        /// problem. `node` is consumed: each node is moved into its parent, not copied (a copy retains its text or
        /// children).
        func add(_ node: consuming YAMLNode, weight: Int, anchor: String?) -> Bool {
            if let anchor { anchors[anchor] = (copy node, weight) }
            current.weight += weight
            switch current.kind {
            case .document, .sequence:
                current.items.append(consume node)
                return true
            case .mapping: break
            }
            guard let key = current.pendingKey else {
                guard case .scalar(let name, _) = node.content else {
                    fail("yaml.complex-key", "mapping keys must be plain text, not \(node.kindName)", node.mark)
                    return false
                }
                if let first = current.index != nil ? current.index?[name] : current.pairs.index(ofKey: name) {
                    let firstMark = current.pairs[first].keyMark
                    result.problems.append(
                        .init(
                            id: "yaml.duplicate-key", message: "duplicate key `\(name)` (first defined at line \(firstMark.line), column \(firstMark.column))",
                            mark: node.mark))
                    current.pendingKeyIsDuplicate = true
                }
                current.pendingKey = (name, node.mark)
                return true
            }
            current.pendingKey = nil
            if current.pendingKeyIsDuplicate {
                current.pendingKeyIsDuplicate = false
                return true  // duplicate: reported at the duplicate key, first value kept
            }
            current.pairs.append(YAMLPair(name: key.name, keyMark: key.mark, value: consume node))
            let count = current.pairs.count
            if current.index != nil {
                current.index?[key.name] = count - 1
            } else if count >= 16 {
                var index: [String: Int] = [:]
                for i in 0..<count where index[current.pairs[i].name] == nil { index[current.pairs[i].name] = i }
                current.index = index
            }
            return true
        }

        loop: while true {
            guard yaml_parser_parse(parser, &event) == 1 else {
                let problem = parser.pointee.problem.map { String(cString: $0) } ?? "invalid YAML"
                let context = parser.pointee.context.map { String(cString: $0) }
                var at = mark(parser.pointee.problem_mark)
                // Reader errors (control characters) carry a byte offset, not a mark.
                if parser.pointee.error == YAML_READER_ERROR { at = Self.mark(atOffset: parser.pointee.problem_offset, in: bytes, file: file) }
                fail("yaml.syntax", "YAML syntax error: \(problem)\(context.map { " \($0)" } ?? "")", at)
                break
            }
            defer { yaml_event_delete(&event) }
            let start = mark(event.start_mark)
            switch event.type {
            case YAML_STREAM_END_EVENT:
                break loop
            case YAML_DOCUMENT_START_EVENT:
                current = Frame(kind: .document, start: start)
                docWeight = 0
                anchors.removeAll(keepingCapacity: true)
            case YAML_DOCUMENT_END_EVENT:
                result.documents.append(YAMLDocument(root: current.items.popLast(), start: current.start))
            case YAML_SCALAR_EVENT:
                let s = event.data.scalar
                if s.length > limits.maxScalarBytes {
                    fail("yaml.scalar-too-large", "scalar of \(s.length) bytes; the limit is \(limits.maxScalarBytes) bytes", start)
                    break loop
                }
                let text = s.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: s.length), as: UTF8.self) } ?? ""
                var plain = s.style == YAML_PLAIN_SCALAR_STYLE
                if let tag = s.tag {
                    let tagText = String(cString: tag)
                    if tagText == "tag:yaml.org,2002:str" || tagText == "!" {
                        plain = false
                    } else {
                        fail("yaml.tag", "YAML tag `\(tagText)` is not supported (only `!!str`)", start)
                        break loop
                    }
                }
                docWeight += 1
                let node = YAMLNode(content: .scalar(text, plain: plain), mark: start, end: mark(event.end_mark))
                let anchor = s.anchor.map { String(cString: $0) }
                if !add(node, weight: 1, anchor: anchor) { break loop }
            case YAML_ALIAS_EVENT:
                aliasCount += 1
                let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
                guard aliasCount <= limits.maxAliases else {
                    fail("yaml.alias-limit", "more than \(limits.maxAliases) aliases in one file (alias bomb protection)", start)
                    break loop
                }
                guard let target = anchors[name] else {
                    fail("yaml.unknown-alias", "unknown alias `*\(name)`", start)
                    break loop
                }
                docWeight += target.weight
                guard docWeight <= limits.maxNodes else {
                    fail("yaml.alias-bomb", "alias `*\(name)` expands the document beyond \(limits.maxNodes) nodes (alias bomb protection)", start)
                    break loop
                }
                var node = target.node
                node.mark = start
                node.end = mark(event.end_mark)
                if !add(node, weight: target.weight, anchor: nil) { break loop }
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let isMapping = event.type == YAML_MAPPING_START_EVENT
                let tagPointer = isMapping ? event.data.mapping_start.tag : event.data.sequence_start.tag
                if let tagPointer {
                    fail("yaml.tag", "YAML tag `\(String(cString: tagPointer))` is not supported", start)
                    break loop
                }
                guard outer.count < limits.maxDepth else {
                    fail("yaml.too-deep", "nesting deeper than \(limits.maxDepth) levels", start)
                    break loop
                }
                docWeight += 1
                guard docWeight <= limits.maxNodes else {
                    fail("yaml.too-many-nodes", "document has more than \(limits.maxNodes) nodes", start)
                    break loop
                }
                let anchorPointer = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
                var frame = Frame(kind: isMapping ? .mapping : .sequence, start: start, anchor: anchorPointer.map { String(cString: $0) })
                // Room for a manifest's usual mapping or list at once, instead of growing by doubling from one.
                if isMapping { frame.pairs.reserveCapacity(8) } else { frame.items.reserveCapacity(8) }
                swap(&frame, &current)
                outer.append(consume frame)
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard var frame = outer.popLast() else { break }
                swap(&frame, &current)  // `frame` is the collection that ends, `current` its parent again
                // The children move out of the frame (a copy would retain them, and freeing the frame would release them).
                var content: YAMLNode.Content = .sequence([])
                if frame.kind == .mapping {
                    var pairs: [YAMLPair] = []
                    swap(&pairs, &frame.pairs)
                    content = .mapping(pairs)
                } else {
                    var items: [YAMLNode] = []
                    swap(&items, &frame.items)
                    content = .sequence(items)
                }
                let node = YAMLNode(content: content, mark: frame.start, end: mark(event.end_mark))
                if !add(node, weight: frame.weight, anchor: frame.anchor) { break loop }
            default:
                break
            }
        }
        return result
    }
}
