/// A plain-text table for terminals: columns padded to their widest cell, two spaces apart, no trailing spaces.
public enum TextTable {
    /// `rows[0]` is the header. Ends with a newline; empty for no rows.
    public static func render(_ rows: [[String]]) -> String {
        guard let header = rows.first else { return "" }
        let widths = header.indices.map { column in rows.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        var text = ""
        for row in rows {
            var line = zip(row, widths).map { $0 + String(repeating: " ", count: max(0, $1 - $0.count)) }.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            text += line + "\n"
        }
        return text
    }
}
