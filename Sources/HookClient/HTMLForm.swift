import Foundation

/// The little HTML reading a Keycloak login needs: the tags of a page with their attributes, scanned tag by tag
/// (tolerant of attribute order, quoting and case), plus the text of one element.
struct HTMLPage {
    struct Tag {
        var name: String
        var attributes: [String: String]
        /// Index in the text just after the tag's `>`.
        var end: String.Index
    }

    let text: String
    let tags: [Tag]

    init(_ text: String) {
        self.text = text
        var tags: [Tag] = []
        var index = text.startIndex
        while let open = text[index...].firstIndex(of: "<") {
            if text[open...].hasPrefix("<!--") {
                // Comments hold no tags.
                index = text[open...].range(of: "-->")?.upperBound ?? text.endIndex
                continue
            }
            var cursor = text.index(after: open)
            let name = String(text[cursor...].prefix { $0.isLetter || $0.isNumber }).lowercased()
            cursor = text.index(cursor, offsetBy: name.count)
            var attributes: [String: String] = [:]
            while cursor < text.endIndex, text[cursor] != ">" {
                if text[cursor].isWhitespace || text[cursor] == "/" { cursor = text.index(after: cursor); continue }
                let key = String(text[cursor...].prefix { !$0.isWhitespace && $0 != "=" && $0 != ">" && $0 != "/" }).lowercased()
                guard !key.isEmpty else { cursor = text.index(after: cursor); continue }
                cursor = text.index(cursor, offsetBy: key.count)
                var value = ""
                if cursor < text.endIndex, text[cursor] == "=" {
                    cursor = text.index(after: cursor)
                    if cursor < text.endIndex, text[cursor] == "\"" || text[cursor] == "'" {
                        let quote = text[cursor]
                        let start = text.index(after: cursor)
                        let close = text[start...].firstIndex(of: quote) ?? text.endIndex
                        value = String(text[start..<close])
                        cursor = close < text.endIndex ? text.index(after: close) : close
                    } else {
                        value = String(text[cursor...].prefix { !$0.isWhitespace && $0 != ">" })
                        cursor = text.index(cursor, offsetBy: value.count)
                    }
                }
                attributes[key] = Self.decodeEntities(value)
            }
            let end = cursor < text.endIndex ? text.index(after: cursor) : cursor
            if !name.isEmpty { tags.append(Tag(name: name, attributes: attributes, end: end)) }
            index = end
            if name == "script" || name == "style" {
                // Their content is text, even when it looks like markup.
                index = text[end...].range(of: "</\(name)", options: .caseInsensitive)?.lowerBound ?? text.endIndex
            }
        }
        self.tags = tags
    }

    /// The `action` of the first form.
    var formAction: String? { tags.first { $0.name == "form" }?.attributes["action"] }

    /// The text inside the first element with this id, trimmed (nil when absent or empty).
    func text(ofID id: String) -> String? {
        guard let tag = tags.first(where: { $0.attributes["id"] == id }) else { return nil }
        let rest = text[tag.end...]
        let content = rest.prefix { $0 != "<" }.trimmingCharacters(in: .whitespacesAndNewlines)
        return content.isEmpty ? nil : Self.decodeEntities(content)
    }

    /// Whether the page asks for a one-time password (as `destinelab` recognises it).
    var asksForOTP: Bool {
        tags.contains { tag in
            tag.name == "input" && ["name", "id", "placeholder", "type"].contains { key in
                let value = (tag.attributes[key] ?? "").lowercased()
                return value.contains("otp") || value.contains("one-time password") || value.contains("verification code")
            }
        }
    }

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&#x2F;", with: "/")
    }
}
