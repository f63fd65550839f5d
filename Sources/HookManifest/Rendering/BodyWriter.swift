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
        writeString(workflowName, into: &out)
        out.append(contentsOf: ",\n  \"IdentifierList\": ".utf8)
        if identifiers.isEmpty {
            out.append(contentsOf: "[]".utf8)
        } else {
            out.append(UInt8(ascii: "["))
            for (index, identifier) in identifiers.enumerated() {
                out.append(contentsOf: index == 0 ? "\n    ".utf8 : ",\n    ".utf8)
                writeString(identifier, into: &out)
            }
            out.append(contentsOf: "\n  ]".utf8)
        }
        out.append(contentsOf: ",\n  \"WorkflowOptions\": ".utf8)
        if options.isEmpty {
            out.append(contentsOf: "[]".utf8)
        } else {
            out.append(UInt8(ascii: "["))
            for (index, option) in options.enumerated() {
                out.append(contentsOf: index == 0 ? "\n    {\n      \"Name\": ".utf8 : ",\n    {\n      \"Name\": ".utf8)
                writeString(option.name, into: &out)
                out.append(contentsOf: ",\n      \"Value\": ".utf8)
                switch option.value {
                case .string(let template): writeString(template.description, into: &out)
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
        writeString(name, into: &out)
        out.append(UInt8(ascii: ","))
        out.append(contentsOf: unnamed[1...])  // drop the opening `{`; the newline after it stays
    }

    /// `CanonicalJSON.writeString`, with a fast path for the usual string that needs no escape (no control
    /// character, quote or backslash): its bytes are copied in one go.
    static func writeString(_ s: String, into out: inout [UInt8]) {
        let copied: Bool? = s.utf8.withContiguousStorageIfAvailable { bytes in
            for byte in bytes where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return false }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: bytes)
            out.append(UInt8(ascii: "\""))
            return true
        }
        if copied != true { CanonicalJSON.writeString(s, into: &out) }
    }
}
