import Foundation
import HookCore
import NIOHTTP1
import Testing

@testable import HookSandbox

struct FilterGrammarTests {
    static let properties: Set<String> = ["Id", "Name", "Status", "WorkflowName"]

    struct Row: Sendable {
        var id: String
        var name: String
        var status: String
        var workflow: String
    }

    static let rows: [Row] = [
        .init(id: "25380", name: "hookctl-a-1234567890", status: "completed", workflow: "data-harvest"),
        .init(id: "25381", name: "hookctl-b-abcdefabcd", status: "queued", workflow: "lai"),
        .init(id: "25382", name: "Tutorial data-harvest - jess11", status: "failed", workflow: "data-harvest"),
        .init(id: "25383", name: "it's quoted", status: "in_progress", workflow: "card_bs"),
    ]

    static func value(_ row: Row, _ property: String) -> FilterValue {
        switch property {
        case "Id": .string(row.id)
        case "Name": .string(row.name)
        case "Status": .string(row.status)
        case "WorkflowName": .string(row.workflow)
        default: .null
        }
    }

    static let matching: [(String, [String])] = [
        ("id eq 25380", ["25380"]),
        ("Id eq '25381'", ["25381"]),
        ("Id ne 25380", ["25381", "25382", "25383"]),
        ("(Name eq 'Tutorial data-harvest - jess11')", ["25382"]),
        ("(endswith(Name,'jess11'))", ["25382"]),
        ("startswith(Name,'hookctl-')", ["25380", "25381"]),
        ("contains(Name,'data-harvest')", ["25382"]),
        ("WorkflowName eq 'data-harvest' and Status eq 'completed'", ["25380"]),
        ("Status eq 'queued' or Status eq 'in_progress'", ["25381", "25383"]),
        ("not (Status eq 'completed')", ["25381", "25382", "25383"]),
        ("not startswith(Name,'hookctl-') and WorkflowName ne 'card_bs'", ["25382"]),
        ("(Status eq 'queued' or Status eq 'failed') and startswith(Name,'hookctl-')", ["25381"]),
        ("Status eq 'queued' or Status eq 'failed' and startswith(Name,'hookctl-')", ["25381"]),
        ("Name eq 'it''s quoted'", ["25383"]),
        ("Id gt 25381", ["25382", "25383"]),
        ("Id le 25381", ["25380", "25381"]),
        ("tolower(WorkflowName) eq 'lai'", ["25381"]),
        ("STATUS eq 'queued'".replacingOccurrences(of: "STATUS", with: "Status"), ["25381"]),
        ("Name eq 'nobody'", []),
        ("((((Id eq 25380))))", ["25380"]),
    ]

    @Test(arguments: matching)
    func `filters select the expected rows`(_ filter: String, _ expected: [String]) throws {
        let expression = try FilterExpression.parse(filter, properties: Self.properties)
        let selected = Self.rows.filter { row in expression.matches { Self.value(row, $0) } }.map(\.id)
        #expect(selected == expected)
    }

    static let refused: [String] = [
        "", "Name eq", "eq 'x'", "Name eq 'unterminated", "Name eq 'x' and", "Name eq 'x' or or Name eq 'y'", "(Name eq 'x'",
        "Name eq 'x')", "Foo eq 1", "endswith(Name)", "endswith(Name,'a','b')", "Name", "Name 'x'", "Name eq 'x' 'y'",
        "Name ~ 'x'", "Name eq 1e999", String(repeating: "(", count: 500) + "Id eq 1" + String(repeating: ")", count: 500),
        String(repeating: "not ", count: 200) + "Id eq 1", String(repeating: "x", count: 9000), "Name eq \"x\"", ",", "()",
        "Id eq 1 and and", "startswith(,)", "\u{0}", "Name eq 'x' and\u{202E}",
    ]

