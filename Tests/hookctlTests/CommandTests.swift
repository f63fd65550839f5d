import Foundation
import Testing

/// The offline commands and the reporting commands, as a user runs them.
@Suite(.serialized)
struct CommandTests {
    @Test func `validate reports every problem with its position and exits 1`() async throws {
        let project = try ProjectFolder()
        try project.write(
            "bad.yaml",
            """
            apiVersion: hookctl/v1
            kind: Order
            metadata:
              name: Bad_Name
            spec:
              workflow: data-harvest
              identifers: [a]
              storage: {type: PRIVATE, bucket: out-bucket, endpoint: "http://s3", accessKey: AKIAREALKEY123, secretKey: "${env:SK}"}

            """)
        let run = try await CLI.run(["validate", "bad.yaml"], in: project.root)
        #expect(run.code == 1)
        #expect(run.stderr.contains("bad.yaml:4:9: error:"))
        #expect(run.stderr.contains("bad.yaml:7:3: error: unknown key `identifers` in `spec`; did you mean `identifiers`?"))
        #expect(!run.output.contains("AKIAREALKEY123"))
        let json = try await CLI.run(["validate", "bad.yaml", "--format", "json"], in: project.root)
        let diagnostics = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(diagnostics.contains { $0["line"] as? Int == 7 && $0["column"] as? Int == 3 })
        let annotated = try await CLI.run(["validate", "bad.yaml"], in: project.root, environment: ["GITHUB_ACTIONS": "true"])
        #expect(annotated.stderr.contains("::error file=bad.yaml,line=7,col=3::"))
        #expect(!annotated.stdout.contains("::"))
    }

