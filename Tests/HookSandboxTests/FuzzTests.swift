import Foundation
import HookCore
import NIOHTTP1
import Testing

@testable import HookSandbox

/// Seeded, bounded fuzzing of the routes that parse input: nothing may crash, hang or answer 5xx.
struct FuzzTests {
    static let alphabet: [UInt8] = Array(#"{}[]",:01234567890.-+eE truefalsnul\"'()$&=%/?#abcXYZ_"#.utf8) + [0, 0x0A, 0xC3, 0xA9, 0xFF, 0x80]

    static func mutate(_ bytes: [UInt8], _ g: inout SeededGenerator) -> [UInt8] {
        var out = bytes
        let edits = 1 + Int(g.next() % 6)
        for _ in 0..<edits {
            let choice = g.next() % 4
            let position = out.isEmpty ? 0 : Int(g.next() % UInt64(out.count))
            switch choice {
            case 0 where !out.isEmpty: out.remove(at: position)
            case 1: out.insert(alphabet[Int(g.next() % UInt64(alphabet.count))], at: position)
            case 2 where !out.isEmpty: out[position] = alphabet[Int(g.next() % UInt64(alphabet.count))]
            default:
                let cut = out.isEmpty ? 0 : Int(g.next() % UInt64(out.count))
                out = Array(out.prefix(cut))
            }
        }
        return out
    }

    @Test func `mutated order bodies get 201, 413 or 422, never a 5xx`() async throws {
        try await Harness.with(SandboxConfiguration(pace: .seconds(60))) { h in
            let token = try await h.dedlToken()
            var g = SeededGenerator(seed: 2024)
            let seed = Array(Harness.harvestBody().utf8)
            var statuses: Set<Int> = []
            for _ in 0..<250 {
                let body = Self.mutate(seed, &g)
                let reply = try await h.send(.POST, "/odata/v1/BatchOrder/OData.CSC.Order", body: body, token: token)
                statuses.insert(reply.status)
                #expect([201, 413, 422].contains(reply.status), "\(String(decoding: body, as: UTF8.self)) -> \(reply.status) \(reply.text)")
                if reply.status == 422 { #expect(reply.json?["detail"]?.arrayValue?.isEmpty == false) }
            }
            #expect(statuses.contains(422))
            // Deep nesting and a huge flat object stay bounded.
            let deep = String(repeating: "[", count: 100_000)
            #expect(try await h.post("/odata/v1/BatchOrder/OData.CSC.Order", json: deep, token: token).status == 422)
            let wide = "{" + (0..<40_000).map { "\"k\($0)\":1" }.joined(separator: ",") + "}"
            #expect(try await h.post("/odata/v1/BatchOrder/OData.CSC.Order", json: wide, token: token).status == 422)
            #expect(try await h.get("/sandbox/stats").status == 200)
        }
    }

    @Test func `random form posts to the token endpoints and the login form never break them`() async throws {
        try await Harness.with { h in
            var g = SeededGenerator(seed: 99)
            let names = [
                "grant_type", "client_id", "client_secret", "username", "password", "code", "redirect_uri", "subject_token", "subject_issuer",
                "audience", "refresh_token", "otp", "", "%", "=&=",
            ]
            let values = [
                "password", "client_credentials", "authorization_code", "urn:ietf:params:oauth:grant-type:token-exchange", "refresh_token",
                "demo", "hda-public", "dedl-hda", "a.b.c", "", "%ZZ", String(repeating: "x", count: 5000), "é\u{0}", "desp-oidc",
            ]
            let urls = [h.base + "/realms/desp/protocol/openid-connect/token", h.dedlTokenURL]
            for i in 0..<300 {
                var form: [(String, String)] = []
                for _ in 0..<Int(g.next() % 6) { form.append((names[Int(g.next() % UInt64(names.count))], values[Int(g.next() % UInt64(values.count))])) }
                var body = Array(FormData.encode(form).utf8)
                if g.next() % 4 == 0 { body = Self.mutate(body, &g) }
                let reply = try await h.send(.POST, urls[i % 2], headers: [("Content-Type", "application/x-www-form-urlencoded")], body: body)
                #expect([200, 400, 401].contains(reply.status), "\(String(decoding: body, as: UTF8.self)) -> \(reply.status)")
                if reply.status != 200 { #expect(reply.json?["error"]?.stringValue != nil) }
            }
            let action = try await h.loginAction()
            for _ in 0..<100 {
                var form: [(String, String)] = []
                for _ in 0..<Int(g.next() % 4) { form.append((names[Int(g.next() % UInt64(names.count))], values[Int(g.next() % UInt64(values.count))])) }
                let reply = try await h.postForm(action, form)
                #expect([200, 302].contains(reply.status))
            }
            let huge = [UInt8](repeating: UInt8(ascii: "a"), count: 2 << 20)
            let big = try await h.send(.POST, urls[1], headers: [("Content-Type", "application/x-www-form-urlencoded")], body: huge)
            #expect(big.status == 400)
        }
    }

    @Test func `random paths and query strings under /odata/v1 get 2xx or 4xx answers`() async throws {
        try await Harness.with { h in
            let token = try await h.dedlToken()
            let id = try await h.submit(Harness.harvestBody(), token: token)
            var g = SeededGenerator(seed: 7)
            let paths = [
                "Workflows", "ProductionOrders", "BatchOrder(\(id))", "BatchOrder(\(id))/Products", "BatchOrder(\(id))/Product(1)", "BatchOrder(x)/Products",
                "BatchOrder(99999999999999999999)", "BatchOrder()", "BatchOrder(\(id))/Product(\(id))/$value", "ProductionOrder(\(id))/OData.CSC.Cancel",
                "ProductionOrders('\(id)')", "%2e%2e/%2e%2e/etc/passwd", "Workflows%00", "(((", "BatchOrder(1)/Product(", "$metadata",
            ]
            let queries = [
                "$filter=", "$filter=Name eq 'x'", "$top=", "$skip=-", "$orderby=Name desc,Id", "$count=true", "$expand=*", "%24filter=id+eq+1",
                "$filter=%ZZ", "$filter=contains(Name,'\u{1F600}')", "&&&", "=", "$top=99999999999999999999",
            ]
            for _ in 0..<300 {
                let path = paths[Int(g.next() % UInt64(paths.count))]
                var query = queries[Int(g.next() % UInt64(queries.count))]
                if g.next() % 3 == 0 { query = String(decoding: Self.mutate(Array(query.utf8), &g), as: UTF8.self) }
                let encoded = query.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "#"))) ?? ""
                let reply = try await h.get("/odata/v1/\(path)?\(encoded)", token: token)
                #expect((200..<500).contains(reply.status), "\(path)?\(query) -> \(reply.status) \(reply.text.prefix(200))")
            }
        }
    }

    @Test(arguments: [
        "limit=0", "limit=-1", "limit=99999999999999999999", "offset=9223372036854775807", "offset=-1", "offset=x", "limit=10&offset=9223372036854775800",
        "ids=,,,", "collections=%00", "limit=10000&offset=100000000",
    ])
    func `extreme STAC paging values are refused or served, never a crash`(_ query: String) async throws {
        try await Harness.with { h in
            for path in ["/stac/search", "/stac/collections/EO.ESA.DAT.SENTINEL-2.MSI.L1C/items"] {
                let reply = try await h.get("\(path)?\(query)")
                #expect([200, 400].contains(reply.status), "\(path)?\(query) -> \(reply.status)")
            }
            let body = #"{"limit": 10, "offset": 9223372036854775807}"#
            #expect(try await h.post("/stac/search", json: body).status == 400)
            #expect(try await h.get("/sandbox/stats").status == 200)
        }
    }
}