    @Test(arguments: refused)
    func `malformed filters are refused with a message, never a crash`(_ filter: String) {
        #expect(throws: FilterExpression.Invalid.self) { try FilterExpression.parse(filter, properties: Self.properties) }
    }

    @Test func `without $orderby lists come in no set order, the same for a seed; with it, in order`() async throws {
        try await Harness.routed(SandboxConfiguration(pace: .seconds(60), seed: 11)) { h in
            let token = try await h.dedlToken()
            var ids: [Int] = []
            for index in 0..<8 { ids.append(try await h.submit(Harness.harvestBody(name: "unordered-\(index)"), token: token)) }
            func listed(_ query: String) async throws -> [Int] {
                let rows = try await h.get("/odata/v1/ProductionOrders\(query)", token: token).json?["value"]?.arrayValue ?? []
                return rows.compactMap { $0["Id"]?.stringValue.flatMap { Int($0) } }
            }
            let unordered = try await listed("")
            #expect(Set(unordered) == Set(ids))
            #expect(unordered != ids.sorted(), "the real service does not list in id order; neither may the sandbox")
            #expect(try await listed("") == unordered)
            #expect(try await listed("?$top=4") + listed("?$top=4&$skip=4") == unordered)
            #expect(try await listed("?$orderby=Id%20asc") == ids.sorted())
            let workflows = try await h.get("/odata/v1/Workflows", token: token).json?["value"]?.arrayValue?.compactMap { $0["Id"]?.stringValue } ?? []
            let sorted =
                try await h.get("/odata/v1/Workflows?$orderby=Id%20asc", token: token).json?["value"]?.arrayValue?.compactMap { $0["Id"]?.stringValue } ?? []
            #expect(Set(workflows) == Set(sorted) && workflows != sorted)
        }
    }

    @Test func `a seeded fuzz of random filter text never crashes and only parses or refuses`() {
        var generator = SeededGenerator(seed: 42)
        let pieces = [
            "Name", "Id", "id", "Status", "eq", "ne", "and", "or", "not", "(", ")", ",", "'x'", "'", "12", "-3.5", "endswith", "startswith",
            "contains", "tolower", " ", "  ", "true", "null", "$", "é", "\u{0}", "%", "''",
        ]
        var parsed = 0
        for _ in 0..<3000 {
            let count = Int(generator.next() % 14)
            let text = (0..<count).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined(separator: " ")
            if let expression = try? FilterExpression.parse(text, properties: Self.properties) {
                parsed += 1
                _ = Self.rows.filter { row in expression.matches { Self.value(row, $0) } }
            }
        }
        #expect(parsed > 0)
    }

    @Test func `ProductionOrders filters, sorts and pages many orders over HTTP`() async throws {
        try await Harness.routed(SandboxConfiguration(pace: .seconds(60))) { h in
            let token = try await h.dedlToken()
            for i in 0..<30 {
                _ = try await h.submit(Harness.harvestBody(name: i % 3 == 0 ? "other-\(i)" : "hookctl-order-\(i)"), token: token)
            }
            let page1 = try await h.get("/odata/v1/ProductionOrders?$filter=startswith(Name,'hookctl-')&$orderby=Id%20desc&$top=15&$count=true", token: token)
            #expect(page1.status == 200)
            #expect(page1.json?["@odata.count"] == .integer(20))
            let ids1 = page1.json?["value"]?.arrayValue?.compactMap { $0["Id"]?.stringValue } ?? []
            #expect(ids1.count == 15)
            #expect(ids1 == ids1.sorted(by: >))
            let page2 = try await h.get("/odata/v1/ProductionOrders?$filter=startswith(Name,'hookctl-')&$orderby=Id%20desc&$top=15&$skip=15", token: token)
            let ids2 = page2.json?["value"]?.arrayValue?.compactMap { $0["Id"]?.stringValue } ?? []
            #expect(ids2.count == 5)
            #expect(Set(ids1).isDisjoint(with: ids2))
            let queued = try await h.get("/odata/v1/ProductionOrders?$filter=Status%20eq%20'queued'%20and%20not%20startswith(Name,'hookctl-')", token: token)
            #expect(queued.json?["value"]?.arrayValue?.count == 10)
            let byName = try await h.get("/odata/v1/ProductionOrders?$filter=Name%20eq%20'hookctl-order-4'", token: token)
            #expect(byName.json?["value"]?.arrayValue?.count == 1)
        }
    }

