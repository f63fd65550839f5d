import ArgumentParser
import Foundation
import HookClient
import HookCore
import HookManifest
import HookRunner

struct Workflows: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workflows",
        abstract: "List the service's workflows, or show one's options.",
        discussion: Help.prose(
            """
            With --save, the whole catalogue (every workflow with its options) is cached beside the project file as
            hookctl.workflows.json; validate, render and plan then check each order's extra options against it
            (unknown option, wrong type, value not allowed) without network access. Commit the file.

            Examples:
              hookctl workflows
              hookctl workflows data-harvest
              hookctl workflows --save --profile dedl
            """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: "A workflow name: show its options.") var name: String?
    @Flag(help: "Cache the catalogue (with options) in the project, for offline option checks.") var save = false

    func run() async throws {
        let invocation = Invocation(global)
        let bench = try invocation.workbench([], strict: false)
        try await ServiceSession.with(invocation: invocation, bench: bench) { session in
            if save {
                let raw = try await session.service.workflowCatalogueJSON()
                let canonical = try CanonicalJSON.string(JSONReader.parse(raw))
                let path = (bench.root as NSString).appendingPathComponent("hookctl.workflows.json")
                try AtomicFile.write(canonical, to: path)
                invocation.console.info("saved the workflow catalogue to \(path)")
            }
            if let name {
                guard let workflow = try await session.service.workflow(named: name) else {
                    let known = try await session.service.workflows(expandOptions: false).map(\.name)
                    let guess = Suggestion.closest(to: name, in: known).map { "; did you mean '\($0)'?" } ?? ""
                    throw RunnerError.io("no workflow named '\(name)'\(guess) (workflows: \(known.sorted().joined(separator: ", ")))")
                }
                invocation.console.output(global.format == .json ? Self.json([workflow]) : Self.describe(workflow))
            } else if !save || global.format != nil {
                let workflows = try await session.service.workflows(expandOptions: global.format == .json)
                invocation.console.output(global.format == .json ? Self.json(workflows) : Self.table(workflows))
            }
        }
    }

    static func table(_ workflows: [Workflow]) -> String {
        let rows = [["NAME", "VERSION", "DESCRIPTION"]] + workflows.map { [$0.name, $0.version ?? "-", $0.displayName ?? ""] }
        return TextTable.render(rows)
    }

    static func describe(_ workflow: Workflow) -> String {
        var text = "\(workflow.name)  \(workflow.displayName ?? "")  (version \(workflow.version ?? "-"))\n"
        if let description = workflow.description, !description.isEmpty { text += description + "\n" }
        let rows =
            [["OPTION", "TYPE", "REQUIRED", "DEFAULT", "ALLOWED"]]
            + (workflow.options ?? []).map {
                [$0.name, $0.type ?? "-", $0.required ? "yes" : "no", $0.defaultValue ?? "-", $0.allowed.joined(separator: ", ")]
            }
        return text + "\n" + TextTable.render(rows)
    }

    static func json(_ workflows: [Workflow]) -> String {
        CanonicalJSON.string(
            .array(
                workflows.map { workflow in
                    var fields: [String: JSONValue] = ["name": .string(workflow.name)]
                    if let version = workflow.version { fields["version"] = .string(version) }
                    if let display = workflow.displayName { fields["displayName"] = .string(display) }
                    if let options = workflow.options {
                        fields["options"] = .array(
                            options.map { option in
                                .object([
                                    "name": .string(option.name), "type": option.type.map { .string($0) } ?? .null,
                                    "required": .bool(option.required), "default": option.defaultValue.map { .string($0) } ?? .null,
                                    "allowed": .array(option.allowed.map { .string($0) }),
                                ])
                            })
                    }
                    return .object(fields)
                }))
    }

}
