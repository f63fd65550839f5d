import Foundation
import HookCore
import NIOHTTP1
import Testing

@testable import HookSandbox

struct ExternalSourceTests {
    private func body(_ h: Harness, identifier: String, password: String = "demo", collection: String = "EO.ESA.DAT.SENTINEL-2.MSI.L1C") -> String {
        """
        {"Name":"external","WorkflowName":"data-harvest","IdentifierList":["\(identifier)"],"WorkflowOptions":[
        {"Name":"output_storage","Value":"TEMPORARY"},{"Name":"source_type","Value":"EXTERNAL"},
        {"Name":"source_catalogue_api_url","Value":"\(h.base)/stac"},{"Name":"source_catalogue_api_type","Value":"STAC"},
        {"Name":"source_token_url","Value":"\(h.dedlTokenURL)"},{"Name":"source_grant_type","Value":"PASSWORD"},
        {"Name":"source_auth_header_name","Value":"Authorization"},{"Name":"source_username","Value":"demo"},
        {"Name":"source_password","Value":"\(password)"},{"Name":"source_client_id","Value":"hda-public"},
        {"Name":"source_client_secret","Value":""},{"Name":"source_catalogue_collection","Value":"\(collection)"}]}
        """
    }

    @Test func `an EXTERNAL source is really asked for a token and the item over HTTP`() async throws {
        try await Harness.with(SandboxConfiguration(pace: .milliseconds(100))) { h in
            let token = try await h.dedlToken()
            let id = try await h.submit(body(h, identifier: Harness.notebookIdentifier), token: token)
            #expect(try await h.waitForTerminal(id, token: token) == "completed")
            let rows = try #require(try await h.get("/sandbox/stats").json?["requests"]?.arrayValue)
            #expect(rows.contains { $0["route"]?.stringValue == "/stac/collections/{id}/items/{id}" && $0["status"] == .integer(200) })
            #expect(rows.contains { $0["route"]?.stringValue == "/stac/collections/{id}/items/{id}/download" && $0["status"] == .integer(200) })
            #expect(rows.contains { $0["route"]?.stringValue == "/auth/realms/dedl/protocol/openid-connect/token" && $0["count"]?.intValue ?? 0 >= 2 })
        }
    }

    @Test func `an EXTERNAL item that does not exist, or a bad password, fails the item clearly`() async throws {
        try await Harness.with(SandboxConfiguration(pace: .milliseconds(100))) { h in
            let token = try await h.dedlToken()
            let missing = try await h.submit(body(h, identifier: "NOT_THERE"), token: token)
            #expect(try await h.waitForTerminal(missing, token: token) == "failed")
            let message = try await h.get("/odata/v1/BatchOrder(\(missing))/Products", token: token).json?["value"]?.arrayValue?.first?["StatusMessage"]?
                .stringValue
            #expect(message == "Product 'NOT_THERE' not found in collection 'EO.ESA.DAT.SENTINEL-2.MSI.L1C' of \(h.base)/stac")
            let badLogin = try await h.submit(body(h, identifier: Harness.notebookIdentifier, password: "wrong"), token: token)
            #expect(try await h.waitForTerminal(badLogin, token: token) == "failed")
            let loginMessage = try await h.get("/odata/v1/BatchOrder(\(badLogin))/Products", token: token).json?["value"]?.arrayValue?.first?["StatusMessage"]?
                .stringValue
            #expect(loginMessage?.contains("Authentication to the external source failed") == true)
            #expect(loginMessage?.contains("Invalid user credentials") == true)
        }
    }

    @Test func `an unreachable EXTERNAL token URL fails the item, not the sandbox`() async throws {
        try await Harness.with(SandboxConfiguration(pace: .milliseconds(100))) { h in
            let token = try await h.dedlToken()
            let text = body(h, identifier: Harness.notebookIdentifier).replacingOccurrences(
                of: h.dedlTokenURL, with: "http://127.0.0.1:1/token")
            let id = try await h.submit(text, token: token)
            #expect(try await h.waitForTerminal(id, token: token) == "failed")
            let message = try await h.get("/odata/v1/BatchOrder(\(id))/Products", token: token).json?["value"]?.arrayValue?.first?["StatusMessage"]?.stringValue
            #expect(message?.contains("cannot reach http://127.0.0.1:1/token") == true)
        }
    }
}
