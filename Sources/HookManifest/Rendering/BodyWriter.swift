import HookCore

/// Writes an order body's canonical JSON straight to bytes (the hot path of `render`): the same text as
/// `CanonicalJSON` gives for the body's `JSONValue`, without building the tree.
enum BodyWriter {
    /// Appends the body without `Name` (the digest's input); references and secrets are written as stored.
    /// With `openingBrace` false the text starts at the newline after `{` (to follow a `Name` line).
    static func writeUnnamed(
        _ workflowName: String, _ identifiers: [String], _ options: [WorkflowOption], into out: inout ByteWriter, openingBrace: Bool = true
    ) {
        var resolvedValues: [Range<Int>] = []
        writeUnnamed(workflowName, identifiers, options, into: &out, openingBrace: openingBrace, resolvedValues: &resolvedValues)
    }

    /// `writeUnnamed`, also noting in `resolvedValues` where each value resolved at load (`Template.written` set)
    /// was written, in option order: the digest swaps those for the text as written, without a second body.
    static func writeUnnamed(
        _ workflowName: String, _ identifiers: [String], _ options: [WorkflowOption], into out: inout ByteWriter, openingBrace: Bool,
        resolvedValues: inout [Range<Int>]
    ) {
        if openingBrace { out.append(UInt8(ascii: "{")) }
        out.append("\n  \"WorkflowName\": ")
        out.appendJSONString(workflowName)
        out.append(",\n  \"IdentifierList\": ")
        if identifiers.isEmpty {
            out.append("[]")
        } else {
            out.append(UInt8(ascii: "["))
            for index in identifiers.indices {  // by index: iterating would retain and release each identifier
                out.append(index == 0 ? "\n    " : ",\n    ")
                out.appendJSONString(identifiers[index])
            }
            out.append("\n  ]")
        }
        out.append(",\n  \"WorkflowOptions\": ")
        if options.isEmpty {
            out.append("[]")
        } else {
            out.append(UInt8(ascii: "["))
            for index in options.indices {  // by index: iterating would copy each option
                out.append(index == 0 ? "\n    {\n      \"Name\": " : ",\n    {\n      \"Name\": ")
                out.appendJSONString(options[index].name)
                out.append(",\n      \"Value\": ")
                switch options[index].value {
                case .string(let template):
                    let start = out.count
                    out.appendJSONString(template.description)
                    if template.written != nil { resolvedValues.append(start..<out.count) }
                case .integer(let i): out.append(Array(String(i).utf8))
                case .number(let d):
                    var text: [UInt8] = []
                    CanonicalJSON.writeNumber(d, into: &text)
                    out.append(text)
                case .boolean(let b): out.append(b ? "true" : "false")
                }
                out.append("\n    }")
            }
            out.append("\n  ]")
        }
        out.append("\n}\n")
    }

    /// Appends the named body, reusing the unnamed text: `{` + `"Name"` line + the rest.
    static func writeNamed(_ name: String, unnamed: borrowing ByteWriter, into out: inout ByteWriter) {
        out.append("{\n  \"Name\": ")
        out.appendJSONString(name)
        out.append(UInt8(ascii: ","))
        unnamed.withBytes { out.append(UnsafeBufferPointer(rebasing: $0.dropFirst())) }  // drop the opening `{`; the newline after it stays
    }
}
