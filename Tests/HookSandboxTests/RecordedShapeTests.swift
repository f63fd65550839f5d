import Foundation
import HookCore
import Testing

@testable import HookSandbox

/// The sandbox's answers against the responses recorded from the real service (`../shared/HOOK-API.md`, each sample
/// cited): field names in their order, nulls and JSON types compared field by field, and the catalogue's values where
/// the recording has them.
struct RecordedShapeTests {
    /// A JSON value reduced to its shape: objects keep their keys in order, arrays their first element, scalars become
    /// their type's name.
    static func shape(_ value: JSONValue) -> JSONValue {
        switch value {
        case .null: .string("null")
        case .bool: .string("bool")
        case .integer: .string("integer")
        case .number: .string("number")
        case .string: .string("string")
        case .array(let items): .array(items.prefix(1).map(shape))
        case .object(let members): .orderedObject(members.sorted { $0.key < $1.key }.map { JSONMember($0.key, shape($0.value)) })
        case .orderedObject(let members): .orderedObject(members.map { JSONMember($0.key, shape($0.value)) })
        }
    }

    static func recorded(_ text: String) throws -> JSONValue { try JSONReader.parse(Array(text.utf8), keepingOrder: true) }

    /// HOOK-API 3.1 (S2, 2024-09-02): one entry of `GET Workflows`.
    static let workflow = """
        {"Id":"1","Uuid":null,"Name":"card_bs","DisplayName":"Sentinel-1: Terrain-corrected backscatter",
         "Documentation":"","Description":"Sentinel-1 CARD BS","InputProductType":"GRD",
         "InputProductTypes":["GRD","IW_GRDH_1S","IW_GRDM_1S","EW_GRDH_1S","EW_GRDM_1S","WV_GRDM_1S","GRD-COG","IW_GRDH_1S-COG","IW_GRDM_1S-COG","EW_GRDH_1S-COG","EW_GRDM_1S-COG","WV_GRDM_1S-COG"],
         "OutputProductType":"CARD-BS","OutputProductTypes":["CARD-BS"],"WorkflowVersion":"3.6.2",
         "CustomInputSource":false,"InputProductStatusOffline":false}
        """
    /// HOOK-API 3.2 (S2): data-harvest's `output_storage` option.
    static let option = """
        {"Name":"output_storage","Description":"Output storage type, with viable values being: 'PRIVATE', 'TEMPORARY'. If equal to 'PRIVATE' then all 'output_s3_*' parameters are required.",
         "Type":"str","Default":null,"Value":[{"value":"PRIVATE","condition":null},{"value":"TEMPORARY","condition":null}],"Required":true}
        """
    /// HOOK-API 3.3 (S2): the 201 answer to `POST BatchOrder/OData.CSC.Order`.
    static let created = """
        {"@odata.context":"#metadata/Odata.CSC.BatchOrder",
         "value":{"Name":"Tutorial data-harvest - jess11","Priority":1,"WorkflowName":"data-harvest",
          "NotificationEndpoint":null,"NotificationEpUsername":null,"NotificationStatus":null,
          "WorkflowOptions":[{"Name":"platform","Value":"dedl"}],
          "Id":25380,"Status":"queued","SubmissionDate":"2024-09-02T16:17:22.942Z","EstimatedDate":null,
          "KeycloakUUID":"8f9744fd-cf07-4237-85e9-e21afc5e1157","WorkflowId":17,
          "WorkflowDisplayName":"Data harvest","WorkflowVersion":"0.0.1"}}
        """
    /// HOOK-API 3.9 (S2): `GET ProductionOrders` while the order is queued.
    static let productionOrders = """
        {"@odata.context":"$metadata#ProductionOrder/$entity","value":[
         {"Id":"25380","Status":"queued","StatusMessage":"request is queued for processing",
          "SubmissionDate":"2024-09-02T16:17:22.942Z","Name":"Tutorial data-harvest - jess11",
          "EstimatedDate":"2024-09-02T16:22:51.958Z",
          "InputProductReference":{"Reference":"S2A_MSIL1C_20230910T050701_N0509_R019_T47VLH_20230910T074321.SAFE","ContentDate":null},
          "WorkflowOptions":[{"Name":"platform","Value":"dedl"}],
          "WorkflowName":"data-harvest","WorkflowId":11,"Priority":1,
          "NotificationEndpoint":null,"NotificationEpUsername":null,"NotificationStatus":null}]}
        """
    /// HOOK-API 3.6 (S2): `GET BatchOrder(N)/Products` once the item completed (TEMPORARY storage).
    static let products = """
        {"@odata.context":"#metadata/OData.CSC.BatchorderItem","value":[
         {"Id":34079,"BatchOrderId":25379,
          "InputProductReference":"S2A_MSIL1C_20230910T050701_N0509_R019_T47VLH_20230910T074321.SAFE",
          "SubmissionDate":"2024-09-02T16:05:42.497Z","Status":"completed",
          "ProcessedName":"S2A_MSIL1C_20230910T050701_N0509_R019_T47VLH_20230910T074321.SAFE",
          "ProcessedSize":779499257,"OutputUUID":null,"StatusMessage":"Processing finished successfully",
          "CompletedDate":"2024-09-02T16:10:33.081Z",
          "DownloadLink":"https://s3.central.data.destination-earth.eu/swift/v1/tmp-storage/20240902_34079_v3wQnhFs.zip?temp_url_sig=54f6&temp_url_expires=1726503018",
          "NotificationStatus":null}]}
        """

