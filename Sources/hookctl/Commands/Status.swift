import ArgumentParser
import HookRunner

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Refresh recorded orders from the service and show them.",
        discussion: Help.prose(
            """
            Asks the service once for every unfinished recorded order, saves what changed, and prints a table
            (or --format json|markdown|junit).

            Examples:
              hookctl status
              hookctl status --format json | jq '.summary'
            """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var sharding: ShardOption
    @Argument(help: "Only the orders of these manifests (default: every recorded order).") var paths: [String] = []
    @Option(help: "How long to wait for another hookctl working on this project and profile (e.g. 30s; default 10s).")
    var lockTimeout: DurationArgument?

    func run() async throws {
        let invocation = Invocation(global)
        let bench = try invocation.workbench(paths, strict: !paths.isEmpty, shard: sharding.shard)
        let context = invocation.context(bench, lockTimeout: lockTimeout?.duration)
        try invocation.finish(try await invocation.interruptible(bench) { try await context.status() })
    }
}
