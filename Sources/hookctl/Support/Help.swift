/// Help text as ArgumentParser should wrap it.
enum Help {
    /// Joins each paragraph's lines into one line, so that `--help` wraps whole sentences at the terminal's width
    /// instead of breaking the source's lines again; indented lines (examples) and blank lines stay as written.
    /// One pass over the bytes: every command's help is built when any command starts (ArgumentParser reads every
    /// subcommand's configuration), and joining strings line by line was a tenth of a one-manifest `render`.
    static func prose(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var joinable = false
        for (index, line) in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let indented = line.first == UInt8(ascii: " ")
            if joinable, !line.isEmpty, !indented {
                out.append(UInt8(ascii: " "))
            } else if index > 0 {
                out.append(UInt8(ascii: "\n"))
            }
            out.append(contentsOf: line)
            joinable = !line.isEmpty && !indented && line.last != UInt8(ascii: ":")
        }
        return String(decoding: out, as: UTF8.self)
    }
}
