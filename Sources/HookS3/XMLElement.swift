import HookCore

/// A minimal XML element tree built from ``MarkupScanner`` tokens (enough for S3's responses).
/// Namespace prefixes are dropped from names; mismatched end tags close up to the matching element.
struct XMLElement: Sendable, Equatable {
    var name: String
    var children: [XMLElement] = []
    var text: String = ""

    /// Parses a document; returns the root element, or nil when there is none.
    static func parse(_ document: String) -> XMLElement? {
        var stack: [XMLElement] = [XMLElement(name: "#document")]
        func localName(_ name: String) -> String {
            name.split(separator: ":").last.map(String.init) ?? name
        }
        func closeTop() {
            let element = stack.removeLast()
            stack[stack.count - 1].children.append(element)
        }
        for token in MarkupScanner(document).tokens() {
            switch token {
            case let .startTag(name, _, selfClosing):
                stack.append(XMLElement(name: localName(name)))
                if selfClosing { closeTop() }
            case let .endTag(name):
                let wanted = localName(name)
                guard stack.count > 1, stack.dropFirst().contains(where: { $0.name == wanted }) else { continue }
                while stack.count > 1 {
                    let closing = stack[stack.count - 1].name
                    closeTop()
                    if closing == wanted { break }
                }
            case let .text(text):
                stack[stack.count - 1].text += text
            }
        }
        while stack.count > 1 { closeTop() }
        return stack[0].children.first
    }

    /// The first child with this name.
    func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }

    /// Every child with this name.
    func children(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }

    /// The trimmed text of the first child with this name.
    func value(_ name: String) -> String? {
        child(name).map { $0.text.trimmingBlanks() }
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    func trimmingBlanks() -> String {
        let blanks: Set<Character> = [" ", "\t", "\n", "\r", "\r\n"]
        var slice = Substring(self)
        while let first = slice.first, blanks.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, blanks.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
