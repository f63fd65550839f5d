import HookCore

/// Writes an order body's canonical JSON straight to bytes (the hot path of `render`): the same text as
/// `CanonicalJSON` gives for the body's `JSONValue`, without building the tree.
enum BodyWriter {
    /// Appends the body without `Name` (the digest's input); references and secrets are written as stored.
    /// With `openingBrace` false the text starts at the newline after `{` (to follow a `Name` line).
    static func writeUnnamed(
        _ workflowName: String, _ identifiers: [String], _ options: [WorkflowOption], into out: inout [UInt8], openingBrace: Bool = true
    ) {
        var resolvedValues: [Range<Int>] = []
        writeUnnamed(workflowName, identifiers, options, into: &out, openingBrace: openingBrace, resolvedValues: &resolvedValues)
    }

    /// `writeUnnamed`, also noting in `resolvedValues` where each value resolved at load (`Template.written` set)
    /// was written, in option order: the digest swaps those for the text as written, without a second body.
    static func writeUnnamed(
        _ workflowName: String, _ identifiers: [String], _ options: [WorkflowOption], into out: inout [UInt8], openingBrace: Bool,
        resolvedValues: inout [Range<Int>]
    ) {
        if openingBrace { out.append(UInt8(ascii: "{")) }
        append("\n  \"WorkflowName\": ", to: &out)
        CanonicalJSON.writeString(workflowName, into: &out)
        append(",\n  \"IdentifierList\": ", to: &out)
        if identifiers.isEmpty {
            append("[]", to: &out)
        } else {
            out.append(UInt8(ascii: "["))
            for index in identifiers.indices {  // by index: iterating would retain and release each identifier
                append(index == 0 ? "\n    " : ",\n    ", to: &out)
                CanonicalJSON.writeString(identifiers[index], into: &out)
            }
            append("\n  ]", to: &out)
        }
        append(",\n  \"WorkflowOptions\": ", to: &out)
        if options.isEmpty {
            append("[]", to: &out)
        } else {
            out.append(UInt8(ascii: "["))
            for index in options.indices {  // by index: iterating would copy each option
                append(index == 0 ? "\n    {\n      \"Name\": " : ",\n    {\n      \"Name\": ", to: &out)
                CanonicalJSON.writeString(options[index].name, into: &out)
                append(",\n      \"Value\": ", to: &out)
                switch options[index].value {
                case .string(let template):
                    let start = out.count
                    CanonicalJSON.writeString(template.description, into: &out)
                    if template.written != nil { resolvedValues.append(start..<out.count) }
                case .integer(let i): out.append(contentsOf: String(i).utf8)
                case .number(let d): CanonicalJSON.writeNumber(d, into: &out)
                case .boolean(let b): append(b ? "true" : "false", to: &out)
                }
                append("\n    }", to: &out)
            }
            append("\n  ]", to: &out)
        }
        append("\n}\n", to: &out)
    }

    /// Appends a literal's bytes straight from its static storage (appending a `String.UTF8View` goes through the
    /// generic sequence copy, a measurable part of writing thousands of bodies).
    @inline(__always) static func append(_ text: StaticString, to out: inout [UInt8]) {
        text.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    /// Appends the named body, reusing the unnamed text: `{` + `"Name"` line + the rest.
    static func writeNamed(_ name: String, unnamed: [UInt8], into out: inout [UInt8]) {
        append("{\n  \"Name\": ", to: &out)
        CanonicalJSON.writeString(name, into: &out)
        out.append(UInt8(ascii: ","))
        out.append(contentsOf: unnamed[1...])  // drop the opening `{`; the newline after it stays
    }
}
