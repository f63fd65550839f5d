import Foundation
import HookClient
import HookCore
import HookS3
import HookSandbox
import Testing

struct ODataTests {
    @Test func `workflows carry their options only when expanded, and one is found by name`() async throws {
        try await Bench.with { bench in
            try await bench.client { service in
                let plain = try await service.workflows(expandOptions: false)
                #expect(plain.count >= 10)
                #expect(plain.allSatisfy { $0.options == nil })
                #expect(plain.map(\.id).first == "1")

                let expanded = try await service.workflows(expandOptions: true)
                #expect(expanded.map(\.name) == plain.map(\.name))
                #expect(expanded.allSatisfy { $0.options != nil })

                let harvest = try #require(try await service.workflow(named: "data-harvest"))
                #expect(harvest.name == "data-harvest")
                let storage = try #require(harvest.options?.first { $0.name == "output_storage" })
                #expect(storage.required)
                #expect(storage.allowed == ["PRIVATE", "TEMPORARY"])
                #expect(harvest.options?.first { $0.name == "source_type" }?.defaultValue == "EXTERNAL")

                #expect(try await service.workflow(named: "no-such-workflow") == nil)
                #expect(try await service.workflow(named: "it's quoted") == nil)
            }
        }
    }

    @Test func `the catalogue JSON is the service's own answer, options included`() async throws {
        try await Bench.with { bench in
            try await bench.client { service in
                let bytes = try await service.workflowCatalogueJSON()
                let json = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
                let value = try #require(json["value"] as? [[String: Any]])
                #expect(value.count == (try await service.workflows(expandOptions: false)).count)
                #expect(value.allSatisfy { $0["WorkflowOptions"] is [Any] })
                #expect(json["@odata.context"] as? String == "$metadata#Workflows/$entity")
            }
        }
    }

    @Test func `an order is submitted, followed to completion, listed, and its product downloaded as a zip`() async throws {
        try await Bench.with(SandboxConfiguration(pace: .milliseconds(200))) { bench in
            try await bench.client { service in
                let order = try await service.submitOrder(json: Bench.harvestOrder(name: "client-e2e"))
                #expect(order.name == "client-e2e")
                #expect(order.status.rawValue == "queued")

                let fetched = try await service.batchOrder(id: order.id)
                #expect(fetched.id == order.id)
                #expect(fetched.name == "client-e2e")

                let items = try await Bench.waitForItems(service, order: order.id)
                let item = try #require(items.first)
                #expect(items.count == 1)
                #expect(item.status.rawValue == "completed")
                #expect(item.inputProductReference == Bench.identifier)
                #expect(item.statusMessage?.isEmpty == false)
                #expect(item.downloadLink?.isEmpty == false)
                #expect(try await service.batchOrder(id: order.id).status.rawValue == "completed")

                let found = try await service.findOrders(named: "client-e2e")
                #expect(found.map(\.id) == [order.id])
                #expect(found.first?.status.rawValue == "completed")
                #expect(found.first?.statusMessage?.isEmpty == false)

                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hookclient-\(UUID().uuidString)")
                defer { try? FileManager.default.removeItem(at: directory) }
                let path = directory.appendingPathComponent("out/product.zip")
                try await service.downloadProduct(batchOrderID: order.id, productID: item.id, to: path)
                let zip = try [UInt8](Data(contentsOf: path))
                #expect(zip.count > 22)
                #expect(Array(zip.prefix(4)) == [0x50, 0x4B, 0x03, 0x04])
                // End of central directory record present near the end.
                #expect(zip.suffix(65_557).windows(ofCount: 4).contains([0x50, 0x4B, 0x05, 0x06]))
                let left = try FileManager.default.contentsOfDirectory(atPath: path.deletingLastPathComponent().path)
                #expect(left == ["product.zip"])
            }
        }
    }

    @Test func `items of a running order are in progress or queued without a download link`() async throws {
        try await Bench.with(SandboxConfiguration(pace: .seconds(30))) { bench in
            try await bench.client { service in
                let order = try await service.submitOrder(json: Bench.harvestOrder(name: "slow", identifiers: [Bench.identifier]))
                let items = try await service.products(batchOrderID: order.id)
                #expect(items.count == 1)
                #expect(items.allSatisfy { ["queued", "in_progress"].contains($0.status.rawValue) })
                #expect(items.allSatisfy { $0.downloadLink == nil })
            }
        }
    }

    @Test func `a rejected order names the offending option and creates nothing`() async throws {
        try await Bench.with { bench in
            try await bench.client { service in
                // `output_storage` a second time: refused as the service refuses a repeated option.
                let body = Bench.harvestOrder(name: "bad", extraOption: #",{"Name":"output_storage","Value":"TEMPORARY"}"#)
                let error = await clientError { _ = try await service.submitOrder(json: body) }
                guard case let .rejected(status, detail)? = error else {
                    Issue.record("expected rejected, got \(String(describing: error))")
                    return
                }
                #expect(status == 422)
                #expect(detail.hasPrefix("`WorkflowOptions.5.Name`: "), "\(detail)")
                #expect(!detail.contains("{"))
                let observed110 = try await bench.acceptedOrderNames()
                #expect(observed110.isEmpty)
            }
        }
    }

    @Test func `unknown orders are rejected with 404`() async throws {
        try await Bench.with { bench in
            try await bench.client { service in
                let error = await clientError { _ = try await service.batchOrder(id: 987_654) }
                guard case .rejected(404, _)? = error else {
                    Issue.record("expected a 404 rejection, got \(String(describing: error))")
                    return
                }
            }
        }
    }

    @Test func `production orders are read page by page until a short page`() async throws {
        try await Bench.with(SandboxConfiguration(pace: .seconds(30))) { bench in
            try await bench.client { service in
                var ids: [Int] = []
                for index in 0..<5 {
                    ids.append(try await service.submitOrder(json: Bench.harvestOrder(name: "paged-\(index)")).id)
                }
                _ = try await service.submitOrder(json: Bench.harvestOrder(name: "other"))
                let before = try await bench.count("GET", "/odata/v1/ProductionOrders")
                let orders = try await service.productionOrders(filter: "startswith(Name,'paged-')", pageSize: 2)
                #expect(try await bench.count("GET", "/odata/v1/ProductionOrders") - before == 3)
                #expect(Set(orders.map(\.id)) == Set(ids))
                #expect(orders.count == 5)
                #expect(Set(orders.map(\.name)) == Set((0..<5).map { "paged-\($0)" }))
                #expect(orders.allSatisfy { $0.statusMessage != nil })

                let exact = try await service.productionOrders(filter: "startswith(Name,'paged-')", pageSize: 5)
                #expect(exact.count == 5)
                #expect(try await service.findOrders(named: "it's not there").isEmpty)
            }
        }
    }

    @Test func `a cancelled order shows as cancelled`() async throws {
        try await Bench.with(SandboxConfiguration(pace: .seconds(30))) { bench in
            try await bench.client { service in
                let order = try await service.submitOrder(json: Bench.harvestOrder(name: "to-cancel"))
                try await service.cancel(productionOrderID: order.id)
                let listed = try await service.productionOrders(filter: "id eq \(order.id)")
                #expect(listed.map(\.status.rawValue) == ["cancelled"])
                #expect(try await service.batchOrder(id: order.id).status.rawValue == "cancelled")
            }
        }
    }
}

extension Collection {
    /// Consecutive runs of `count` elements.
    func windows(ofCount count: Int) -> [[Element]] {
        let all = Array(self)
        guard all.count >= count else { return [] }
        return (0...(all.count - count)).map { Array(all[$0..<$0 + count]) }
    }
}
