import ArgumentParser
import Foundation
import HookCore
import HookManifest
import HookRunner
import HookS3

struct Outputs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outputs",
        abstract: "List the outputs of recorded orders, or download them.",
        discussion: Help.prose(
            """
            TEMPORARY storage: each product's status and archive URL at the service
            (`.../BatchOrder(N)/Product(M)/$value`), and when it expires (two weeks after completion on the real
            service; a warning when that is less than 3 days away). PRIVATE storage: the S3 objects under the order's
            prefix, with sizes (listed with the order's own accessKey/secretKey references, which must be set).
            With --download DIR, archives land at DIR/<order key>/<identifier>.zip, checked (size, the zip's CRCs)
            and recorded with their SHA-256 in the lock file; a file already there is kept only when its size and
            SHA-256 match the record; files of replaced orders or retried items are removed. S3 objects are copied
            into DIR/<order key>/. With --stac DIR, a static STAC catalogue (1.1.0) of the completed products: one
            item per product with the order's key, name, id and workflow, and an asset that points at the archive in
            downloads/ when it is there, else at its S3 URI or download URL.

            Examples:
              hookctl outputs
              hookctl outputs --format json
              hookctl outputs manifests/s2.yaml --download data/
              # The archives, then a catalogue pointing at them:
              hookctl outputs --download downloads/ --stac catalogue/
            """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var sharding: ShardOption
    @Argument(help: "Only the orders of these manifests (default: every recorded order).") var paths: [String] = []
    @Option(help: "Download every output into this folder.") var download: String?
    @Option(help: "Downloads in flight at once.") var concurrency = 8
    @Option(help: "Write a static STAC catalogue of the outputs into this folder (catalog.json, one item per product).")
    var stac: String?
    @Option(help: "Copy every TEMPORARY output to S3 under s3://BUCKET/PREFIX (keys from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, region AWS_REGION).")
    var mirror: String?
    @Option(help: "The S3 endpoint of --mirror (e.g. https://s3.central.data.destination-earth.eu).") var endpoint: String?

    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        if let mirror, S3Location(mirror) == nil { throw ValidationError("--mirror must be s3://BUCKET/PREFIX, got '\(mirror)'") }
        if mirror != nil, endpoint.flatMap(URL.init(string:))?.host == nil { throw ValidationError("--mirror needs --endpoint URL (the S3 server)") }
    }

    func run() async throws {
        let invocation = Invocation(global)
        let bench = try invocation.workbench(paths, strict: !paths.isEmpty, shard: sharding.shard)
        let context = invocation.context(bench)
        if let download {
            let tally = try await invocation.interruptible(bench) { [concurrency] in
                try await context.downloadOutputs(into: download, concurrency: concurrency)
            }
            func files(_ count: Int) -> String { "\(count) file\(count == 1 ? "" : "s")" }
            invocation.console.info(
                tally.fetched == 0
                    ? "Every output is already in \(download) (\(files(tally.current)), verified)."
                    : "Downloaded \(files(tally.fetched)) into \(download); \(tally.current) already there, verified.")
        }
        if let stac {
            let items = try await context.writeCatalogue(into: stac, archives: download)
            invocation.console.info(
                "Wrote a STAC catalogue of \(items) item\(items == 1 ? "" : "s") to \((stac as NSString).appendingPathComponent("catalog.json"))")
        }
        if let mirror, let location = S3Location(mirror), let endpoint = endpoint.flatMap(URL.init(string:)) {
            let copied = try await invocation.interruptible(bench) { try await context.mirrorOutputs(to: location, endpoint: endpoint) }
            invocation.console.info(
                copied == 0 ? "Every output is already mirrored to \(mirror)." : "Mirrored \(copied) output\(copied == 1 ? "" : "s") to \(mirror).")
        }
        guard download == nil && stac == nil && mirror == nil else { return }
        let listed = try await context.outputs()
        if global.format == .json {
            invocation.console.output(CanonicalJSON.string(.array(listed.map(\.json))))
        } else {
            if !listed.isEmpty { invocation.console.output(TextTable.render([OutputItem.header] + listed.map(\.cells))) }
            if listed.isEmpty { invocation.console.info("No outputs: no recorded order has products yet.") }
        }
    }
}
