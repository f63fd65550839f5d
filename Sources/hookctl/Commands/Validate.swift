import ArgumentParser

// Placeholder: the command's issue replaces this file.
struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Not built yet.")
    @OptionGroup var global: GlobalOptions
    func run() async throws { throw ValidationError("`validate` is not built yet") }
}
