/// A source line as quoted under a diagnostic, and where its caret goes. Safe to print on a terminal: control
/// characters are shown as `?`, and a long line is cut to a window around the caret.
struct QuotedLine {
    static let maxLength = 200
    static let window = 160

    var text: String
    /// 1-based column of the caret in `text`, in Unicode scalars; differs from the file position when the line
    /// was masked or cut.
    var caret: Int

    /// Builds the quoted form of a (masked) line; `caret` is 0-based in `scalars`.
    init(_ scalars: [Unicode.Scalar], caret: Int) {
        var scalars = scalars
        var caret = caret
        // One `?` per character keeps every column in place (a binary file must not write raw control bytes,
        // such as escape sequences, to the terminal). Tabs stay: the caret line copies them to line up.
        for index in scalars.indices where Self.isControl(scalars[index]) { scalars[index] = "?" }
        if scalars.count > Self.maxLength {
            let end = min(scalars.count, max(caret + Self.window / 2, Self.window))
            let start = max(0, end - Self.window)
            var cut = Array(scalars[start..<end])
            if start > 0 {
                cut.insert(contentsOf: "...".unicodeScalars, at: 0)
                caret += 3 - start
            }
            if end < scalars.count { cut.append(contentsOf: "...".unicodeScalars) }
            scalars = cut
        }
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars)
        text = out
        self.caret = caret + 1
    }

    /// C0 controls but tab, DEL, C1 controls.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\t") || (0x7F...0x9F).contains(scalar.value)
    }
}

/// A source file's bytes as the reader takes them.
enum SourceText {
    /// `bytes` without a leading UTF-8 byte order mark. Editors on Windows add one; it is valid YAML but no content,
    /// so it is dropped before reading, and columns on line 1 count from the first character after it.
    static func droppingBOM(_ bytes: [UInt8]) -> [UInt8] {
        bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? Array(bytes.dropFirst(3)) : bytes
    }
}