    @Test func `validate and render need no project, network or environment`() async throws {
        let project = try ProjectFolder()
        try project.write("one.yaml", LocalSandboxTests.order("one"))
        let validate = try await CLI.run(["validate", "one.yaml"], in: project.root)
        #expect(validate.code == 0, "\(validate.output)")
        let render = try await CLI.run(["render", "one.yaml"], in: project.root)
        #expect(render.code == 0, "\(render.output)")
        let body = try JSONSerialization.jsonObject(with: Data(render.stdout.utf8)) as? [String: Any]
        let options = body?["WorkflowOptions"] as? [[String: Any]] ?? []
        #expect(
            options.map { $0["Name"] as? String } == [
                "output_storage", "source_type", "desp_source_username", "desp_source_password", "desp_source_collection",
            ])
        #expect(options.first { $0["Name"] as? String == "desp_source_password" }?["Value"] as? String == "${env:DESP_PASSWORD}")
        #expect(render.stderr.contains("warning:"))
    }

    @Test func `in GitHub Actions, annotations go to stderr and render's stdout stays pure JSON`() async throws {
        let project = try ProjectFolder()
        try project.write("one.yaml", LocalSandboxTests.order("one"))
        let github = ["GITHUB_ACTIONS": "true"]
        let render = try await CLI.run(["render", "one.yaml"], in: project.root, environment: github)
        #expect(render.code == 0, "\(render.output)")
        #expect(render.stderr.contains("::warning file=one.yaml"))
        #expect(!render.stdout.contains("::"))
        #expect((try? JSONSerialization.jsonObject(with: Data(render.stdout.utf8))) != nil, "\(render.stdout)")
        for command in [["validate"], ["plan"]] {
            let run = try await CLI.run(command + ["one.yaml"], in: project.root, environment: github)
            #expect(run.stderr.contains("::warning file=one.yaml"), "\(command): \(run.output)")
            #expect(!run.stdout.contains("::"), "\(command): \(run.stdout)")
        }
    }

    @Test func `without a path, commands read manifests/, else the project file's folder`() async throws {
        let project = try ProjectFolder.shippedManifests()
        let inRoot = try await CLI.run(["validate"], in: project.root)
        #expect(inRoot.code == 0, "\(inRoot.output)")
        // Inside the folder that holds hookctl.yaml and the orders, and in a folder below it.
        try FileManager.default.createDirectory(atPath: project.path("manifests/notes"), withIntermediateDirectories: true)
        for folder in ["manifests", "manifests/notes"] {
            let run = try await CLI.run(["validate"], in: project.path(folder))
            #expect(run.code == 0, "\(folder): \(run.output)")
            #expect(run.stderr.contains("6 orders"), "\(folder): \(run.output)")
        }
        // No manifests/ and no project file: the default is reported missing.
        let empty = try ProjectFolder()
        let missing = try await CLI.run(["validate"], in: empty.root)
        #expect(missing.code == 1)
        #expect(missing.stderr.contains("`manifests`: no such file or directory"), "\(missing.output)")
    }

    @Test func `--quiet hides warnings of validate and render and leaves the bodies as they are`() async throws {
        let project = try ProjectFolder()
        try project.write(
            "order.yaml",
            "apiVersion: hookctl/v1\nkind: Order\nmetadata: {name: quiet}\nspec:\n  workflow: data-harvest\n  identifiers: [\"${env:HOOKCTL_TEST_TILE}\"]\n  source: {type: DESP, collection: C}\n"
        )
        let loud = try await CLI.run(["render", "order.yaml"], in: project.root)
        #expect(loud.code == 0, "\(loud.output)")
        #expect(loud.stderr.contains("order.yaml:6:17: warning: `spec.identifiers[0]`: variable `HOOKCTL_TEST_TILE` not set"), "\(loud.stderr)")
        let quiet = try await CLI.run(["render", "--quiet", "order.yaml"], in: project.root)
        #expect(quiet.code == 0 && quiet.stderr.isEmpty, "\(quiet.output)")
        #expect(quiet.stdout == loud.stdout && quiet.stdout.contains("\"${env:HOOKCTL_TEST_TILE}\""))
        let validate = try await CLI.run(["validate", "--quiet", "--format", "json", "order.yaml"], in: project.root)
        #expect(validate.code == 0 && validate.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "\(validate.output)")
    }

    @Test func `global options work before the command as well as after it`() async throws {
        let project = try ProjectFolder.shippedManifests()
        let before = try await CLI.run(["--profile", "sandbox", "--quiet", "--format=json", "validate"], in: project.root)
        let after = try await CLI.run(["validate", "--profile", "sandbox", "--quiet", "--format=json"], in: project.root)
        #expect(before.code == 0, "\(before.output)")
        #expect(before.stdout == after.stdout && before.stdout.hasPrefix("["))
        let unknown = try await CLI.run(["--profile", "nope", "plan"], in: project.root)
        #expect(unknown.code == 1)
        #expect(unknown.stderr.contains("nope"), "\(unknown.output)")
    }

    @Test func `plan shows a replaced body with its diff and --detailed-exitcode says so`() async throws {
        let project = try ProjectFolder.shippedManifests()
        let apply = try await CLI.run(["apply"], in: project.root)
        #expect(apply.code == 0, "\(apply.output)")
        let manifest = try project.read("manifests/s2-t47vlh.yaml")
        try project.write("manifests/s2-t47vlh.yaml", manifest.replacingOccurrences(of: "spec:\n", with: "spec:\n  options: {resolution: 60}\n"))
        let plan = try await CLI.run(["plan", "--detailed-exitcode", "--no-color"], in: project.root)
        #expect(plan.code == 2, "\(plan.output)")
        #expect(plan.stdout.contains("~ replace s2-t47vlh"))
        #expect(!plan.stdout.contains(#"-   "Name""#))
        #expect(plan.stdout.contains(#"+       "Name": "resolution","#))
        #expect(plan.stdout.contains("= keep"))
        let json = try await CLI.run(["plan", "--format", "json"], in: project.root)
        let items = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(items.first { $0["key"] as? String == "s2-t47vlh" }?["action"] as? String == "replace")
    }

    @Test func `report prints every format from the lock file alone`() async throws {
        let project = try ProjectFolder.shippedManifests()
        #expect(try await CLI.run(["apply", "--quiet"], in: project.root).code == 0)
        let table = try await CLI.run(["report"], in: project.root)
        #expect(table.stdout.contains("ORDER"))
        let json = try await CLI.run(["report", "--format", "json"], in: project.root)
        let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((report?["summary"] as? [String: Int])?["failed"] == 0)
        let markdown = try await CLI.run(["report", "--format", "markdown"], in: project.root)
        #expect(markdown.stdout.hasPrefix("# hookctl report"))
        let junit = try await CLI.run(["report", "--format", "junit"], in: project.root)
        #expect(junit.stdout.contains("<testsuites"))
        #expect(junit.stdout == (try project.read("manifests/reports/junit.xml")))
    }

    @Test func `apply --no-wait returns at once and wait finishes the job`() async throws {
        let project = try ProjectFolder.shippedManifests()
        let submitted = try await CLI.run(["apply", "--no-wait"], in: project.root)
        #expect(submitted.code == 0, "\(submitted.output)")
        let lock = try project.read("manifests/hookctl.sandbox.lock")
        #expect(lock.contains(#""status": "queued""#))
        let waited = try await CLI.run(["wait"], in: project.root)
        #expect(waited.code == 0, "\(waited.output)")
        let status = try await CLI.run(["status", "--format", "json"], in: project.root)
        let report = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        let orders = report?["orders"] as? [[String: Any]] ?? []
        #expect(!orders.isEmpty && orders.allSatisfy { $0["status"] as? String == "completed" })
    }

    @Test func `workflows lists the catalogue, shows options, and --save enables offline option checks`() async throws {
        let project = try ProjectFolder.shippedManifests()
        let list = try await CLI.run(["workflows"], in: project.root)
        #expect(list.code == 0, "\(list.output)")
        #expect(list.stdout.contains("data-harvest"))
        let one = try await CLI.run(["workflows", "card_cohinf"], in: project.root)
        #expect(one.stdout.contains("timespan"))
        let unknown = try await CLI.run(["workflows", "nope"], in: project.root)
        #expect(unknown.code == 1)
        #expect(unknown.stderr.contains("no workflow named 'nope'") && !unknown.stderr.contains("Usage"), "\(unknown.output)")
        let misspelled = try await CLI.run(["workflows", "data-harvset"], in: project.root)
        #expect(misspelled.code == 1 && misspelled.stderr.contains("no workflow named 'data-harvset'; did you mean 'data-harvest'?"), "\(misspelled.output)")
        let save = try await CLI.run(["workflows", "--save"], in: project.root)
        #expect(save.code == 0, "\(save.output)")
        #expect(project.exists("manifests/hookctl.workflows.json"))
        try project.write("manifests/extra.yaml", LocalSandboxTests.order("extra", extra: "  options: {resolutoin: 20}"))
        let validate = try await CLI.run(["validate"], in: project.root)
        #expect(validate.code == 1)
        #expect(validate.stderr.contains("resolutoin"))
    }

    @Test func `outputs lists each product with its status, location and expiry, and downloads verified archives`() async throws {
        let project = try ProjectFolder.shippedManifests()
        #expect(try await CLI.run(["apply", "--quiet"], in: project.root).code == 0)
        let listed = try await CLI.run(["outputs", "--format", "json"], in: project.root)
        let items = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]] ?? []
        let harvest = try #require(items.first { $0["key"] as? String == "s2-t47vlh" })
        #expect(harvest["status"] as? String == "completed")
        #expect((harvest["location"] as? String)?.hasSuffix("/$value") == true)
        #expect((harvest["identifier"] as? String)?.hasSuffix(".SAFE") == true)
        // Two weeks ahead, as the real service keeps TEMPORARY outputs.
        let expires = try #require((harvest["expires"] as? String).flatMap { try? Date($0, strategy: .iso8601) })
        #expect(abs(expires.timeIntervalSinceNow - 14 * 86_400) < 3_600)
        #expect(harvest["expired"] as? Bool == false)
        // The text form is a table: a header, then one row per product with its columns lined up.
        let table = try await CLI.run(["outputs"], in: project.root).stdout.split(separator: "\n")
        #expect(table.first?.split(separator: " ", omittingEmptySubsequences: true) == ["ORDER", "IDENTIFIER", "STATUS", "LOCATION", "SIZE", "EXPIRES"])
        #expect(table.count == items.count + 1)
        let statusColumn = try #require(table.first?.range(of: "STATUS")).lowerBound.utf16Offset(in: try #require(table.first))
        #expect(table.dropFirst().allSatisfy { Array($0.utf16)[statusColumn...].starts(with: "completed".utf16) }, "\(table)")

        let download = try await CLI.run(["outputs", "manifests/s2-t47vlh.yaml", "--download", "out"], in: project.root)
        #expect(download.code == 0, "\(download.output)")
        let identifier = try #require(harvest["identifier"] as? String)
        let file = project.path("out/s2-t47vlh/\(identifier).zip")
        #expect(FileManager.default.fileExists(atPath: file))
        // Its size and SHA-256 are in the lock file; a file cut short is fetched again.
        let lock = try project.read("manifests/hookctl.sandbox.lock")
        #expect(lock.contains("\"sha256\": \""), "\(lock)")
        #expect(lock.contains("\"expires\": \""), "\(lock)")
        let whole = try Data(contentsOf: URL(fileURLWithPath: file))
        try Data(whole.prefix(10)).write(to: URL(fileURLWithPath: file))
        let again = try await CLI.run(["outputs", "manifests/s2-t47vlh.yaml", "--download", "out"], in: project.root)
        #expect(again.code == 0, "\(again.output)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == whole)
        #expect(again.output.contains("Downloaded 1 file into out; 0 already there, verified."), "\(again.output)")
        // Nothing to fetch: one line says so, instead of silence.
        let current = try await CLI.run(["outputs", "manifests/s2-t47vlh.yaml", "--download", "out"], in: project.root)
        #expect(current.code == 0, "\(current.output)")
        #expect(current.output.contains("Every output is already in out (1 file, verified)."), "\(current.output)")
    }

    @Test func `outputs --stac writes a catalogue that stac-validator accepts offline and pystac loads`() async throws {
        let project = try ProjectFolder.shippedManifests()
        #expect(try await CLI.run(["apply", "--quiet"], in: project.root).code == 0)
        let written = try await CLI.run(["outputs", "--stac", "catalogue"], in: project.root)
        #expect(written.code == 0, "\(written.output)")
        let (code, stdout) = try await runPython("check_stac.py", ["catalogue/catalog.json"], in: project.root)
        #expect(code == 0, "\(stdout)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])
        let items = summary["items"] as? [[String: Any]] ?? []
        // One item per completed product of the shipped manifests.
        #expect(items.count == 7, "\(items)")
        #expect(Set(items.compactMap { $0["workflow"] as? String }).isSuperset(of: ["data-harvest", "lai"]))
        // The order that asks for `download: true` points at its archive, with the size and checksum recorded.
        let downloaded = try #require(items.first { $0["key"] as? String == "s2-t47vlh" })
        let archive = try #require(downloaded["absolute"] as? String)
        #expect(FileManager.default.fileExists(atPath: archive), "\(archive)")
        let lock = try project.read("manifests/hookctl.sandbox.lock")
        let sha = try #require((downloaded["checksum"] as? String)?.dropFirst(4))
        #expect(lock.contains("\"sha256\": \"\(sha)\""))
        #expect(downloaded["datetime"] as? String == "2023-09-10T05:07:01+00:00")
        // Footprints come from the source catalogue (the sandbox's STAC), so the catalogue shows on a map.
        #expect(items.allSatisfy { $0["geometry_type"] as? String == "Polygon" && ($0["bbox"] as? [Double])?.count == 4 }, "\(items)")
        // The same state gives the same bytes.
        let first = try project.read("catalogue/catalog.json")
        #expect(try await CLI.run(["outputs", "--stac", "catalogue"], in: project.root).code == 0)
        #expect(try project.read("catalogue/catalog.json") == first)
    }

    @Test func `check finds unknown identifiers and options against the live service, submitting nothing`() async throws {
        let project = try ProjectFolder.shippedManifests()
        let clean = try await CLI.run(["check"], in: project.root)
        #expect(clean.code == 0, "\(clean.output)")
        #expect(clean.stderr.contains("No problems"), "\(clean.output)")
        let manifest = try project.read("manifests/s2-t47vlh.yaml")
        try project.write("manifests/s2-t47vlh.yaml", manifest.replacingOccurrences(of: "T47VLH_20230910T074321.SAFE", with: "T47VLH_20230910T074399.SAFE"))
        // An order with an error in its manifest is not checked further (its identifiers included).
        try project.write("manifests/s2-l1c-batch.yaml", try project.read("manifests/s2-l1c-batch.yaml") + "  options: {bogus_option: 1}\n")
        let checked = try await CLI.run(["check"], in: project.root)
        #expect(checked.code == 1, "\(checked.output)")
        #expect(
            checked.stderr.contains("s2-t47vlh: S2A_MSIL1C_20230910T050701_N0509_R019_T47VLH_20230910T074399.SAFE is not in collection"), "\(checked.output)")
        #expect(checked.stderr.contains("manifests/s2-l1c-batch.yaml:"), "\(checked.output)")
        #expect(checked.stderr.contains("has no option `bogus_option` (service catalogue)"), "\(checked.output)")
        let json = try await CLI.run(["check", "--format", "json"], in: project.root)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((parsed["problems"] as? [[String: Any]])?.count == 1)
        #expect((parsed["diagnostics"] as? [[String: Any]])?.count == 1)
        // Nothing was ordered: the embedded sandbox's state holds no order.
        #expect(!project.exists("manifests/hookctl.sandbox.lock"))
    }

    @Test func `a second apply on the same project is refused, naming the holder, once its lock timeout passes`() async throws {
        let folder = try ProjectFolder()
        let sandbox = try await SandboxProcess(["--pace", "1"], in: folder.root)
        let project = try LocalSandboxTests.project(sandbox, orders: 1)
        let holder = try ProjectLockHolder(project.path(".hookctl/local.pid"))
        let refused = try await CLI.run(["apply", "--lock-timeout", "1s"], in: project.root)
        #expect(refused.code == 1, "\(refused.output)")
        #expect(refused.stderr.contains("another hookctl is working on this project (pid \(getpid()) holds"), "\(refused.stderr)")
        #expect(try await sandbox.orderNames().isEmpty)
        // Released while a second apply waits within its timeout: it goes ahead.
        let waiting = try CLI.start(["apply", "--lock-timeout", "60s"], in: project.root)
        let log = project.path("apply.err")
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        waiting.standardOutput = FileHandle.nullDevice
        waiting.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try waiting.run()
        // It says that it waits, and for whom; then the holder lets go.
        let notice = "waiting up to 60s for pid \(getpid()) to release"
        try await waitUntil(while: waiting) { (try? project.read("apply.err"))?.contains(notice) ?? false }
        holder.release()
        try await waitForExit(waiting)
        #expect(waiting.terminationStatus == 0)
        #expect(try project.read("apply.err").contains(notice))
        #expect(try await sandbox.orderNames().count == 1)
    }
}

