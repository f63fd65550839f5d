import ArgumentParser

@main
struct Hookctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hookctl",
        abstract: "Declarative runner for the DestinE Data Lake Hook service.",
        discussion: """
            Keep YAML order manifests in git; hookctl validates them, submits them as orders, waits for them
            and writes reproducible reports. PATH arguments are manifest files or folders (default: manifests/).
            """,
        version: "0.1.0",
        subcommands: [
            Validate.self, Render.self, Plan.self, Apply.self, Status.self, Wait.self, ReportCommand.self, Outputs.self,
            Workflows.self, Sandbox.self,
        ]
    )
}
