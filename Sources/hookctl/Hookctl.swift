import ArgumentParser
import Foundation
import HookManifest
import HookRunner

#if canImport(Glibc)
    import Glibc
#endif

@main
struct Hookctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hookctl",
        abstract: "Declarative runner for the DestinE Data Lake Hook service.",
        discussion: Help.prose(
            """
            Keep YAML order manifests in git; hookctl validates them, submits them as orders, waits for them \
            and writes reproducible reports. PATH arguments are manifest files or folders (default: manifests/).

            Quick start (no account needed: the project's default profile is an embedded sandbox):
              hookctl validate && hookctl plan && hookctl apply

            Exit codes: 0 done, 1 error, 2 plan has changes (--detailed-exitcode), 3 an order failed,
            4 waiting timed out, 130 interrupted (state saved).

            Shell completions: hookctl --generate-completion-script bash|zsh|fish
            """),
        version: hookctlVersion,
        subcommands: [
            Validate.self, Render.self, Check.self, Plan.self, Apply.self, Status.self, Wait.self, ReportCommand.self, Outputs.self,
            Workflows.self, Sandbox.self,
        ]
    )

    /// Parses and runs the command. Failures of the work itself (a refused login, an unreachable service, a bad
    /// lock file...) print as one `error: ...` line, like diagnostics, and exit 1; so do command-line mistakes
    /// (ArgumentParser's message and usage), since SPEC gives every error exit code 1.
    static func main() async {
        #if canImport(Glibc)
            // Transfers hold buffers of up to 16 MiB (S3 parts). Once one is freed, glibc raises its mmap threshold and
            // serves the next from the heap, where freed memory stays resident (a 1 GiB mirror peaked at 118 MiB);
            // a fixed threshold keeps large blocks mapped and returned when freed (63 MiB; bench/client/mirror.sh).
            // (`mallopt` is in <malloc.h>, which Swift's Glibc module does not import: looked up by name instead.)
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
            if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {
                _ = unsafeBitCast(symbol, to: Mallopt.self)(mmapThreshold, 1 << 20)
            }
        #endif
        let arguments = movingGlobalOptions(Array(CommandLine.arguments.dropFirst()))
        if let typo = misspelledCommand(arguments) {
            FileHandle.standardError.write(Data("error: unknown command '\(typo.word)'; did you mean '\(typo.command)'?\n".utf8))
            Foundation.exit(ExitCode.error.rawValue)
        }
        let command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            fail(error)
        }
        do {
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                var synchronous = command
                try synchronous.run()
            }
        } catch let error as ExitCode {
            fail(error)
        } catch let error as CleanExit {
            fail(error)
        } catch let error as ValidationError {
            fail(error)
        } catch  where String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") {
            // Help and usage (e.g. `hookctl help validate` runs a command that throws to print help).
            fail(error)
        } catch {
            let message = (error as? any LocalizedError)?.errorDescription ?? String(describing: error)
            let label =
                isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
                    && !CommandLine.arguments.contains("--no-color") ? "\u{1B}[1;31merror:\u{1B}[0m" : "error:"
            FileHandle.standardError.write(Data("\(label) \(message)\n".utf8))
            Foundation.exit(ExitCode.error.rawValue)
        }
    }

    /// Global options may come before the command (`hookctl --profile dedl apply`), as users write them: they are
    /// moved after it, where every command reads them.
    static func movingGlobalOptions(_ arguments: [String]) -> [String] {
        // Arrays, not sets: a handful of names, and the first `Set<String>` of a process costs a runtime type lookup.
        let valued = ["--profile", "--project", "--format"]
        let flags = ["--sandbox", "--quiet", "-q", "--verbose", "-v", "--no-color"]
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = String(argument.prefix { $0 != "=" })
            if flags.contains(argument) || (valued.contains(name) && argument.contains("=")) {
                leading.append(argument)
                index += 1
            } else if valued.contains(argument), index + 1 < arguments.count {
                leading += arguments[index...(index + 1)]
                index += 2
            } else {
                break
            }
        }
        guard !leading.isEmpty, index < arguments.count, configuration.subcommands.contains(where: { $0._commandName == arguments[index] }) else {
            return arguments
        }
        return [arguments[index]] + leading + arguments[(index + 1)...]
    }

    /// A first argument that is no command but close to one (`hookctl aply`), and that command.
    static func misspelledCommand(_ arguments: [String]) -> (word: String, command: String)? {
        guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
        let commands = configuration.subcommands.map { $0._commandName } + ["help"]
        guard !commands.contains(first), let command = Suggestion.closest(to: first, in: commands) else { return nil }
        return (first, command)
    }

    /// ArgumentParser's own exit (help, usage, exit codes), except that a usage error exits 1 (SPEC: every error is
    /// 1), not 64.
    static func fail(_ error: any Error) -> Never {
        guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
        FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
        Foundation.exit(ExitCode.error.rawValue)
    }
}
