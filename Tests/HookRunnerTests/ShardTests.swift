import Foundation
import HookCore
import Synchronization
import Testing

@testable import HookRunner

/// `--shard K/N` and `report --merge` (SPEC 10).
struct ShardTests {
    @Test func `a key's shard is 1 + the first 8 bytes of its SHA-256, big-endian, mod N`() {
        // Expected values computed independently: python3 -c "import hashlib; d = hashlib.sha256(b'alpha').digest();
        // print(1 + int.from_bytes(d[:8], 'big') % 4)"
        #expect(Shard.index(of: "alpha", among: 2) == 1)
        #expect(Shard.index(of: "alpha", among: 3) == 3)
        #expect(Shard.index(of: "alpha", among: 4) == 3)
        #expect(Shard.index(of: "beta", among: 2) == 2)
        #expect(Shard.index(of: "o2", among: 4) == 4)
        #expect(Shard("2/4") == Shard(index: 2, count: 4))
        for bad in ["0/2", "3/2", "1/0", "1", "a/b", "1/2/3", "-1/2", ""] { #expect(Shard(bad) == nil, "\(bad)") }
    }

    static func manifests(_ count: Int) -> String {
        (1...count).map { index in
            """
            apiVersion: hookctl/v1
            kind: Order
            metadata: {name: o\(index)}
            spec:
              workflow: data-harvest
              identifiers: [ID-\(index)]
              source: {collection: EO.ESA.DAT.SENTINEL-2.MSI.L1C}
            """
        }.joined(separator: "\n---\n")
    }

    @Test func `shards apply disjoint parts with their own state, report --merge sees them all, and a new N sends nothing twice`()
        async throws
    {
        let project = try UseCaseProject(manifests: ["orders.yaml": Self.manifests(8)])
        var keysByShard: [Set<String>] = []
        for index in 1...2 {
            let shard = try #require(Shard(index: index, count: 2))
            let result = try await project.context(shard: shard).apply(ApplyRequest())
            #expect(result.verdict == .done)
            let keys = Set(result.report.orders.map(\.key))
            #expect(keys.allSatisfy { Shard.index(of: $0, among: 2) == index })
            let lock = try project.read("hookctl.sandbox.\(index)-of-2.lock")
            for key in keys { #expect(lock.contains("\"\(key)\": {")) }
            keysByShard.append(keys)
        }
        #expect(keysByShard[0].isDisjoint(with: keysByShard[1]))
        #expect(keysByShard[0].union(keysByShard[1]) == Set((1...8).map { "o\($0)" }))
        #expect(project.submissions == 8)
        #expect(!FileManager.default.fileExists(atPath: project.path("hookctl.sandbox.lock")))

        let merged = try await project.context().report(into: nil, merge: true)
        #expect(merged.orders.map(\.key) == (1...8).map { "o\($0)" }.sorted())
        #expect(merged.summary["completed"] == 8)
        #expect(try project.read("reports/report.json").contains("\"o8\""))

        // Three shards now: each finds its orders at the service by name and adopts them.
        for index in 1...3 {
            let result = try await project.context(shard: try #require(Shard(index: index, count: 3))).apply(ApplyRequest())
            #expect(result.verdict == .done)
        }
        #expect(project.submissions == 8)
        #expect(project.log.all.filter { if case .adopted = $0 { true } else { false } }.count == 8)
    }

    @Test func `a key found in several shard states takes the record of its latest attempt`() throws {
        let order = PlanTests.desired("a")
        let first = PlanTests.record(order, status: .failed, id: 100)
        var retried = first
        retried.attempts.append(Attempt(number: 2, name: order.name(attempt: 2), identifiers: order.identifiers, id: 101, status: .completed))
        #expect(RunContext<ImmediateClock>.isLater(retried, than: first))
        #expect(!RunContext<ImmediateClock>.isLater(first, than: retried))
        #expect(RunContext<ImmediateClock>.isShardTag("2-of-4"))
        #expect(!RunContext<ImmediateClock>.isShardTag("5-of-4") && !RunContext<ImmediateClock>.isShardTag("journal"))
    }
}
