import Foundation
import Testing

/// The README's main job, end to end: the built binary, the shipped manifests, the embedded sandbox over HTTP.
@Suite(.serialized)
struct ApplyTests {
    @Test func `apply on the shipped manifests completes, and a second apply changes nothing`() async throws {
        let project = try ProjectFolder.shippedManifests()
        let first = try await CLI.run(["apply"], in: project.root)
        #expect(first.code == 0, "\(first.output)")
        #expect(first.stdout.contains("completed"))
        #expect(!first.stderr.contains("\u{1B}"), "no live lines or colours off a terminal: \(first.stderr)")
        #expect(first.stderr.contains(": downloaded "))
        let lock = try project.read("manifests/hookctl.sandbox.lock")
        let reports = try ["report.json", "report.md", "junit.xml"].map { try project.read("manifests/reports/" + $0) }
        let json = try JSONSerialization.jsonObject(with: Data(reports[0].utf8)) as? [String: Any]
        let orders = json?["orders"] as? [[String: Any]] ?? []
        #expect(orders.count >= 3)
        #expect(orders.allSatisfy { $0["status"] as? String == "completed" })

        let second = try await CLI.run(["apply"], in: project.root)
        #expect(second.code == 0, "\(second.output)")
        #expect(second.stderr.contains("Nothing to do"))
        #expect(try project.read("manifests/hookctl.sandbox.lock") == lock)
        #expect(try ["report.json", "report.md", "junit.xml"].map { try project.read("manifests/reports/" + $0) } == reports)

        let plan = try await CLI.run(["plan", "--detailed-exitcode"], in: project.root)
        #expect(plan.code == 0, "\(plan.output)")
    }

    @Test func `SPEC's example manifest, extra option included, completes on the embedded sandbox`() async throws {
        let project = try ProjectFolder()
        try project.write("hookctl.yaml", try String(contentsOfFile: CLI.packageRoot + "/manifests/hookctl.yaml", encoding: .utf8))
        try project.write(
            "manifests/s2.yaml",
            """
            apiVersion: hookctl/v1
            kind: Order
            metadata:
              name: s2-t47vlh
              labels: {campaign: demo}
            spec:
              workflow: data-harvest
              identifiers:
                - S2A_MSIL1C_20230910T050701_N0509_R019_T47VLH_20230910T074321.SAFE
              source:
                type: DESP
                collection: EO.ESA.DAT.SENTINEL-2.MSI.L1C
              storage:
                type: TEMPORARY
              options:
                resolution: 20
              wait: {timeout: 6h}
              download: true

            """)
        let run = try await CLI.run(["apply"], in: project.root)
        #expect(run.code == 0, "\(run.output)")
        #expect(try project.read("reports/report.json").contains(#""status": "completed""#))
        #expect(project.exists("downloads/s2-t47vlh/S2A_MSIL1C_20230910T050701_N0509_R019_T47VLH_20230910T074321.SAFE.zip"))
    }

    @Test func `an order the service rejects exits 1 and is reported as failed with the service's reason`() async throws {
        let project = try ProjectFolder()
        try project.write("hookctl.yaml", try String(contentsOfFile: CLI.packageRoot + "/manifests/hookctl.yaml", encoding: .utf8))
        try project.write(
            "manifests/coh.yaml",
            """
            apiVersion: hookctl/v1
            kind: Order
            metadata: {name: coh}
            spec:
              workflow: card_cohinf
              identifiers: [S1A_IW_SLC__1SDV_20230910T050517_20230910T050544_050261_060D7F_3C4D.SAFE]
              source: {type: DESP, collection: EO.ESA.DAT.SENTINEL-1.L1_SLC}
              options: {timespan: "24"}

            """)
        let run = try await CLI.run(["apply"], in: project.root)
        #expect(run.code == 1, "\(run.output)")
        #expect(run.stderr.contains("coh: rejected by the service"), "\(run.output)")
        let report = try project.read("reports/report.json")
        #expect(report.contains(#""status": "failed""#) && report.contains("rejected by the service"), "\(report)")
        #expect(try project.read("reports/junit.xml").contains("<failure"))
        #expect(!(try project.read("hookctl.sandbox.lock").contains("coh")), "nothing was created, so nothing is recorded")
    }

    @Test func `apply --sandbox needs no project file and no environment`() async throws {
        let project = try ProjectFolder()
        try project.write("order.yaml", try String(contentsOfFile: CLI.packageRoot + "/manifests/s2-t47vlh.yaml", encoding: .utf8))
        let run = try await CLI.run(["apply", "--sandbox", "order.yaml"], in: project.root)
        #expect(run.code == 0, "\(run.output)")
        #expect(try project.read("reports/report.json").contains(#""status": "completed""#))
    }

    @Test func `on a terminal, waits and downloads redraw one live line, cleared before the report`() async throws {
        let project = try ProjectFolder.shippedManifests()
        // util-linux `script` gives hookctl a pseudo-terminal and copies what it writes there to stdout.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qfec", "'\(CLI.binary)' apply", "/dev/null"]
        process.currentDirectoryURL = URL(fileURLWithPath: project.root)
        process.environment = CLI.environment(["TERM": "xterm"])
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let watchdog = Task.detached {  // a hung run fails the test instead of hanging it
            try? await Task.sleep(for: .seconds(120))
            if !Task.isCancelled, process.isRunning { process.terminate() }
        }
        defer { watchdog.cancel() }
        let data = await offPool {
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return data
        }
        let screen = String(decoding: data, as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(screen)")
        let clear = "\r\u{1B}[K"
        #expect(screen.contains(clear + "waiting: "), "\(screen)")
        let lastProgress = try #require(screen.range(of: ": downloading ", options: .backwards), "\(screen)")
        let after = screen[lastProgress.upperBound...]
        #expect(after.contains(clear), "the live line is cleared after the download: \(screen)")
        let table = try #require(after.range(of: "ORDER"))
        #expect(!screen[table.lowerBound...].contains(": downloading "))
    }
}
