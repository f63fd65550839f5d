/// One token of an HTML or XML document, as ``MarkupScanner`` finds it.
package enum MarkupToken: Sendable, Equatable {
    /// `<name attr="value" ...>`; `name` and attribute names are as written; values are entity-decoded.
    case startTag(name: String, attributes: [MarkupAttribute], selfClosing: Bool)
    /// `</name>`.
    case endTag(name: String)
    /// Character data between tags, entity-decoded (CDATA sections verbatim).
    case text(String)
}

/// One attribute of a start tag; a value-less attribute has the empty string as value.
package struct MarkupAttribute: Sendable, Equatable {
    package var name: String
    package var value: String
    package init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

extension MarkupToken {
    /// The value of the first attribute whose name matches case-insensitively, if this is a start tag.
    package func attribute(_ name: String) -> String? {
        guard case let .startTag(_, attributes, _) = self else { return nil }
        let wanted = name.lowercased()
        return attributes.first { $0.name.lowercased() == wanted }?.value
    }

    /// The lower-cased tag name of a start or end tag.
    package var tagName: String? {
        switch self {
        case let .startTag(name, _, _), let .endTag(name): name.lowercased()
        case .text: nil
        }
    }
}

/// A small, tolerant tokenizer for HTML pages and XML documents: tags with attributes, text, comments, CDATA.
///
/// It never fails: anything it cannot read as markup becomes text, and an unterminated construct ends the input.
/// It does not build a tree or validate nesting; callers look for the tokens they need.
package struct MarkupScanner: Sendable {
    private let bytes: [UInt8]
    private let rawTextElements: Set<String>

    /// - Parameters:
    ///   - text: the document.
    ///   - rawTextElements: lower-case names of elements whose content is not markup (`script`, `style` in HTML).
    package init(_ text: String, rawTextElements: Set<String> = []) {
        self.bytes = Array(text.utf8)
        self.rawTextElements = rawTextElements
    }

    /// The tokens of an HTML page (`script` and `style` content kept as text).
    package static func html(_ text: String) -> [MarkupToken] {
        MarkupScanner(text, rawTextElements: ["script", "style", "textarea", "title"]).tokens()
    }

    /// All tokens, in document order.
    package func tokens() -> [MarkupToken] {
        var tokens: [MarkupToken] = []
        var index = 0
        var textStart = 0
        func flushText(upTo end: Int) {
            if end > textStart {
                tokens.append(.text(MarkupEntities.decode(String(decoding: bytes[textStart..<end], as: UTF8.self))))
            }
        }
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "<") else {
                index += 1
                continue
            }
            if hasPrefix("<!--", at: index) {
                flushText(upTo: index)
                index = find("-->", from: index + 4).map { $0 + 3 } ?? bytes.count
                textStart = index
            } else if hasPrefix("<![CDATA[", at: index) {
                flushText(upTo: index)
                let end = find("]]>", from: index + 9) ?? bytes.count
                tokens.append(.text(String(decoding: bytes[(index + 9)..<end], as: UTF8.self)))
                index = min(bytes.count, end + 3)
                textStart = index
            } else if hasPrefix("<!", at: index) || hasPrefix("<?", at: index) {
                flushText(upTo: index)
                index = find(">", from: index + 2).map { $0 + 1 } ?? bytes.count
                textStart = index
            } else if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "/"), index + 2 < bytes.count,
                isNameStart(bytes[index + 2])
            {
                flushText(upTo: index)
                let (name, nameEnd) = readName(from: index + 2)
                index = find(">", from: nameEnd).map { $0 + 1 } ?? bytes.count
                tokens.append(.endTag(name: name))
                textStart = index
            } else if index + 1 < bytes.count, isNameStart(bytes[index + 1]) {
                flushText(upTo: index)
                let (token, end) = readStartTag(from: index + 1)
                tokens.append(token)
                index = end
                textStart = index
                if case let .startTag(name, _, selfClosing) = token, !selfClosing,
                    rawTextElements.contains(name.lowercased())
                {
                    let close = findCaseInsensitive("</\(name.lowercased())", from: index) ?? bytes.count
                    if close > index {
                        tokens.append(.text(String(decoding: bytes[index..<close], as: UTF8.self)))
                    }
                    index = close
                    textStart = index
                }
            } else {
                index += 1
            }
        }
        flushText(upTo: bytes.count)
        return tokens
    }

    private func readStartTag(from start: Int) -> (MarkupToken, Int) {
        let (name, nameEnd) = readName(from: start)
        var attributes: [MarkupAttribute] = []
        var index = nameEnd
        var selfClosing = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: ">") {
                return (.startTag(name: name, attributes: attributes, selfClosing: selfClosing), index + 1)
            }
            if byte == UInt8(ascii: "/") {
                selfClosing = true
                index += 1
                continue
            }
            if isSpace(byte) {
                index += 1
                continue
            }
            selfClosing = false
            // An attribute name runs to a blank, `=`, `>` or `/`.
            let attributeStart = index
            while index < bytes.count, !isSpace(bytes[index]), bytes[index] != UInt8(ascii: "="),
                bytes[index] != UInt8(ascii: ">"), bytes[index] != UInt8(ascii: "/")
            {
                index += 1
            }
            let attributeName = String(decoding: bytes[attributeStart..<index], as: UTF8.self)
            while index < bytes.count, isSpace(bytes[index]) { index += 1 }
            var value = ""
            if index < bytes.count, bytes[index] == UInt8(ascii: "=") {
                index += 1
                while index < bytes.count, isSpace(bytes[index]) { index += 1 }
                if index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") {
                    let quote = bytes[index]
                    let valueStart = index + 1
                    var valueEnd = valueStart
                    while valueEnd < bytes.count, bytes[valueEnd] != quote { valueEnd += 1 }
                    value = String(decoding: bytes[valueStart..<valueEnd], as: UTF8.self)
                    index = min(bytes.count, valueEnd + 1)
                } else {
                    let valueStart = index
                    while index < bytes.count, !isSpace(bytes[index]), bytes[index] != UInt8(ascii: ">") { index += 1 }
                    value = String(decoding: bytes[valueStart..<index], as: UTF8.self)
                }
            }
            if !attributeName.isEmpty {
                attributes.append(MarkupAttribute(name: attributeName, value: MarkupEntities.decode(value)))
            }
        }
        return (.startTag(name: name, attributes: attributes, selfClosing: selfClosing), bytes.count)
    }

    private func readName(from start: Int) -> (String, Int) {
        var end = start
        while end < bytes.count, !isSpace(bytes[end]), bytes[end] != UInt8(ascii: ">"), bytes[end] != UInt8(ascii: "/") {
            end += 1
        }
        return (String(decoding: bytes[start..<end], as: UTF8.self), end)
    }

    private func isNameStart(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || byte >= 0x80
    }

    private func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C
    }

    private func hasPrefix(_ prefix: String, at index: Int) -> Bool {
        let pattern = Array(prefix.utf8)
        guard index + pattern.count <= bytes.count else { return false }
        for offset in 0..<pattern.count where bytes[index + offset] != pattern[offset] { return false }
        return true
    }

    private func find(_ needle: String, from start: Int) -> Int? {
        var index = start
        while index < bytes.count {
            if hasPrefix(needle, at: index) { return index }
            index += 1
        }
        return nil
    }

    private func findCaseInsensitive(_ needle: String, from start: Int) -> Int? {
        let pattern = Array(needle.lowercased().utf8)
        var index = start
        while index + pattern.count <= bytes.count {
            var matches = true
            for offset in 0..<pattern.count {
                var byte = bytes[index + offset]
                if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte += 32 }
                if byte != pattern[offset] {
                    matches = false
                    break
                }
            }
            if matches { return index }
            index += 1
        }
        return nil
    }
}
