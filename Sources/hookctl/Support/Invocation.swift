import ArgumentParser
import Foundation
import HookManifest
import HookRunner

/// What every command needs before doing its job: the console, the environment, and the project read from disk.
struct Invocation {
    let global: GlobalOptions
    let console: Console
    let environment: [String: String]

    init(_ global: GlobalOptions) {
        self.global = global
        environment = ProcessInfo.processInfo.environment
        console = Console(global: global, environment: environment)
    }

    /// The recorded orders a command about recorded orders should look at: those of the manifests named on the
    /// command line, or all of them when none is named.
    func keys(_ paths: [String], _ bench: Workbench) -> [String]? {
        paths.isEmpty ? nil : bench.desiredOrders().map(\.key)
    }

    /// The profile asked for on the command line or in `HOOKCTL_PROFILE`, if any.
    func profileName() -> String? {
        global.profile ?? environment["HOOKCTL_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// In GitHub Actions, diagnostics also become `::error` annotations and markdown goes to the step summary.
    var inGitHubActions: Bool { environment["GITHUB_ACTIONS"] == "true" }

    /// Reads the manifests under `paths` (default `manifests/`) and the project file; prints diagnostics.
    /// - Parameter strict: fail on manifest errors; commands that only look at recorded orders pass false.
    /// - Throws: `ExitCode.error` after printing, when any manifest has an error.
    /// - Parameter profile: the profile to use whatever the options say (a saved plan's).
    func workbench(_ paths: [String], strict: Bool = true, profile: String? = nil) throws -> Workbench {
        let bench = try Workbench(
            paths: paths, projectFile: global.project, profile: profile ?? global.profile,
            sandbox: global.sandbox, environment: environment)
        report(bench.workspace.diagnostics)
        if strict, bench.workspace.diagnostics.contains(where: { $0.severity == .error }) { throw ExitCode.error }
        return bench
    }

    /// Prints diagnostics as `validate` does (warnings hidden by `--quiet`; annotations in GitHub Actions).
    func report(_ diagnostics: [Diagnostic]) {
        DiagnosticOutput(global: global, environment: environment).report(diagnostics)
    }

    /// Writes `report.json`, `report.md` and `junit.xml` into `directory` (and the markdown to the GitHub step
    /// summary when there is one).
    func writeReports(_ report: Report, to directory: String) throws {
        try AtomicFile.write(report.json, to: (directory as NSString).appendingPathComponent("report.json"))
        try AtomicFile.write(report.markdown, to: (directory as NSString).appendingPathComponent("report.md"))
        try AtomicFile.write(report.junit, to: (directory as NSString).appendingPathComponent("junit.xml"))
        if inGitHubActions, let summary = environment["GITHUB_STEP_SUMMARY"], !summary.isEmpty,
            let handle = FileHandle(forWritingAtPath: summary)
        {
            handle.seekToEndOfFile()
            handle.write(Data(report.markdown.utf8))
            try? handle.close()
        }
    }
}

extension ExitCode {
    /// The exit code SPEC gives a run's result: 3 if an order failed, else 4 if one timed out, else 0.
    static func of(_ report: Report) -> ExitCode {
        if !report.failures.isEmpty { return .orderFailed }
        if !report.timedOut.isEmpty { return .timedOut }
        return .done
    }
}
