import HookCore
import NIOHTTP1
import Testing

@testable import HookSandbox

/// How requests reach their routes: escaped paths, OData keys, wrong methods, request bodies' key order.
struct RoutingTests {
    @Test func `printable escapes are undone before routing, separators and the query stay escaped`() {
        #expect(PathUnescapingResponder.unescape("/odata/v1/BatchOrder%2812%29/Product%283%29/%24value") == "/odata/v1/BatchOrder(12)/Product(3)/$value")
        #expect(PathUnescapingResponder.unescape("/stac/collections/a%2Fb/items/c%3Fd%25e%23") == "/stac/collections/a%2Fb/items/c%3Fd%25e%23")
        #expect(PathUnescapingResponder.unescape("/bad%2/%zz%") == "/bad%2/%zz%")
    }

    @Test func `an OData key needs its closing parenthesis, a wrong method gets 405 before the token check`() async throws {
        try await Harness.routed { h in
            #expect(try await h.get("/odata/v1/BatchOrder(12").status == 401)  // matched the route's prefix, then no token
            let token = try await h.dedlToken()
            #expect(try await h.get("/odata/v1/BatchOrder(12", token: token).status == 404)
            #expect(try await h.get("/odata/v1/BatchOrder('x')", token: token).status == 422)
            let wrong = try await h.send(.PUT, "/odata/v1/Workflows")
            #expect(wrong.status == 405)
            #expect(wrong.text == #"{"detail":"Method Not Allowed"}"#)
            #expect(try await h.send(.DELETE, "/sandbox/stats").status == 405)
        }
    }

    @Test func `request bodies keep their key order, a repeated key its first place and last value`() throws {
        let value = try JSONReader.parse(Array(#"{"b":1,"a":{"y":0,"x":1},"b":3}"#.utf8), keepingOrder: true)
        #expect(value == .ordered([("b", .integer(3)), ("a", .ordered([("y", .integer(0)), ("x", .integer(1))]))]))
    }
}
