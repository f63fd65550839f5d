/// Help text as ArgumentParser should wrap it.
enum Help {
    /// Joins each paragraph's lines into one line, so that `--help` wraps whole sentences at the terminal's width
    /// instead of breaking the source's lines again; indented lines (examples) and blank lines stay as written.
    static func prose(_ text: String) -> String {
        var lines: [String] = []
        var joinable = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let indented = line.first == " "
            if joinable, !line.isEmpty, !indented, let last = lines.popLast() {
                lines.append(last + " " + line)
            } else {
                lines.append(line)
            }
            joinable = !line.isEmpty && !indented && !line.hasSuffix(":")
        }
        return lines.joined(separator: "\n")
    }
}
