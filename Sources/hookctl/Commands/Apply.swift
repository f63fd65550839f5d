import ArgumentParser
import Foundation
import HookManifest
import HookRunner

struct Apply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Carry out the plan: submit what changed, wait for the orders, write reports.",
        discussion: Help.prose(
            """
            Submits new, changed and failed orders (never one twice: order names are deterministic, and an order
            submitted just before a crash is found by name and adopted), waits for every order of the run, then
            writes reports/ (report.json, report.md, junit.xml) and the lock file beside the project file.
            Running it again on unchanged, finished manifests submits nothing and changes no byte.
            Ctrl-C stops it with the state saved (exit 130); the next apply or wait resumes.

            Examples:
              hookctl apply                  # manifests/, on the embedded sandbox
              hookctl apply manifests/ --timeout 30m
              hookctl apply --profile dedl --no-wait   # then `hookctl wait`
              hookctl apply --plan plan.json # exactly what `plan --out` showed
            """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var sharding: ShardOption
    @Flag(help: "Add how long each order was waited on to the reports (which then differ from run to run).")
    var timings = false
    @Argument(help: "Manifest files or folders (default: manifests/, else the project file's folder).") var paths: [String] = []
    @Flag(help: "Submit and return without waiting for the orders to finish.") var noWait = false
    @Option(help: "Requests in flight at once (orders being waited on are polled together regardless).")
    var concurrency = 8
    @Option(help: "Give up waiting after this long (e.g. 90s, 15m, 6h); overrides each manifest's wait.timeout.")
    var timeout: DurationArgument?
    @Flag(help: "Cancel unfinished orders whose manifests are gone (otherwise they are only dropped from the lock).")
    var cancelRemoved = false
    @Flag(help: "A retry resubmits every identifier of the order, not only those that failed (as `retry: all` does).")
    var retryAll = false
    @Option(help: "Carry out the plan saved by `plan --out FILE`, exactly; refused if any of its inputs changed.")
    var plan: String?
    @Option(help: "How long to wait for another hookctl working on this project and profile (e.g. 30s; default 10s).")
    var lockTimeout: DurationArgument?

    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
    }

    func run() async throws {
        let invocation = Invocation(global)
        var request = self.request
        if let plan {
            let file = try SavedPlan(file: plan)
            try file.check(path: plan, paths: paths, profile: invocation.profileName(), retryAll: retryAll)
            request.saved = (plan, file)
        }
        let bench = try invocation.workbench(request.saved?.plan.paths ?? paths, profile: request.saved?.plan.profile, shard: sharding.shard)
        let context = invocation.context(bench, lockTimeout: lockTimeout?.duration)
        let result = try await invocation.interruptible(bench) { [request] in try await context.apply(request) }
        if result.nothingToDo {
            invocation.console.info(result.report.orders.isEmpty ? "No orders." : "Nothing to do: every order is unchanged and completed.")
        }
        try invocation.finish(result, printReport: !global.quiet)
    }

    /// What the command line asks of the `apply` use case (a saved plan aside, which is read from its file).
    var request: ApplyRequest {
        var request = ApplyRequest()
        request.wait = !noWait
        request.concurrency = concurrency
        request.timeout = timeout?.duration
        request.cancelRemoved = cancelRemoved
        request.timings = timings
        request.retryAll = retryAll
        return request
    }
}

/// `--timeout` values: an integer and one unit, `s`, `m`, `h` or `d`, as in manifests.
struct DurationArgument: ExpressibleByArgument, Sendable {
    let duration: Duration

    init?(argument: String) {
        guard let unit = argument.last, let count = Int(argument.dropLast()), count > 0 else { return nil }
        let seconds: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        guard let scale = seconds[unit] else { return nil }
        let (total, overflow) = count.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        duration = .seconds(total)
    }
}
