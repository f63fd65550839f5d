import Foundation
import HookClient
import HookS3
import HookSandbox
import Testing

/// Every OData call hookctl makes, against the sandbox over HTTP.
struct ODataCallTests {
    @Test func `workflows come with their options only when asked, in both Value shapes`() async throws {
        try await ClientHarness.with { harness in
            try await harness.client { service in
                let plain = try await service.workflows(expandOptions: false)
                #expect(plain.allSatisfy { $0.options == nil })
                let expanded = try await service.workflows(expandOptions: true)
                let harvest = try #require(expanded.first { $0.name == "data-harvest" })
                let storage = try #require(harvest.options?.first { $0.name == "output_storage" })
                #expect(Set(storage.allowed) == ["PRIVATE", "TEMPORARY"])
                #expect(try await service.workflow(named: "no-such-workflow") == nil)
                let raw = try await service.workflowCatalogueJSON()
                #expect(String(decoding: raw, as: UTF8.self).contains("\"WorkflowOptions\""))
            }
        }
    }

    @Test func `an order goes from submission to products, listed and found by name`() async throws {
        try await ClientHarness.with { harness in
            try await harness.client { service in
                let order = try await service.submitOrder(json: ClientHarness.orderBody(name: "hookctl-client-test"))
                #expect(order.status.rawValue == "queued")
                #expect(try await service.batchOrder(id: order.id).name == "hookctl-client-test")
                let found = try await service.findOrders(named: "hookctl-client-test")
                #expect(found.map(\.id) == [order.id])
                var items: [BatchOrderItem] = []
                for _ in 0..<100 {
                    items = try await service.products(batchOrderID: order.id)
                    if items.allSatisfy({ $0.status.rawValue == "completed" }) { break }
                    try await Task.sleep(for: .milliseconds(50))
                }
                let item = try #require(items.first)
                #expect(item.status.rawValue == "completed")
                #expect(item.inputProductReference.hasSuffix(".SAFE"))
                #expect(item.downloadLink?.hasSuffix("/$value") == true)
                #expect(item.statusMessage == "Processing finished successfully")
            }
        }
    }

    @Test func `a refused order is one clear line naming the problem`() async throws {
        try await ClientHarness.with { harness in
            try await harness.client { service in
                let error = try await #require(throws: ClientError.self) {
                    _ = try await service.submitOrder(json: ClientHarness.orderBody(name: "bad", workflow: "no-such-workflow"))
                }
                guard case .rejected(let status, let detail) = error else { Issue.record("expected rejected, got \(error)"); return }
                #expect(status == 422)
                #expect(detail.contains("no-such-workflow") || detail.localizedCaseInsensitiveContains("workflow"), "\(detail)")
                #expect(!detail.contains("{"), "a decoded message, not a JSON dump: \(detail)")
            }
        }
    }

    @Test func `listings page through every match and cancel stops a queued order`() async throws {
        var configuration = SandboxConfiguration(pace: .seconds(30))
        configuration.seed = 3
        try await ClientHarness.with(configuration) { harness in
            try await harness.client { service in
                var ids: [Int] = []
                for index in 0..<5 { ids.append(try await service.submitOrder(json: ClientHarness.orderBody(name: "page-\(index)")).id) }
                let all = try await service.productionOrders(filter: "startswith(Name,'page-')", pageSize: 2)
                #expect(Set(all.map(\.id)) == Set(ids))
                #expect(try await harness.count(route: "/odata/v1/ProductionOrders") == 3)
                try await service.cancel(productionOrderID: ids[0])
                let cancelled = try await service.productionOrders(filter: "Id eq \(ids[0])")
                #expect(cancelled.first?.status.rawValue == "cancelled")
            }
        }
    }

    @Test func `safe calls ride out 5xx, 429 and dropped connections, and say so`() async throws {
        let configuration = SandboxConfiguration(pace: .milliseconds(300), failRate: 0.3, throttleRate: 0.1, dropRate: 0.05, seed: 42)
        try await ClientHarness.with(configuration) { harness in
            let retries = RetryLog()
            var policy = RetryPolicy()
            policy.baseDelay = .milliseconds(10)
            policy.maxDelay = .milliseconds(200)
            try await harness.client(retry: policy, retries: retries) { service in
                for _ in 0..<30 { _ = try await service.workflows(expandOptions: false) }
            }
            #expect(retries.all.count >= 5, "\(retries.all)")
            #expect(retries.all.contains { $0.contains("429") })
        }
    }

    @Test func `a submission under faults is created once or reported as unknown, never duplicated`() async throws {
        let configuration = SandboxConfiguration(pace: .milliseconds(300), failRate: 0.3, dropRate: 0.1, seed: 9)
        try await ClientHarness.with(configuration) { harness in
            var policy = RetryPolicy()
            policy.baseDelay = .milliseconds(10)
            var unknown = 0
            try await harness.client(retry: policy) { service in
                for index in 0..<15 {
                    do {
                        _ = try await service.submitOrder(json: ClientHarness.orderBody(name: "faulty-\(index)"))
                    } catch ClientError.submissionOutcomeUnknown {
                        unknown += 1
                    }
                }
            }
            let names = try await harness.acceptedNames()
            #expect(Set(names).count == names.count, "submitted twice: \(names)")
            #expect(names.count >= 15 - unknown)
            #expect(unknown > 0, "with 30% 5xx some outcomes must be unknown")
        }
    }

    @Test func `an unreachable service is reported, after a few attempts`() async throws {
        let configuration = ServiceConfiguration(
            serviceURL: URL(string: "http://127.0.0.1:9/odata/v1/")!, identity: IdentityConfiguration(despURL: nil, dedlTokenURL: nil),
            credentials: .token(Secret("x")))
        let error = try await #require(throws: ClientError.self) {
            try await HookService.with(configuration, logger: ClientHarness.quiet) { _ = try await $0.workflows(expandOptions: false) }
        }
        guard case .unreachable(let url, _) = error else { Issue.record("expected unreachable, got \(error)"); return }
        #expect(url.hasPrefix("http://127.0.0.1:9/odata/v1/Workflows"))
    }
}
