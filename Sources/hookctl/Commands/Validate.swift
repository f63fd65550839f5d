import ArgumentParser
import Foundation
import HookManifest

/// `hookctl validate [PATH...]`: parse and check manifests and the project file; diagnostics on stderr.
struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check manifests and the project file; print every problem (exit 1 on any error).",
        discussion: Help.prose(
            """
            Diagnostics go to stderr as path:line:column: error: message, with the source line and a caret; every \
            problem of a file at once. --format json prints them as a JSON array on stdout; in GitHub Actions they \
            also become ::error annotations. Needs no project file, network or environment.

            Examples:
              hookctl validate
              hookctl validate manifests/s2.yaml examples/
              hookctl validate --format json | jq '.[] | select(.severity == "error")'
            """))

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Manifest files or folders (default: manifests/, else the project file's folder).")
    var paths: [String] = []

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let workspace = loadWorkspace(
            paths: paths, projectFile: global.project, profile: global.profile, environment: environment, warnings: !global.quiet)
        let output = DiagnosticOutput(global: global, environment: environment)
        output.report(workspace.diagnostics)
        if global.format == .json {
            output.writeStdout(Diagnostic.jsonArray(output.visible(workspace.diagnostics)))
        } else if !workspace.hasErrors && !global.quiet {
            let count = workspace.orders.count
            output.writeStderr(
                "\(workspace.manifestFiles.count) manifest file\(workspace.manifestFiles.count == 1 ? "" : "s"), \(count) order\(count == 1 ? "" : "s"): valid\n"
            )
        }
        if workspace.hasErrors { throw ExitCode.error }
    }
}

/// How every command prints diagnostics: text (or nothing, with `--format json`) on stderr, and GitHub annotations,
/// also on stderr, when `GITHUB_ACTIONS=true`.
struct DiagnosticOutput {
    let global: GlobalOptions
    let environment: [String: String]

    var color: Bool { Console.useColor(global: global, environment: environment) }

    /// Warnings are hidden by `--quiet`.
    func visible(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        // By index: filtering would copy each of thousands of warnings only to drop it.
        global.quiet ? diagnostics.indices.compactMap { diagnostics[$0].severity == .error ? diagnostics[$0] : nil } : diagnostics
    }

    func report(_ diagnostics: [Diagnostic]) {
        let shown = visible(diagnostics)
        if global.format != .json {
            var text = ""
            let color = self.color
            for diagnostic in shown { text += diagnostic.rendered(color: color) }
            writeStderr(text)
        }
        if environment["GITHUB_ACTIONS"] == "true" {
            // The Actions runner reads workflow commands from stderr as well as stdout. One rule for every command:
            // stderr, since stdout carries data (render's bodies, JSON, plan text) that annotations would corrupt.
            writeStderr(shown.compactMap(\.githubAnnotation).map { $0 + "\n" }.joined())
        }
    }

    func writeStderr(_ text: String) {
        guard !text.isEmpty else { return }
        FileHandle.standardError.write(Data(text.utf8))
    }

    func writeStdout(_ text: String) {
        guard !text.isEmpty else { return }
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
