import Foundation
import Testing

@testable import HookClient

/// Tolerant decoding of the captured answers (HOOK-API.md) and one clear line from every error body.
struct DecodingTests {
    static func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(Envelope<T>.self, from: Data(json.utf8)).value
    }

    @Test func `a production order keeps its string id, an item its integer id, an unknown status its spelling`() throws {
        let orders = try Self.decode([ProductionOrder].self, """
            {"@odata.context":"$metadata#ProductionOrder/$entity","value":[{"Id":"25380","Status":"queued",
             "StatusMessage":"request is queued for processing","SubmissionDate":"2024-09-02T16:17:22.942Z",
             "Name":"Tutorial data-harvest - jess11","EstimatedDate":null,"InputProductReference":{"Reference":"x","ContentDate":null},
             "WorkflowOptions":[],"WorkflowName":"data-harvest","WorkflowId":11,"Priority":1,"NotificationEndpoint":null}]}
            """)
        #expect(orders.first?.id == 25380)
        #expect(orders.first?.status == OrderStatus(rawValue: "queued"))
        let items = try Self.decode([BatchOrderItem].self, """
            {"@odata.context":"#metadata/OData.CSC.BatchorderItem","value":[{"Id":34079,"BatchOrderId":25379,
             "InputProductReference":"S2A_MSIL1C_20230910T050701_N0509_R019_T47VLH_20230910T074321.SAFE",
             "SubmissionDate":"2024-09-02T16:05:42.497Z","Status":"archiving","ProcessedName":null,"ProcessedSize":null,
             "OutputUUID":null,"CompletedDate":null,"DownloadLink":null,"NotificationStatus":null}]}
            """)
        #expect(items.first?.id == 34079)
        #expect(items.first?.status.rawValue == "archiving")
        #expect(items.first?.statusMessage == nil)
        let order = try Self.decode(BatchOrder.self, """
            {"@odata.context":"#metadata/Odata.CSC.BatchOrder","value":{"Name":"n","Priority":1,"WorkflowName":"data-harvest",
             "WorkflowOptions":[{"Name":"platform","Value":"dedl"}],"Id":25380,"Status":"queued","Extra":{"nested":[1,2]}}}
            """)
        #expect(order.id == 25380)
    }

    @Test func `workflow options decode from both shapes of Value`() throws {
        let workflows = try Self.decode([Workflow].self, """
            {"value":[{"Id":"11","Name":"data-harvest","DisplayName":"Data harvest","WorkflowVersion":"0.0.1",
              "WorkflowOptions":[
                {"Name":"output_storage","Type":"str","Default":null,"Value":[{"value":"PRIVATE","condition":null}],"Required":true},
                {"Name":"input_catalogue_type","Type":"CatalogueType","Default":"STAC","Value":["STAC","ODATA"],"Required":false},
                {"Name":"timespan","Type":"int","Default":null,"Value":null,"Required":true}]}]}
            """)
        let options = try #require(workflows.first?.options)
        #expect(options.map(\.allowed) == [["PRIVATE"], ["STAC", "ODATA"], []])
        #expect(options.map(\.required) == [true, false, true])
        #expect(workflows.first?.id == "11")
    }

    @Test(arguments: [
        (#"{"detail":[{"loc":["body","WorkflowOptions",2,"Value"],"msg":"value is not a valid integer","type":"type_error.integer"}]}"#,
         "`WorkflowOptions.2.Value`: value is not a valid integer"),
        (#"{"detail":"Not authenticated"}"#, "Not authenticated"),
        (#"{"detail":{"message":"Workflow not found"}}"#, "Workflow not found"),
        (#"{"error":{"code":"404","message":"No such order"}}"#, "No such order"),
        (#"{"error":"invalid_grant","error_description":"Invalid user credentials"}"#, "Invalid user credentials"),
        ("<html><body>502 Bad Gateway</body></html>", "<html><body>502 Bad Gateway</body></html>"),
        ("", "no detail"),
    ])
    func `error bodies become one clear line`(_ body: String, _ expected: String) {
        #expect(errorDetail(Array(body.utf8)) == expected)
    }

    @Test func `the JWT expiry is read from the token itself`() {
        // {"alg":"RS256"} . {"exp":4102444800} . signature
        let token = "eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.c2ln"
        #expect(TokenProvider.expiry(of: token) == Date(timeIntervalSince1970: 4_102_444_800))
        #expect(TokenProvider.expiry(of: "not-a-jwt") == nil)
    }

    @Test func `the login page's form is found by a tag scanner, entities decoded`() {
        let page = HTMLPage("""
            <html><head><script>var x = "<form action='nope'>";</script></head><body>
            <div id="kc-form"><FORM id="kc-form-login" onsubmit="login.disabled = true; return true;"
              action="https://auth.example/realms/desp/login-actions/authenticate?session_code=a&amp;execution=b&amp;client_id=dedl-hda"
              method=post>
            <span id="input-error" class="pf-c-form__helper-text" aria-live="polite">
                Invalid username or password.</span>
            <input tabindex="1" id="username" name="username" type="text" autofocus>
            </form></div></body></html>
            """)
        #expect(page.formAction?.hasSuffix("session_code=a&execution=b&client_id=dedl-hda") == true)
        #expect(page.text(ofID: "input-error") == "Invalid username or password.")
        #expect(!page.asksForOTP)
        #expect(HTMLPage(#"<form action="/x"><input id="otp" name="otp" autocomplete="off"></form>"#).asksForOTP)
    }
}
