import ArgumentParser
import Foundation
import Testing

@testable import hookctl

/// The shipped CI pipelines are valid YAML and every hookctl command they run parses as a command line.
struct PipelineExampleTests {
    static let files = [
        ".github/workflows/hookctl.yml", ".github/workflows/hookctl-sharded.yml", ".gitlab-ci.yml", ".gitlab-ci-sharded.yml",
        ".kubernetes/hookctl-indexed-job.yaml",
    ]

    /// The arguments of a script's command line: up to the first shell operator, CI expressions replaced by a value
    /// of the shape they stand for.
    static func arguments(_ line: String) -> [String] {
        let expanded = line.replacingOccurrences(of: "${{ matrix.shard }}", with: "2/4").replacingOccurrences(of: "$SHARD", with: "2/4")
        var words: [String] = []
        for word in expanded.split(separator: " ").map(String.init).dropFirst() {
            if [">", ">>", "|", "||", "&&", ";", "2>&1"].contains(word) { break }
            words.append(word)
        }
        return words
    }

    @Test func `every pipeline parses as YAML and each hookctl command in it is a valid command line`() async throws {
        let paths = Self.files.map { CLI.packageRoot + "/examples/" + $0 }
        let (code, stdout) = try await runPython("pipeline_commands.py", paths, in: CLI.packageRoot)
        #expect(code == 0, "\(stdout)")
        let found = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: [String]])
        for path in paths {
            let commands = found[path] ?? []
            #expect(!commands.isEmpty, "\(path) runs no hookctl command")
            for command in commands {
                #expect(throws: Never.self, "\(path): \(command)") { _ = try Hookctl.parseAsRoot(Self.arguments(command)) }
            }
        }
        #expect(found[paths[1]]?.contains { $0.contains("--shard ${{ matrix.shard }}") } == true)
        #expect(found[paths[1]]?.contains { $0.contains("report") && $0.contains("--merge") } == true)
        #expect(found[paths[3]]?.contains { $0.contains("--shard $SHARD") } == true)
        #expect(found[paths[4]]?.contains { $0.contains("--shard $SHARD") } == true)
        #expect(found[paths[4]]?.contains { $0.contains("report") && $0.contains("--merge") } == true)
    }
}
