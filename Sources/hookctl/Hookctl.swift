import ArgumentParser

@main
struct Hookctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hookctl",
        abstract: "Declarative runner for the DestinE Data Lake Hook service.",
        discussion: """
            Keep YAML order manifests in git; hookctl validates them, submits them as orders, waits for them \
            and writes reproducible reports. PATH arguments are manifest files or folders (default: manifests/).

            Quick start (no account needed: the project's default profile is an embedded sandbox):
              hookctl validate && hookctl plan && hookctl apply

            Exit codes: 0 done, 1 error, 2 plan has changes (--detailed-exitcode), 3 an order failed,
            4 waiting timed out, 130 interrupted (state saved).
            Shell completions: hookctl --generate-completion-script bash|zsh|fish
            """,
        version: "0.1.0",
        subcommands: [
            Validate.self, Render.self, Plan.self, Apply.self, Status.self, Wait.self, ReportCommand.self, Outputs.self,
            Workflows.self, Sandbox.self,
        ]
    )
}
