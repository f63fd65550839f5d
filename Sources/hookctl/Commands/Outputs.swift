import ArgumentParser
import Foundation
import HookCore
import HookManifest
import HookRunner

struct Outputs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the outputs of completed orders, or download them.",
        discussion: """
            TEMPORARY storage: each product's archive URL at the service (`.../BatchOrder(N)/Product(M)/$value`,
            kept for two weeks). PRIVATE storage: the S3 objects under the order's prefix, with sizes (listed with
            the order's own accessKey/secretKey references, which must be set).
            With --download DIR, every archive or object is streamed into DIR/<order key>/ (files already there
            with the right size are skipped).

            Examples:
              hookctl outputs
              hookctl outputs --format json
              hookctl outputs manifests/s2.yaml --download data/
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Only the orders of these manifests (default: every recorded order).") var paths: [String] = []
    @Option(help: "Download every output into this folder.") var download: String?

    func run() async throws {
        let invocation = Invocation(global)
        let bench = try invocation.workbench(paths, strict: !paths.isEmpty)
        let context = invocation.context(bench)
        let listed = try await context.outputs()
        if let download {
            try await invocation.interruptible(bench) { try await context.download(listed, into: download) }
        } else if global.format == .json {
            invocation.console.output(CanonicalJSON.string(.array(listed.map(\.json))))
        } else {
            invocation.console.output(listed.map(\.line).joined(separator: "\n") + (listed.isEmpty ? "" : "\n"))
            if listed.isEmpty { invocation.console.info("No outputs: no recorded order has completed products.") }
        }
    }
}
