import ArgumentParser
import Foundation
import HookManifest
import HookRunner

struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what apply would do for each order, with body diffs.",
        discussion: """
            Compares the manifests with the lock file (hookctl.<profile>.lock) and prints one line per order:
              + create    not submitted yet
              ~ replace   the body changed (a diff follows; secrets stay references)
              = keep      unchanged and completed
              > resume    submitted and not finished: apply waits for it
              ! retry     the last attempt failed or was cancelled
              - remove    recorded, but no manifest defines it any more
            Needs no network and no environment values.

            Examples:
              hookctl plan
              hookctl plan manifests/s2.yaml --detailed-exitcode   # exit 2 when something would change
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Manifest files or folders (default: manifests/, else the project file's folder).") var paths: [String] = []
    @Flag(help: "Exit 2 when the plan has changes (0 when there is nothing to do).") var detailedExitcode = false

    func run() async throws {
        let invocation = Invocation(global)
        let bench = try invocation.workbench(paths)
        let state = try bench.stateStore(warn: invocation.console.warning).load()
        let plan = makePlan(desired: bench.desiredOrders(), state: state, isRemoved: bench.isRemoved)
        if global.format == .json {
            invocation.console.output(CanonicalJSON.string(.array(plan.map(\.jsonValue))))
        } else {
            invocation.console.output(PlanText.render(plan, console: invocation.console))
        }
        if detailedExitcode, plan.contains(where: { $0.action != .keep }) { throw ExitCode.planHasChanges }
    }
}

/// The text form of a plan.
enum PlanText {
    static let symbols: [PlanAction: String] = [.create: "+", .replace: "~", .keep: "=", .resume: ">", .retry: "!", .remove: "-"]
    static let colors: [PlanAction: String] = [.create: "32", .replace: "33", .keep: "2", .resume: "36", .retry: "35", .remove: "31"]

    static func render(_ plan: [PlanItem], console: Console) -> String {
        var lines: [String] = []
        let width = plan.map(\.key.count).max() ?? 0
        for item in plan {
            let manifest = item.desired?.manifest ?? item.recorded?.manifest ?? ""
            let head = "\(symbols[item.action] ?? " ") \(item.action.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))"
                + "\(item.key.padding(toLength: width, withPad: " ", startingAt: 0))  \(manifest)"
            lines.append(console.paint(head, colors[item.action] ?? "0"))
            for line in item.diff {
                let code = line.hasPrefix("+") ? "32" : line.hasPrefix("-") ? "31" : "2"
                lines.append("      " + console.paint(line, code))
            }
        }
        var counts: [String] = []
        for action in PlanAction.allCases {
            let n = plan.filter { $0.action == action }.count
            if n > 0 { counts.append("\(n) to \(action.rawValue)") }
        }
        lines.append("")
        lines.append(plan.isEmpty ? "Plan: no orders." : "Plan: " + counts.joined(separator: ", ") + ".")
        return lines.joined(separator: "\n") + "\n"
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
        ])
    }
}
