import ArgumentParser

/// SPEC section 3's global flags, included by every command with `@OptionGroup`.
struct GlobalOptions: ParsableArguments {
    @Option(help: "Profile of the project file to use (overrides HOOKCTL_PROFILE and the project's defaultProfile).")
    var profile: String?

    @Flag(help: "Use an embedded sandbox (a local Hook service started in-process) for this command.")
    var sandbox = false

    @Option(help: "Project file (default: hookctl.yaml found by walking up from the manifests).")
    var project: String?

    @Flag(name: .shortAndLong, help: "Print only errors.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Print every request and state change (secrets are never printed).")
    var verbose = false

    @Flag(help: "Never colour output (also: NO_COLOR).")
    var noColor = false

    @Option(help: "Output format: text, table, json, markdown or junit (each command says which it supports).")
    var format: OutputFormat?
}

/// The output formats of `--format`; each command accepts the ones that make sense for it.
enum OutputFormat: String, CaseIterable, ExpressibleByArgument, Sendable {
    case text, table, json, markdown, junit
}