    @Test func `workflows and their options have the recorded fields, in order, with the recorded values`() async throws {
        try await Harness.routed { h in
            let token = try await h.dedlToken()
            let listed = try #require(try await h.get("/odata/v1/Workflows?$orderby=Id%20asc", token: token).json)
            #expect(listed["@odata.context"]?.stringValue == "$metadata#Workflows/$entity")
            let workflows = try #require(listed["value"]?.arrayValue)
            let cardBS = try #require(workflows.first { $0["Name"]?.stringValue == "card_bs" })
            #expect(Self.shape(cardBS) == Self.shape(try Self.recorded(Self.workflow)))
            // HOOK-API 6.1 (2024-09-02): values for every workflow.
            for workflow in workflows {
                let name = workflow["Name"]?.stringValue ?? ""
                #expect(Self.shape(workflow) == Self.shape(try Self.recorded(Self.workflow).withNulls(from: workflow)), "\(name)")
                #expect(workflow["OutputProductType"] == (name == "card_bs" ? .string("CARD-BS") : .null), "\(name)")
                #expect(workflow["OutputProductTypes"] == .array(name == "card_bs" ? [.string("CARD-BS")] : []), "\(name)")
                #expect(workflow["Documentation"] == (["card_bs", "lai"].contains(name) ? .string("") : .null), "\(name)")
                #expect(workflow["CustomInputSource"] == .bool(false) && workflow["InputProductStatusOffline"] == .bool(false), "\(name)")
                #expect(workflow["Uuid"] == .null)
                #expect((workflow["Description"] == .null) == (name == "odp-test"), "\(name)")
            }
            #expect(
                workflows.first { $0["Name"]?.stringValue == "data-harvest" }?["Description"]?.stringValue?.hasPrefix("Data-harvest is a workflow allows")
                    == true)

            let expanded = try #require(
                try await h.get("/odata/v1/Workflows?$expand=WorkflowOptions&$filter=(Name%20eq%20'data-harvest')", token: token).json)
            let options = try #require(expanded["value"]?.arrayValue?.first?["WorkflowOptions"]?.arrayValue)
            let storage = try #require(options.first { $0["Name"]?.stringValue == "output_storage" })
            #expect(storage == (try Self.recorded(Self.option)))
            // HOOK-API 6.2: the option texts verbatim (trailing spaces and "to to" included).
            let texts = Dictionary(uniqueKeysWithValues: options.compactMap { o in o["Name"]?.stringValue.map { ($0, o["Description"]?.stringValue ?? "") } })
            #expect(
                texts["source_catalogue_api_url"]
                    == "Url to the external catalogue. Required with other 'source_*' options when 'source_type' is equal to 'EXTERNAL'. ")
            #expect(
                texts["source_catalogue_api_type"]
                    == "API type in external catalogue. Viable values are: . Required with other 'source_*' options when 'source_type' is equal to 'EXTERNAL'. "
            )
            #expect(
                texts["source_client_secret"]
                    == "Client secret used to authenticate in external catalogue. Available when 'source_type' is equal to to 'EXTERNAL'. If not provided, usually empty string is used when authenticating."
            )
            #expect(
                texts["desp_source_collection"]
                    == "Collection name to DESP service. Usable only in DEDL project. Required with other 'desp_*' options when 'source_type' is equal to 'DESP'. "
            )
            #expect(
                texts["output_s3_path"]
                    == "The path (with bucket and prefix, in format s3://bucket/prefix) in your s3 storage, where the output should be stored. Use only when 'output_storage' is equal to 'PRIVATE'."
            )
            #expect(options.count == 19, "\(options.count) options")
        }
    }

    @Test func `an order's answers have the recorded fields, in order, with the recorded nulls and types`() async throws {
        try await Harness.routed { h in
            let token = try await h.dedlToken()
            let created = try await h.post("/odata/v1/BatchOrder/OData.CSC.Order", json: Harness.harvestBody(), token: token)
            #expect(created.status == 201)
            #expect(Self.shape(try #require(created.json)) == Self.shape(try Self.recorded(Self.created)))
            let id = try #require(created.json?["value"]?["Id"]?.intValue)

            let queued = try #require(try await h.get("/odata/v1/ProductionOrders?$filter=id%20eq%20\(id)", token: token).json)
            #expect(Self.shape(queued) == Self.shape(try Self.recorded(Self.productionOrders)))
            #expect(queued["value"]?.arrayValue?.first?["StatusMessage"]?.stringValue == "request is queued for processing")

            #expect(try await h.waitForTerminal(id, token: token) == "completed")
            let items = try #require(try await h.get("/odata/v1/BatchOrder(\(id))/Products", token: token).json)
            #expect(Self.shape(items) == Self.shape(try Self.recorded(Self.products)))
            let item = try #require(items["value"]?.arrayValue?.first)
            #expect(item["StatusMessage"]?.stringValue == "Processing finished successfully")
            #expect(item["DownloadLink"]?.stringValue?.contains("temp_url_expires=") == true)
        }
    }
}

extension JSONValue {
    /// This object with the members that are null or empty lists in `other` made so too: where the recording has a
    /// value for one workflow and another workflow has none (HOOK-API 6.1 records both).
    fileprivate func withNulls(from other: JSONValue) -> JSONValue {
        guard case .orderedObject(let members) = self else { return self }
        return .orderedObject(
            members.map { member in
                let theirs = other[member.key]
                return theirs == .null || theirs == .array([]) ? JSONMember(member.key, theirs ?? .null) : member
            })
    }
}
