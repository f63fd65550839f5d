import ArgumentParser
import Foundation
import HookManifest
import HookRunner

/// What every command needs before doing its job: the console, the environment, and the project read from disk; and
/// the few things every command does the same way around its use case (the context, interruption, the exit code).
struct Invocation {
    let global: GlobalOptions
    let console: Console
    let environment: [String: String]

    init(_ global: GlobalOptions) {
        self.global = global
        environment = ProcessInfo.processInfo.environment
        console = Console(global: global, environment: environment)
    }

    /// The profile asked for on the command line or in `HOOKCTL_PROFILE`, if any.
    func profileName() -> String? {
        global.profile ?? environment["HOOKCTL_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Reads the manifests under `paths` (default `manifests/`) and the project file; prints diagnostics.
    /// - Parameters:
    ///   - strict: fail on manifest errors; commands that only look at recorded orders pass false.
    ///   - profile: the profile to use whatever the options say (a saved plan's).
    /// - Throws: `ExitCode.error` after printing, when any manifest has an error.
    ///   - shard: `--shard K/N`.
    func workbench(_ paths: [String], strict: Bool = true, profile: String? = nil, shard: Shard? = nil) throws -> Workbench {
        let bench = try Workbench(
            paths: paths, projectFile: global.project, profile: profile ?? global.profile,
            sandbox: global.sandbox, environment: environment, shard: shard)
        report(bench.workspace.diagnostics)
        if strict, bench.workspace.diagnostics.contains(where: { $0.severity == .error }) { throw ExitCode.error }
        return bench
    }

    /// The use cases' context for this command: the profile's service (an embedded sandbox when it says so), the real
    /// clock, and the console for progress.
    func context(_ bench: Workbench, lockTimeout: Duration? = nil) -> RunContext<ContinuousClock> {
        var context = RunContext(
            bench: bench, environment: environment, connector: ProfileConnector(invocation: self, bench: bench),
            clock: ContinuousClock(), events: console.event)
        context.lockTimeout = lockTimeout ?? .seconds(10)
        context.embeddedSandbox = global.sandbox
        context.failpoint = environment["HOOKCTL_FAILPOINT"].flatMap(Failpoint.init)
        return context
    }

    /// Runs a use case so that SIGINT/SIGTERM stop it with the state saved: the use case folds what it recorded into
    /// the lock file as it fails, and the command exits 130.
    func interruptible<T: Sendable>(_ bench: Workbench, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            return try await runInterruptibly(work)
        } catch is Interrupted {
            console.error("interrupted; state is saved in \(bench.relative(bench.lockPath)); `hookctl apply` or `hookctl wait` resumes")
            throw ExitCode.interrupted
        }
    }

    /// Prints a run's report (unless `--quiet`) and what the service refused, then exits as SPEC says.
    func finish(_ result: RunResult, printReport: Bool = true) throws {
        if printReport { print(report: result.report) }
        for (key, reason) in result.rejected.sorted(by: { $0.key < $1.key }) { console.error("\(key): rejected by the service: \(reason)") }
        let code = ExitCode(result.verdict)
        if code != .done { throw code }
    }

    /// Prints the report in the format asked (a table by default).
    func print(report: Report) {
        switch global.format {
        case .json: console.output(report.json)
        case .markdown: console.output(report.markdown)
        case .junit: console.output(report.junit)
        case .table, .text, nil: console.output(report.table)
        }
    }

    /// Prints diagnostics as `validate` does (warnings hidden by `--quiet`; annotations in GitHub Actions).
    func report(_ diagnostics: [Diagnostic]) {
        DiagnosticOutput(global: global, environment: environment).report(diagnostics)
    }
}

extension ExitCode {
    /// The exit code SPEC gives a run's result.
    init(_ verdict: RunVerdict) {
        switch verdict {
        case .done: self = .done
        case .rejected: self = .error
        case .ordersFailed: self = .orderFailed
        case .timedOut: self = .timedOut
        }
    }
}