    @Test func `lookups by id or name select exactly what the filter accepts`() async throws {
        try await Harness.routed(SandboxConfiguration(pace: .seconds(60))) { h in
            let token = try await h.dedlToken()
            var ids: [Int] = []
            for name in ["a-1", "a-2", "7", "a-4"] { ids.append(try await h.submit(Harness.harvestBody(name: name), token: token)) }
            func listed(_ filter: String) async throws -> [String] {
                let query = filter.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? filter
                let reply = try await h.get("/odata/v1/ProductionOrders?$filter=\(query)&$orderby=Id%20asc", token: token)
                #expect(reply.status == 200, "\(filter): \(reply.text)")
                return reply.json?["value"]?.arrayValue?.compactMap { $0["Name"]?.stringValue } ?? []
            }
            // A number matches the id it equals; a string only the id it spells exactly.
            #expect(try await listed("Id eq \(ids[0]) or id eq '\(ids[1])' or Id eq '0\(ids[3])' or Id eq 99999999") == ["a-1", "a-2"])
            #expect(try await listed("Id eq \(ids[3]).0 or Id eq \(ids[2])") == ["7", "a-4"])
            #expect(try await listed("Id eq true or Id eq null") == [])
            #expect(try await listed("Name eq 'a-2' or Name eq 'a-4' or Name eq 'a-9'") == ["a-2", "a-4"])
            // A number compared with a name that is one matches it: not a plain lookup, still the same answer.
            #expect(try await listed("Name eq 7 or Name eq 'a-1'") == ["a-1", "7"])
        }
    }

    @Test func `listings beyond 1000 rows come in pages linked by nextLink`() async throws {
        try await Harness.routed(SandboxConfiguration(pace: .seconds(60))) { h in
            let token = try await h.dedlToken()
            let body = Harness.harvestBody(name: "many")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        for _ in stride(from: worker, to: 1003, by: 4) { _ = try await h.submit(body, token: token) }
                    }
                }
                try await group.waitForAll()
            }
            let first = try await h.get("/odata/v1/ProductionOrders?$filter=Name%20eq%20'many'&$count=true", token: token)
            #expect(first.json?["@odata.count"] == .integer(1003))
            #expect(first.json?["value"]?.arrayValue?.count == 1000)
            let next = try #require(first.json?["@odata.nextLink"]?.stringValue)
            let second = try await h.get(next, token: token)
            #expect(second.json?["value"]?.arrayValue?.count == 3)
            #expect(second.json?["@odata.nextLink"] == nil)
            let ids = (first.json?["value"]?.arrayValue ?? []) + (second.json?["value"]?.arrayValue ?? [])
            #expect(Set(ids.compactMap { $0["Id"]?.stringValue }).count == 1003)
        }
    }

    @Test(arguments: [
        "$filter=Name%20eq", "$filter=Bogus%20eq%201", "$orderby=Bogus", "$orderby=Id%20sideways", "$top=-1", "$skip=x", "$count=maybe",
        "$filter=" + String(repeating: "(", count: 3000),
    ])
    func `bad query options get 400 with a detail over HTTP`(_ query: String) async throws {
        try await Harness.routed { h in
            let token = try await h.dedlToken()
            let reply = try await h.get("/odata/v1/ProductionOrders?\(query)", token: token)
            #expect(reply.status == 400)
            #expect(reply.json?["detail"]?.stringValue?.isEmpty == false)
        }
    }
}
