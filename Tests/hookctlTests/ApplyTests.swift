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
}
