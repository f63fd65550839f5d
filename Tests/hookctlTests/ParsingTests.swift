import ArgumentParser
import Foundation
import HookRunner
import Testing

@testable import hookctl

/// What each command line asks of its use case, checked in-process (the use cases themselves are tested in
/// HookRunnerTests against a scripted service; the process-level tests here check exit codes and output).
struct ParsingTests {
    @Test func `apply's flags become the apply request`() throws {
        let command = try #require(
            try Hookctl.parseAsRoot(
                ["apply", "--no-wait", "--concurrency", "3", "--timeout", "15m", "--cancel-removed", "--timings", "--retry-all"]) as? Apply)
        let request = command.request
        #expect(!request.wait)
        #expect(request.concurrency == 3)
        #expect(request.timeout == .seconds(900))
        #expect(request.cancelRemoved && request.timings && request.retryAll)
        #expect(request.saved == nil)

        let defaults = try #require(try Hookctl.parseAsRoot(["apply"]) as? Apply).request
        #expect(defaults.wait && defaults.concurrency == 8 && defaults.timeout == nil)
        #expect(!defaults.cancelRemoved && !defaults.timings && !defaults.retryAll)
    }

    @Test func `durations take one unit, and a bad one or a zero concurrency is a usage error`() throws {
        #expect(DurationArgument(argument: "2d")?.duration == .seconds(172_800))
        for bad in ["15", "m", "0s", "-5m", "1.5h", "10w", "99999999999999999d"] {
            #expect(DurationArgument(argument: bad) == nil, "\(bad)")
        }
        #expect(throws: (any Error).self) { try Hookctl.parseAsRoot(["apply", "--concurrency", "0"]) }
        #expect(throws: (any Error).self) { try Hookctl.parseAsRoot(["wait", "--timeout", "soon"]) }
    }

    @Test func `--shard K/N reaches plan, apply, wait, status and outputs, and a bad one is a usage error`() throws {
        for command in ["plan", "apply", "wait", "status", "outputs"] {
            let parsed = try Hookctl.parseAsRoot([command, "--shard", "2/4"])
            let shard =
                (parsed as? Plan)?.sharding.shard ?? (parsed as? Apply)?.sharding.shard ?? (parsed as? Wait)?.sharding.shard
                ?? (parsed as? Status)?.sharding.shard ?? (parsed as? Outputs)?.sharding.shard
            #expect(shard == Shard(index: 2, count: 4), "\(command)")
        }
        for bad in ["0/4", "5/4", "two/4", "4"] {
            #expect(throws: (any Error).self, "\(bad)") { try Hookctl.parseAsRoot(["apply", "--shard", bad]) }
        }
        #expect(try #require(try Hookctl.parseAsRoot(["report", "--merge"]) as? ReportCommand).merge)
    }

    @Test func `a misspelled command or profile gets a did-you-mean`() {
        #expect(Hookctl.misspelledCommand(["aply", "manifests/"])! == (word: "aply", command: "apply"))
        #expect(Hookctl.misspelledCommand(["stauts"])?.command == "status")
        #expect(Hookctl.misspelledCommand(["apply"]) == nil)
        #expect(Hookctl.misspelledCommand(["--help"]) == nil)
        #expect(Hookctl.misspelledCommand(["frobnicate"]) == nil)
        let profile = RunnerError.unknownProfile("sandbx", available: ["dedl", "sandbox"]).localizedDescription
        #expect(profile == "unknown profile 'sandbx'; did you mean 'sandbox'? (profiles: dedl, sandbox)")
    }

    @Test func `global options before the command are moved after it`() {
        #expect(Hookctl.movingGlobalOptions(["--profile", "dedl", "-q", "apply", "x.yaml"]) == ["apply", "--profile", "dedl", "-q", "x.yaml"])
        #expect(Hookctl.movingGlobalOptions(["--format=json", "status"]) == ["status", "--format=json"])
        // Not a command after them: left alone, for ArgumentParser to explain.
        #expect(Hookctl.movingGlobalOptions(["--profile", "dedl", "nonsense"]) == ["--profile", "dedl", "nonsense"])
    }

    @Test func `each verdict has SPEC's exit code`() {
        #expect(ExitCode(RunVerdict.done).rawValue == 0)
        #expect(ExitCode(RunVerdict.rejected).rawValue == 1)
        #expect(ExitCode(RunVerdict.ordersFailed).rawValue == 3)
        #expect(ExitCode(RunVerdict.timedOut).rawValue == 4)
    }

    @Test func `help wraps whole paragraphs at 80 columns, and no example line is broken`() {
        #expect(
            Help.prose("One line\nand its rest.\n\nExamples:\n  hookctl a\n  hookctl b\nAfter.")
                == "One line and its rest.\n\nExamples:\n  hookctl a\n  hookctl b\nAfter.")
        let commands: [any ParsableCommand.Type] = [Hookctl.self] + Hookctl.configuration.subcommands
        for command in commands {
            let lines = Hookctl.helpMessage(for: command, columns: 80).split(separator: "\n", omittingEmptySubsequences: false)
            for (line, next) in zip(lines, lines.dropFirst()) where line.hasPrefix("  hookctl") || line.hasPrefix("  #") {
                #expect(next.isEmpty || next.hasPrefix("  "), "\(command): `\(line)` is continued by `\(next)`")
            }
            #expect(lines.allSatisfy { $0.count <= 80 || $0.hasPrefix("USAGE:") }, "\(command)")
        }
    }
}
