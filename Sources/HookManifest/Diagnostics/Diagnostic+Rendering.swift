import HookCore

extension Diagnostic {
    /// The text form for a terminal: `path:line:column: error: message`, the source line and a caret under the column,
    /// then each note the same way. Ends with a newline.
    /// - Parameter color: use ANSI colours (callers pass false for `--no-color`, `NO_COLOR` or a non-terminal).
    public func rendered(color: Bool = false) -> String {
        var out = ""
        let label: String
        switch severity {
        case .error: label = color ? "\u{1B}[1;31merror:\u{1B}[0m" : "error:"
        case .warning: label = color ? "\u{1B}[1;33mwarning:\u{1B}[0m" : "warning:"
        case .note: label = color ? "\u{1B}[1;36mnote:\u{1B}[0m" : "note:"
        }
        let place = location.map { "\($0): " } ?? ""
        out += color ? "\u{1B}[1m\(place)\u{1B}[0m\(label) \(message)\n" : "\(place)\(label) \(message)\n"
        if let line = sourceLine, let location {
            out += line + "\n"
            // Keep tabs so the caret lines up under a tab-indented line.
            var pad = ""
            let column = sourceColumn ?? location.column
            for (index, scalar) in line.unicodeScalars.enumerated() where index < column - 1 {
                pad.unicodeScalars.append(scalar == "\t" ? "\t" : " ")
            }
            let missing = column - 1 - line.unicodeScalars.count
            if missing > 0 { pad += String(repeating: " ", count: missing) }
            out += pad + (color ? "\u{1B}[1;32m^\u{1B}[0m" : "^") + "\n"
        }
        for note in notes { out += note.rendered(color: color) }
        return out
    }

    /// A GitHub Actions workflow command (`::error file=...,line=...,col=...::message`), or nil for notes.
    public var githubAnnotation: String? {
        let kind: String
        switch severity {
        case .error: kind = "error"
        case .warning: kind = "warning"
        case .note: return nil
        }
        func escape(_ s: String, property: Bool) -> String {
            var r = s.replacingAll("%", "%25").replacingAll("\r", "%0D").replacingAll("\n", "%0A")
            if property { r = r.replacingAll(":", "%3A").replacingAll(",", "%2C") }
            return r
        }
        guard let location else { return "::\(kind)::\(escape(message, property: false))" }
        return "::\(kind) file=\(escape(location.file, property: true)),line=\(location.line),col=\(location.column)::"
            + escape(message, property: false)
    }

    /// The JSON object of `--format json`: `severity`, `id`, `message`, `file`, `line`, `column`, `sourceLine`,
    /// `sourceColumn` (the caret's column in `sourceLine`, when it differs from `column`), `notes`.
    public var jsonValue: JSONValue {
        var fields: [String: JSONValue] = [
            "severity": .string(severity.rawValue), "id": .string(id), "message": .string(message),
        ]
        if let location {
            fields["file"] = .string(location.file)
            fields["line"] = .integer(location.line)
            fields["column"] = .integer(location.column)
        }
        if let sourceLine { fields["sourceLine"] = .string(sourceLine) }
        if let sourceColumn { fields["sourceColumn"] = .integer(sourceColumn) }
        if !notes.isEmpty { fields["notes"] = .array(notes.map(\.jsonValue)) }
        return .object(fields)
    }

    /// A JSON array of diagnostics, canonical (sorted keys, two-space indent, final newline).
    public static func jsonArray(_ diagnostics: [Diagnostic]) -> String {
        CanonicalJSON.string(.array(diagnostics.map(\.jsonValue)))
    }
}

extension String {
    func replacingAll(_ target: Character, _ replacement: String) -> String {
        if let ascii = target.asciiValue, !containsByte(ascii) { return self }
        guard contains(target) else { return self }
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
