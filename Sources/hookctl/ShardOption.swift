import ArgumentParser
import HookRunner

/// `--shard K/N` (SPEC 10), on the commands that work on orders: plan, apply, wait, status, outputs.
struct ShardOption: ParsableArguments {
    @Option(
        name: .customLong("shard"),
        help: "Work on shard K of N only (orders whose key hashes there), with that shard's own state (e.g. 2/4).")
    var text: String?

    var shard: Shard? { text.flatMap(Shard.init) }

    func validate() throws {
        if let text, Shard(text) == nil { throw ValidationError("--shard must be K/N with 1 <= K <= N, got '\(text)'") }
    }
}
