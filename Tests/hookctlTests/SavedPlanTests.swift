import Foundation
import Testing

/// `plan --out FILE` and `apply --plan FILE`, on the shipped manifests and the embedded sandbox.
struct SavedPlanTests {
    @Test func `apply --plan carries out the saved plan, and refuses one whose inputs changed`() async throws {
        let project = try ProjectFolder.shippedManifests()
        let planned = try await CLI.run(["plan", "--out", "plan.json", "--detailed-exitcode"], in: project.root)
        #expect(planned.code == 2, "--out honours --detailed-exitcode: \(planned.output)")
        #expect(planned.stdout.contains("+ create"))
        let saved = try project.read("plan.json")
        #expect(saved.contains(#""format": "hookctl-plan""#))

        // The manifests change after the plan was made: nothing is submitted, and the line names the order.
        let manifest = try project.read("manifests/s2-t47vlh.yaml")
        try project.write("manifests/s2-t47vlh.yaml", manifest.replacingOccurrences(of: "spec:\n", with: "spec:\n  options: {resolution: 60}\n"))
        let stale = try await CLI.run(["apply", "--plan", "plan.json"], in: project.root)
        #expect(stale.code == 1, "\(stale.output)")
        #expect(stale.stderr.contains("plan.json is out of date: the manifests changed since it was made: s2-t47vlh"), "\(stale.stderr)")
        #expect(stale.stderr.split(separator: "\n").count == 1, "one line: \(stale.stderr)")
        #expect(!project.exists("manifests/hookctl.sandbox.lock"), "nothing was recorded")

        try project.write("manifests/s2-t47vlh.yaml", manifest)
        let applied = try await CLI.run(["apply", "--plan", "plan.json"], in: project.root)
        #expect(applied.code == 0, "\(applied.output)")
        #expect(try project.read("manifests/reports/report.json").contains(#""status": "completed""#))

        // The lock file changed since (the orders were applied): the same plan file is now refused.
        let again = try await CLI.run(["apply", "--plan", "plan.json"], in: project.root)
        #expect(again.code == 1, "\(again.output)")
        #expect(again.stderr.contains("the lock file"), "\(again.stderr)")
        let other = try await CLI.run(["apply", "--plan", "plan.json", "--profile", "elsewhere"], in: project.root)
        #expect(other.code == 1)
        #expect(other.stderr.contains("profile"), "\(other.stderr)")
    }

    @Test(arguments: ["not json", #"{"format": "something-else"}"#, #"{"format": "hookctl-plan", "formatVersion": 99}"#])
    func `a file that is not a plan of this format is refused with a clear line`(_ text: String) async throws {
        let project = try ProjectFolder.shippedManifests()
        try project.write("plan.json", text)
        let run = try await CLI.run(["apply", "--plan", "plan.json"], in: project.root)
        #expect(run.code == 1, "\(run.output)")
        #expect(run.stderr.hasPrefix("error: plan.json: "), "\(run.stderr)")
        #expect(text.contains("99") ? run.stderr.contains("format version") : run.stderr.contains("not a plan"), "\(run.stderr)")
        #expect(!project.exists("manifests/hookctl.sandbox.lock"))
    }

    @Test func `plan --format markdown is a reviewable summary with one collapsible diff per replaced order`() async throws {
        let project = try ProjectFolder.shippedManifests()
        #expect(try await CLI.run(["apply", "--quiet"], in: project.root).code == 0)
        let manifest = try project.read("manifests/s2-t47vlh.yaml")
        try project.write("manifests/s2-t47vlh.yaml", manifest.replacingOccurrences(of: "spec:\n", with: "spec:\n  options: {resolution: 60}\n"))
        let markdown = try await CLI.run(["plan", "--format", "markdown"], in: project.root)
        #expect(markdown.code == 0, "\(markdown.output)")
        #expect(markdown.stdout.hasPrefix("### hookctl plan\n\nPlan: 1 to replace, "), "\(markdown.stdout)")
        #expect(markdown.stdout.contains("| ~ | `s2-t47vlh` | replace 1 item | 1 |"), "\(markdown.stdout)")
        #expect(markdown.stdout.contains("<details><summary>~ replace <code>s2-t47vlh</code>: body diff</summary>"))
        #expect(markdown.stdout.contains("```diff\n"))
        #expect(markdown.stdout.contains(#"+       "Name": "resolution","#))
    }
}
