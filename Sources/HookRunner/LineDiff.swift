/// A unified-style line diff, small and dependency-free: bodies are tens of lines, so the quadratic
/// longest-common-subsequence table is cheap and keeps the output minimal.
public enum LineDiff {
    /// Lines of `new` against `old`, each prefixed with `"  "` (same), `"- "` (removed) or `"+ "` (added).
    /// Unchanged runs longer than `context` lines on either side of a change are folded into `"  ..."`.
    public static func lines(old: [String], new: [String], context: Int = 2) -> [String] {
        let n = old.count
        let m = new.count
        var lcs = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lcs[i][j] = old[i] == new[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var edits: [(Character, String)] = []
        var i = 0
        var j = 0
        while i < n || j < m {
            if i < n, j < m, old[i] == new[j] {
                edits.append((" ", old[i]))
                i += 1
                j += 1
            } else if i < n, j == m || lcs[i + 1][j] >= lcs[i][j + 1] {
                edits.append(("-", old[i]))
                i += 1
            } else {
                edits.append(("+", new[j]))
                j += 1
            }
        }
        let changed = edits.indices.filter { edits[$0].0 != " " }
        guard !changed.isEmpty else { return [] }
        var out: [String] = []
        var lastShown = -1
        for index in edits.indices {
            let near = changed.contains { abs($0 - index) <= context }
            if near {
                if lastShown >= 0, index - lastShown > 1 { out.append("  ...") }
                out.append("\(edits[index].0) \(edits[index].1)")
                lastShown = index
            }
        }
        return out
    }
}
