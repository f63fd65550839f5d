import ArgumentParser
import Foundation
import HookCore
import HookManifest
import HookRunner

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the manifests against the service without ordering anything.",
        discussion: Help.prose(
            """
            Logs in; checks every workflow and option against the service's live catalogue (unknown ones, types,
            required options); looks every identifier of a DESP source up in its collection (STAC item search at
            the profile's catalogueUrl, default https://hda.data.destination-earth.eu/stac; an embedded sandbox
            uses its own /stac; an EXTERNAL source's identifiers in its own STAC catalogue, after its login), which also gives what apply would order in bytes where the catalogue has sizes
            (held against the profile's policy.maxBytes, as maxOrders and maxItems are); writes and deletes a probe
            object in every PRIVATE bucket. One line per problem (or --format json); exit 1 when there is one.

            Examples:
              hookctl check
              hookctl check manifests/s2.yaml --profile dedl
            """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var sharding: ShardOption
    @Argument(help: "Manifest files or folders (default: manifests/, else the project file's folder).") var paths: [String] = []

    func run() async throws {
        let invocation = Invocation(global)
        let bench = try invocation.workbench(paths, shard: sharding.shard)
        let context = invocation.context(bench)
        let result = try await invocation.interruptible(bench) { try await context.check() }
        if global.format == .json {
            let diagnostics = result.diagnostics.filter { $0.severity == .error }.map(\.jsonValue)
            invocation.console.output(
                CanonicalJSON.string(
                    .object(["problems": .array(result.problems.map(\.json)), "diagnostics": .array(diagnostics), "volume": result.volume.json])))
        } else {
            invocation.report(result.diagnostics)
            for problem in result.problems { invocation.console.error(problem.line) }
            invocation.console.info("apply would order \(result.volume.summary)")
            if !result.hasProblems { invocation.console.info("No problems: every order can be submitted as written.") }
        }
        if result.hasProblems { throw ExitCode.error }
    }
}