/// Holds a project's lock (`flock`, as hookctl takes it) from the test process, with its pid in the file.
final class ProjectLockHolder {
    private var descriptor: Int32

    init(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0, flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { throw SetupError("cannot lock \(path)") }
        let pid = "pid \(getpid())\n"
        _ = pid.withCString { write(descriptor, $0, strlen($0)) }
    }

    func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}

struct RemovedOrderTests {
    @Test func `an order whose manifest is gone is planned as remove and dropped from the lock by apply`() async throws {
        let project = try ProjectFolder.shippedManifests()
        #expect(try await CLI.run(["apply", "--quiet"], in: project.root).code == 0)
        try FileManager.default.removeItem(atPath: project.path("manifests/s2-t47vlh.yaml"))
        let plan = try await CLI.run(["plan", "--detailed-exitcode", "--no-color"], in: project.root)
        #expect(plan.code == 2, "\(plan.output)")
        #expect(plan.stdout.contains("- remove  s2-t47vlh"))
        let apply = try await CLI.run(["apply"], in: project.root)
        #expect(apply.code == 0, "\(apply.output)")
        #expect(apply.stderr.contains("s2-t47vlh: no longer in the manifests"))
        #expect(!(try project.read("manifests/hookctl.sandbox.lock")).contains(#""s2-t47vlh""#))
        #expect(try await CLI.run(["plan", "--detailed-exitcode"], in: project.root).code == 0)
    }
}

struct HelpTests {
    @Test(arguments: ["validate", "render", "plan", "apply", "status", "wait", "report", "outputs", "workflows", "sandbox"])
    func `every command's help teaches with examples`(_ command: String) async throws {
        let project = try ProjectFolder()
        let help = try await CLI.run([command, "--help"], in: project.root)
        #expect(help.code == 0, "\(help.output)")
        #expect(help.stdout.contains("Examples:"), "\(help.stdout)")
        #expect(!help.output.contains("CommandError"))
    }

    @Test func `the root help, version and shell completions work`() async throws {
        let project = try ProjectFolder()
        let help = try await CLI.run(["--help"], in: project.root)
        #expect(help.code == 0 && help.stdout.contains("SUBCOMMANDS"))
        let completion = try await CLI.run(["--generate-completion-script", "bash"], in: project.root)
        #expect(completion.code == 0 && completion.stdout.contains("complete"))
        let usage = try await CLI.run(["apply", "--concurrency", "0"], in: project.root)
        #expect(usage.code == 1, "a malformed command line is an error (SPEC: 1), with usage: \(usage.output)")
        #expect(usage.stderr.contains("Usage: hookctl apply"))
    }
}
