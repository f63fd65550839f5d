import Foundation
import HookCore
import NIOHTTP1
import Testing

@testable import HookSandbox

struct WorkflowRouteTests {
    @Test func `workflows are listed with string ids, numeric Id ordering and no options unless expanded`() async throws {
        try await Harness.routed { h in
            let token = try await h.dedlToken()
            let reply = try await h.get("/odata/v1/Workflows?$orderby=Id%20asc", token: token)
            #expect(reply.status == 200)
            #expect(reply.json?["@odata.context"]?.stringValue == "$metadata#Workflows/$entity")
            let list = try #require(reply.json?["value"]?.arrayValue)
            #expect(list.compactMap { $0["Id"]?.stringValue } == ["1", "2", "3", "5", "6", "8", "10", "11", "45", "46"])
            #expect(list.allSatisfy { $0["WorkflowOptions"] == nil })
            #expect(list.first?["Uuid"] == .null)
            let desc = try await h.get("/odata/v1/Workflows?%24orderby=Id+desc", token: token)
            #expect(desc.json?["value"]?.arrayValue?.first?["Id"]?.stringValue == "46")
        }
    }

    @Test(arguments: ["(Name eq 'data-harvest')", "Name eq 'data-harvest'", "Name+eq+'data-harvest'", "(Name%20eq%20'data-harvest')"])
    func `one workflow is found by name with its options inserted after WorkflowVersion`(_ filter: String) async throws {
        try await Harness.routed { h in
            let token = try await h.dedlToken()
            let encoded = filter.replacingOccurrences(of: " ", with: "%20")
            let reply = try await h.get("/odata/v1/Workflows?$expand=WorkflowOptions&$filter=\(encoded)", token: token)
            #expect(reply.status == 200)
            let list = try #require(reply.json?["value"]?.arrayValue)
            #expect(list.count == 1)
            guard case .orderedObject(let members)? = list.first else {
                Issue.record("not an object")
                return
            }
            let keys = members.map(\.key)
            let index = try #require(keys.firstIndex(of: "WorkflowVersion"))
            #expect(keys[index + 1] == "WorkflowOptions")
            let options = try #require(list.first?["WorkflowOptions"]?.arrayValue)
            let storage = try #require(options.first { $0["Name"]?.stringValue == "output_storage" })
            #expect(storage["Type"]?.stringValue == "str")
            #expect(storage["Required"] == .bool(true))
            #expect(
                storage["Value"]
                    == .array([
                        .ordered([("value", .string("PRIVATE")), ("condition", .null)]), .ordered([("value", .string("TEMPORARY")), ("condition", .null)]),
                    ]))
            #expect(options.contains { $0["Name"]?.stringValue == "desp_source_collection" })
            #expect(options.first { $0["Name"]?.stringValue == "source_type" }?["Default"]?.stringValue == "EXTERNAL")
        }
    }

    @Test func `card_cohinf declares an int timespan and an enum product type`() async throws {
        try await Harness.routed { h in
            let token = try await h.dedlToken()
            let reply = try await h.get("/odata/v1/Workflows?$expand=WorkflowOptions&$filter=Name%20eq%20'card_cohinf'", token: token)
            let options = try #require(reply.json?["value"]?.arrayValue?.first?["WorkflowOptions"]?.arrayValue)
            let timespan = try #require(options.first { $0["Name"]?.stringValue == "timespan" })
            #expect(timespan["Type"]?.stringValue == "int")
            #expect(timespan["Default"] == .integer(24))
            let type = try #require(options.first { $0["Name"]?.stringValue == "card_producttype" })
            #expect(type["Value"]?.arrayValue?.count == 2)
        }
    }

    @Test func `an unknown workflow name gives an empty list and paging options work`() async throws {
        try await Harness.routed { h in
            let token = try await h.dedlToken()
            let none = try await h.get("/odata/v1/Workflows?$filter=Name%20eq%20'nope'", token: token)
            #expect(none.json?["value"] == .array([]))
            let paged = try await h.get("/odata/v1/Workflows?$orderby=Id&$top=2&$skip=1&$count=true", token: token)
            #expect(paged.json?["@odata.count"] == .integer(10))
            #expect(paged.json?["value"]?.arrayValue?.compactMap { $0["Name"]?.stringValue } == ["lai", "odp-test"])
        }
    }
}
