import ArgumentParser
import HookRunner

struct Wait: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait for recorded orders to finish, then report.",
        discussion: Help.prose(
            """
            Picks up where `apply --no-wait` (or an interrupted apply) left off: polls every unfinished order
            recorded in the lock file together, then writes reports/. Exit 0 when all completed, 3 when one failed,
            4 on timeout.

            Examples:
              hookctl wait
              hookctl wait --timeout 2h
              hookctl wait manifests/s2.yaml          # only that manifest's orders
            """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var sharding: ShardOption
    @Flag(help: "Add how long each order was waited on to the reports (which then differ from run to run).")
    var timings = false
    @Argument(help: "Only the orders of these manifests (default: every recorded order).") var paths: [String] = []
    @Option(help: "Give up waiting after this long (e.g. 90s, 15m, 6h).") var timeout: DurationArgument?
    @Option(help: "How long to wait for another hookctl working on this project and profile (e.g. 30s; default 10s).")
    var lockTimeout: DurationArgument?

    func run() async throws {
        let invocation = Invocation(global)
        let bench = try invocation.workbench(paths, strict: !paths.isEmpty, shard: sharding.shard)
        let context = invocation.context(bench, lockTimeout: lockTimeout?.duration)
        let result = try await invocation.interruptible(bench) { [timeout, timings] in
            try await context.wait(timeout: timeout?.duration, timings: timings)
        }
        try invocation.finish(result, printReport: !global.quiet)
    }
}
