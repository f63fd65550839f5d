import ArgumentParser

// Placeholder: the command's issue replaces this file.
struct Sandbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Not built yet.")
    @OptionGroup var global: GlobalOptions
    func run() async throws { throw ValidationError("`sandbox` is not built yet") }
}
