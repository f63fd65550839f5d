import Foundation
import HookCore
import Testing

@testable import HookClient

/// The captured samples of HOOK-API.md, decoded without a service.
struct DecodingTests {
    static func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(json.utf8))
    }

    @Test func `a workflow list with string ids and no options decodes`() throws {
        let json = #"""
            {"@odata.context":"$metadata#Workflows/$entity","value":[
             {"Id":"1","Uuid":null,"Name":"card_bs","DisplayName":"Sentinel-1: Terrain-corrected backscatter",
              "Documentation":"","Description":null,"InputProductType":"GRD","InputProductTypes":["GRD"],
              "OutputProductType":"CARD-BS","OutputProductTypes":["CARD-BS"],"WorkflowVersion":"3.6.2",
              "CustomInputSource":false,"InputProductStatusOffline":false},
             {"Id":11,"Name":"data-harvest","WorkflowVersion":"0.0.1"}]}
            """#
        let list = try Self.decode(Envelope<[Workflow]>.self, json).value
        #expect(list.map(\.id) == ["1", "11"])
        #expect(list[0].displayName == "Sentinel-1: Terrain-corrected backscatter")
        #expect(list[0].description == nil)
        #expect(list[0].version == "3.6.2")
        #expect(list.allSatisfy { $0.options == nil })
    }

    @Test func `both shapes of an option's Value decode, and null Value and Default are empty`() throws {
        let json = #"""
            {"value":[{"Id":"11","Name":"data-harvest","WorkflowVersion":"0.0.1","WorkflowOptions":[
             {"Name":"output_storage","Description":"Output storage type","Type":"str","Default":null,
              "Value":[{"value":"PRIVATE","condition":null},{"value":"TEMPORARY","condition":null}],"Required":true},
             {"Name":"catalogue","Type":"CatalogueType","Value":["STAC","ODATA"],"Required":false,"Default":"STAC"},
             {"Name":"source_type","Type":"str","Default":"EXTERNAL","Value":null,"Required":null},
             {"Name":"timespan","Type":"int","Default":24}]}]}
            """#
        let workflow = try #require(try Self.decode(Envelope<[Workflow]>.self, json).value.first)
        let options = try #require(workflow.options)
        #expect(options.map(\.name) == ["output_storage", "catalogue", "source_type", "timespan"])
        #expect(options[0].allowed == ["PRIVATE", "TEMPORARY"])
        #expect(options[0].required)
        #expect(options[0].defaultValue == nil)
        #expect(options[1].allowed == ["STAC", "ODATA"])
        #expect(options[1].defaultValue == "STAC")
        #expect(options[2].allowed.isEmpty)
        #expect(!options[2].required)
        #expect(options[2].defaultValue == "EXTERNAL")
        #expect(options[3].type == "int")
    }

    @Test func `the creation answer's single entity is wrapped in value, with an integer id`() throws {
        let json = #"""
            {"@odata.context":"#metadata/Odata.CSC.BatchOrder",
             "value":{"Name":"Tutorial data-harvest - jess11","Priority":1,"WorkflowName":"data-harvest",
              "NotificationEndpoint":null,"WorkflowOptions":[{"Name":"platform","Value":"dedl"}],
              "Id":25380,"Status":"queued","SubmissionDate":"2024-09-02T16:17:22.942Z","EstimatedDate":null,
              "Summary":{"status":"completed","done_order_items_count":0}}}
            """#
        let order = try Self.decode(Envelope<BatchOrder>.self, json).value
        #expect(order.id == 25380)
        #expect(order.name == "Tutorial data-harvest - jess11")
        #expect(order.status == OrderStatus(rawValue: "queued"))
        let stringID = try Self.decode(Envelope<BatchOrder>.self, #"{"value":{"Id":"42","Status":"on_hold"}}"#).value
        #expect(stringID.id == 42)
        #expect(stringID.status.rawValue == "on_hold")
        #expect(stringID.name == "")
    }

    @Test func `items decode completed, in progress with nulls, and with an unknown status`() throws {
        let json = #"""
            {"@odata.context":"#metadata/OData.CSC.BatchorderItem","value":[
             {"Id":34079,"BatchOrderId":25379,"InputProductReference":"S2A_X.SAFE","SubmissionDate":"2024-09-02T16:05:42.497Z",
              "Status":"completed","ProcessedName":"S2A_X.SAFE","ProcessedSize":779499257,"OutputUUID":null,
              "StatusMessage":"Processing finished successfully","CompletedDate":null,
              "DownloadLink":"https://s3.example/tmp-storage/20240902_34079_v3wQnhFs.zip?temp_url_sig=54f6&temp_url_expires=1726503018",
              "NotificationStatus":null},
             {"Id":"34080","InputProductReference":{"Reference":"S2B_Y.SAFE","ContentDate":null},"Status":"in_progress",
              "ProcessedName":null,"ProcessedSize":null,"OutputUUID":null,"DownloadLink":null,"CompletedDate":null},
             {"Id":34081,"InputProductReference":"S2C_Z.SAFE","Status":"downloading","StatusMessage":null}]}
            """#
        let items = try Self.decode(Envelope<[BatchOrderItem]>.self, json).value
        #expect(items.map(\.id) == [34079, 34080, 34081])
        #expect(items.map(\.inputProductReference) == ["S2A_X.SAFE", "S2B_Y.SAFE", "S2C_Z.SAFE"])
        #expect(items.map(\.status.rawValue) == ["completed", "in_progress", "downloading"])
        #expect(items[0].processedSize == 779_499_257)
        #expect(items[0].downloadLink?.hasPrefix("https://s3.example/") == true)
        #expect(items[0].statusMessage == "Processing finished successfully")
        #expect(items[1].downloadLink == nil)
        #expect(items[1].processedSize == nil)
        #expect(items[2].statusMessage == nil)
    }

    @Test func `production orders decode with string ids and object references`() throws {
        let json = #"""
            {"@odata.context":"$metadata#ProductionOrder/$entity","value":[
             {"Id":"25380","Status":"queued","StatusMessage":"request is queued for processing",
              "SubmissionDate":"2024-09-02T16:17:22.942Z","Name":"Tutorial data-harvest - jess11","EstimatedDate":null,
              "InputProductReference":{"Reference":"S2A.SAFE","ContentDate":null},"WorkflowOptions":[],"WorkflowName":"data-harvest",
              "WorkflowId":11,"Priority":1,"NotificationEndpoint":null},
             {"Id":25381,"Status":"paused","StatusMessage":null,"Name":null}]}
            """#
        let orders = try Self.decode(Envelope<[ProductionOrder]>.self, json).value
        #expect(orders.map(\.id) == [25380, 25381])
        #expect(orders[0].statusMessage == "request is queued for processing")
        #expect(orders[1].status.rawValue == "paused")
        #expect(orders[1].name == "")
        #expect(orders[1].statusMessage == nil)
    }

    @Test(arguments: [#"{"value":{"Id":"abc","Status":"queued"}}"#, #"{"value":{"Status":"queued"}}"#, #"{"value":[]}"#])
    func `an order without a usable id does not decode`(_ json: String) {
        #expect(throws: (any Error).self) { try Self.decode(Envelope<BatchOrder>.self, json) }
    }

    @Test(arguments: [
        (
            #"{"detail":[{"loc":["body","WorkflowOptions",5,"Name"],"msg":"unknown option 'resolution'","type":"value_error"}]}"#,
            "`WorkflowOptions.5.Name`: unknown option 'resolution'"
        ),
        (
            #"{"detail":[{"loc":["body","Name"],"msg":"field required","type":"value_error.missing"},{"loc":["body"],"msg":"bad"}]}"#,
            "`Name`: field required; bad"
        ),
        (#"{"detail":"Order not found"}"#, "Order not found"),
        (#"{"detail":{"message":"Quota exceeded"}}"#, "Quota exceeded"),
        (#"{"error":{"code":"E4711","message":"Olingo says no"}}"#, "Olingo says no"),
        (
            #"{"error":"invalid_client","error_description":"Invalid client or Invalid client credentials"}"#,
            "Invalid client or Invalid client credentials"
        ),
        ("Bad Gateway\n", "Bad Gateway"),
        ("", "no detail"),
    ])
    func `error bodies become one clear line`(_ body: String, _ expected: String) {
        #expect(errorDetail(Array(body.utf8)) == expected)
    }

    @Test func `a long plain error body is cut short on one line`() {
        let detail = errorDetail(Array((String(repeating: "x", count: 500) + "\n" + String(repeating: "y", count: 500)).utf8))
        #expect(detail.count == 200)
        #expect(!detail.contains("\n"))
    }

    @Test func `client errors read as one line`() {
        let errors: [ClientError] = [
            .rejected(status: 422, detail: "`Name`: field required"), .unexpectedStatus(status: 503, detail: "x"), .invalidCredentials("m"),
            .otpRequired, .unauthorized("u"), .unreachable(url: "http://h", reason: "r"), .submissionOutcomeUnknown("s"),
            .decoding(what: "w", reason: "r"), .identity("i"),
        ]
        for error in errors {
            let text = error.localizedDescription
            #expect(!text.isEmpty)
            #expect(!text.contains("\n"))
        }
        #expect(ClientError.rejected(status: 422, detail: "`Name`: field required").localizedDescription.contains("`Name`: field required"))
    }
}
