import HookCore

/// Writes an order body's canonical JSON straight to bytes (the hot path of `render`): the same text as
/// `CanonicalJSON` gives for the body's `JSONValue`, without building the tree.
enum BodyWriter {
    /// Appends the body without `Name` (the digest's input); references and secrets are written as stored.
    /// With `openingBrace` false the text starts at the newline after `{` (to follow a `Name` line).
    static func writeUnnamed(
        _ workflowName: String, _ identifiers: [String], _ options: [WorkflowOption], into out: inout [UInt8], openingBrace: Bool = true
    ) {
        if openingBrace { out.append(UInt8(ascii: "{")) }
        out.append(contentsOf: "\n  \"WorkflowName\": ".utf8)
        CanonicalJSON.writeString(workflowName, into: &out)
        out.append(contentsOf: ",\n  \"IdentifierList\": ".utf8)
        if identifiers.isEmpty {
            out.append(contentsOf: "[]".utf8)
        } else {
            out.append(UInt8(ascii: "["))
            for (index, identifier) in identifiers.enumerated() {
                out.append(contentsOf: index == 0 ? "\n    ".utf8 : ",\n    ".utf8)
                CanonicalJSON.writeString(identifier, into: &out)
            }
            out.append(contentsOf: "\n  ]".utf8)
        }
        out.append(contentsOf: ",\n  \"WorkflowOptions\": ".utf8)
        if options.isEmpty {
            out.append(contentsOf: "[]".utf8)
        } else {
            out.append(UInt8(ascii: "["))
            for index in options.indices {  // by index: iterating would copy each option
                out.append(contentsOf: index == 0 ? "\n    {\n      \"Name\": ".utf8 : ",\n    {\n      \"Name\": ".utf8)
                CanonicalJSON.writeString(options[index].name, into: &out)
                out.append(contentsOf: ",\n      \"Value\": ".utf8)
                switch options[index].value {
                case .string(let template): CanonicalJSON.writeString(template.description, into: &out)
                case .integer(let i): out.append(contentsOf: String(i).utf8)
                case .number(let d): CanonicalJSON.writeNumber(d, into: &out)
                case .boolean(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
                }
                out.append(contentsOf: "\n    }".utf8)
            }
            out.append(contentsOf: "\n  ]".utf8)
        }
        out.append(contentsOf: "\n}\n".utf8)
    }

    /// Appends the named body, reusing the unnamed text: `{` + `"Name"` line + the rest.
    static func writeNamed(_ name: String, unnamed: [UInt8], into out: inout [UInt8]) {
        out.append(contentsOf: "{\n  \"Name\": ".utf8)
        CanonicalJSON.writeString(name, into: &out)
        out.append(UInt8(ascii: ","))
        out.append(contentsOf: unnamed[1...])  // drop the opening `{`; the newline after it stays
    }
}
