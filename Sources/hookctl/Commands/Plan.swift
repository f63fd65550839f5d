import ArgumentParser
import Foundation
import HookCore
import HookManifest
import HookRunner

struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what apply would do for each order, with body diffs.",
        discussion: Help.prose(
            """
            Compares the manifests with the lock file (hookctl.<profile>.lock) and prints one line per order:
              + create    not submitted yet
              ~ replace   the body changed (a diff follows; secrets stay references)
              = keep      unchanged, and every item completed
              > resume    submitted and not finished: apply waits for it
              ! retry     some items failed: apply submits a new attempt with those (all with --retry-all)
              - remove    recorded, but no manifest defines it any more
            and how many items each submission carries. Needs no network and no environment values.
            --out FILE saves the plan with fingerprints of its inputs; `apply --plan FILE` then does exactly that
            plan, or refuses if a manifest, the lock file, the profile or hookctl changed meanwhile.

            Examples:
              hookctl plan
              hookctl plan manifests/s2.yaml --detailed-exitcode  # 2: changes
              # Save the plan, review plan.md, then: hookctl apply --plan plan.json
              hookctl plan --out plan.json --format markdown > plan.md
            """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var sharding: ShardOption
    @Argument(help: "Manifest files or folders (default: manifests/, else the project file's folder).") var paths: [String] = []
    @Flag(help: "Exit 2 when the plan has changes (0 when there is nothing to do).") var detailedExitcode = false
    @Option(help: "Save the plan to this file, for `apply --plan FILE`.") var out: String?
    @Flag(help: "Plan retries of every identifier of an order, not only of those that failed.") var retryAll = false

    func run() async throws {
        let invocation = Invocation(global)
        let bench = try invocation.workbench(paths, shard: sharding.shard)
        let plan = try await invocation.context(bench).plan(retryAll: retryAll, out: out)
        switch global.format {
        case .json: invocation.console.output(CanonicalJSON.string(.array(plan.map(\.jsonValue))))
        case .markdown: invocation.console.output(PlanText.markdown(plan))
        default: invocation.console.output(PlanText.render(plan, console: invocation.console))
        }
        if let out { invocation.console.info("Saved the plan to \(out); `hookctl apply --plan \(out)` carries it out.") }
        let breaches = invocation.context(bench).policyBreaches(plan)
        if !breaches.isEmpty { throw RunnerError.policy(breaches) }
        if detailedExitcode, plan.contains(where: { $0.action != .keep }) { throw ExitCode.planHasChanges }
    }
}

/// The text forms of a plan.
enum PlanText {
    static let symbols: [PlanAction: String] = [.create: "+", .replace: "~", .keep: "=", .resume: ">", .retry: "!", .remove: "-"]
    static let colors: [PlanAction: String] = [.create: "32", .replace: "33", .keep: "2", .resume: "36", .retry: "35", .remove: "31"]

    static func render(_ plan: [PlanItem], console: Console) -> String {
        var lines: [String] = []
        let width = plan.map(\.key.count).max() ?? 0
        for item in plan {
            let manifest = item.desired?.manifest ?? item.recorded?.manifest ?? ""
            var head =
                "\(symbols[item.action] ?? " ") \(item.action.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))"
                + "\(item.key.padding(toLength: width, withPad: " ", startingAt: 0))  \(manifest)"
            if item.action.submits { head += "  (\(item.summary))" }
            lines.append(console.paint(head, colors[item.action] ?? "0"))
            for line in item.diff {
                let code = line.hasPrefix("+") ? "32" : line.hasPrefix("-") ? "31" : "2"
                lines.append("      " + console.paint(line, code))
            }
        }
        lines.append("")
        lines.append(summary(plan))
        return lines.joined(separator: "\n") + "\n"
    }

    /// A reviewable summary for a pull request: counts, a table, then one collapsible diff per changed order.
    static func markdown(_ plan: [PlanItem]) -> String {
        var lines = ["### hookctl plan", "", summary(plan), ""]
        let changed = plan.filter { $0.action != .keep }
        if !changed.isEmpty {
            lines += ["| | Order | Action | Items | Manifest |", "|---|---|---|---|---|"]
            for item in changed {
                let manifest = item.desired?.manifest ?? item.recorded?.manifest ?? ""
                let items = item.action.submits ? "\(item.identifiers.count)" : "-"
                lines.append(
                    "| \(symbols[item.action] ?? "") | `\(item.key)` | \(item.action.submits ? item.summary : item.action.rawValue) | \(items) | `\(manifest)` |"
                )
            }
            lines.append("")
        }
        for item in plan where !item.diff.isEmpty {
            lines += ["<details><summary>~ replace <code>\(item.key)</code>: body diff</summary>", "", "```diff"]
            lines += item.diff
            lines += ["```", "", "</details>", ""]
        }
        return lines.joined(separator: "\n")
    }

    /// "Plan: 2 to create, 1 to retry. 3 of 5 orders submit 7 items."
    static func summary(_ plan: [PlanItem]) -> String {
        guard !plan.isEmpty else { return "Plan: no orders." }
        var byAction: [PlanAction: Int] = [:]
        var submitting = 0
        var items = 0
        for item in plan {
            byAction[item.action, default: 0] += 1
            if item.action.submits {
                submitting += 1
                items += item.identifiers.count
            }
        }
        let counts = PlanAction.allCases.compactMap { action in byAction[action].map { "\($0) to \(action.rawValue)" } }
        let orders = plan.count - (byAction[.remove] ?? 0)
        return "Plan: " + counts.joined(separator: ", ") + ". "
            + "\(submitting) of \(orders) order\(orders == 1 ? "" : "s") submit\(submitting == 1 ? "s" : "") \(items) item\(items == 1 ? "" : "s")."
    }
}

extension PlanItem {
    /// `plan --format json`: one object per order.
    var jsonValue: JSONValue {
        .object([
            "key": .string(key),
            "action": .string(action.rawValue),
            "manifest": .string(desired?.manifest ?? recorded?.manifest ?? ""),
            "name": .string(desired?.name(attempt: attempt) ?? recorded?.name ?? ""),
            "diff": .array(diff.map { .string($0) }),
            "attempt": .integer(attempt),
            "identifiers": .array(identifiers.map { .string($0) }),
        ])
    }
}
