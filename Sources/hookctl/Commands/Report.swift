import ArgumentParser
import Foundation
import HookRunner

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write and print the report of the recorded orders (no network).",
        discussion: Help.prose(
            """
            Builds the report from the lock file alone, writes report.json, report.md and junit.xml into
            reports/ beside the project file (or --output DIR), and prints it as a table or --format
            json|markdown|junit. The same state always gives the same bytes.

            Examples:
              hookctl report
              hookctl report --format markdown >> "$GITHUB_STEP_SUMMARY"
              hookctl report --format junit --output build/reports
              hookctl report --merge          # one report of every shard's state
            """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Only the orders of these manifests (default: every recorded order).") var paths: [String] = []
    @Option(help: "Folder to write the report files into (default: reports/ beside the project file).") var output: String?
    @Flag(help: "One report from every shard's state of the profile (hookctl.<profile>.<K>-of-<N>.lock) and its unsharded one.")
    var merge = false

    func run() async throws {
        let invocation = Invocation(global)
        let bench = try invocation.workbench(paths, strict: !paths.isEmpty)
        invocation.print(report: try await invocation.context(bench).report(into: output, merge: merge))
    }
}
