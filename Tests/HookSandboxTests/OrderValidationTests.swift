import Foundation
import HookCore
import NIOHTTP1
import Testing

@testable import HookSandbox

struct OrderValidationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var body: String
        var loc: [String]
        var type: String
        var testDescription: String { label }
    }

    static let harvest =
        #"{"Name":"x","WorkflowName":"data-harvest","IdentifierList":["S2A_MSIL1C_20230910T050701_N0509_R019_T47VLH_20230910T074321.SAFE"],"WorkflowOptions":[OPTIONS]}"#
    static let desp =
        #"{"Name":"source_type","Value":"DESP"},{"Name":"desp_source_username","Value":"demo"},{"Name":"desp_source_password","Value":"demo"},{"Name":"desp_source_collection","Value":"EO.ESA.DAT.SENTINEL-2.MSI.L1C"}"#
    static func harvest(_ options: String) -> String { harvest.replacingOccurrences(of: "OPTIONS", with: options) }

    static let cases: [Case] = [
        .init(label: "missing Name", body: #"{"WorkflowName":"data-harvest","IdentifierList":["a"]}"#, loc: ["body", "Name"], type: "value_error.missing"),
        .init(label: "missing WorkflowName", body: #"{"Name":"x","IdentifierList":["a"]}"#, loc: ["body", "WorkflowName"], type: "value_error.missing"),
        .init(
            label: "missing IdentifierList", body: #"{"Name":"x","WorkflowName":"data-harvest"}"#, loc: ["body", "IdentifierList"], type: "value_error.missing"),
        .init(
            label: "empty IdentifierList", body: #"{"Name":"x","WorkflowName":"data-harvest","IdentifierList":[]}"#, loc: ["body", "IdentifierList"],
            type: "value_error.list.min_items"),
        .init(
            label: "IdentifierList not a list", body: #"{"Name":"x","WorkflowName":"data-harvest","IdentifierList":"a"}"#, loc: ["body", "IdentifierList"],
            type: "type_error.list"),
        .init(
            label: "identifier not a string", body: #"{"Name":"x","WorkflowName":"data-harvest","IdentifierList":[1]}"#, loc: ["body", "IdentifierList", "0"],
            type: "type_error.str"),
        .init(label: "body not an object", body: #"[1,2]"#, loc: ["body"], type: "type_error.dict"),
        .init(
            label: "unknown workflow", body: #"{"Name":"x","WorkflowName":"nope","IdentifierList":["a"]}"#, loc: ["body", "WorkflowName"], type: "value_error"),
        .init(
            label: "bad enum value", body: harvest(#"{"Name":"output_storage","Value":"LOCAL"},"# + desp), loc: ["body", "WorkflowOptions", "0", "Value"],
            type: "type_error.enum"),
        .init(
            label: "string option given a number", body: harvest(#"{"Name":"output_storage","Value":1},"# + desp),
            loc: ["body", "WorkflowOptions", "0", "Value"], type: "type_error.str"),
        .init(label: "missing output_storage", body: harvest(desp), loc: ["body", "WorkflowOptions"], type: "value_error.missing"),
        .init(
            label: "PRIVATE without s3 options", body: harvest(#"{"Name":"output_storage","Value":"PRIVATE"},"# + desp), loc: ["body", "WorkflowOptions"],
            type: "value_error.missing"),
        .init(
            label: "s3 options with TEMPORARY",
            body: harvest(#"{"Name":"output_storage","Value":"TEMPORARY"},{"Name":"output_s3_path","Value":"s3://b/p"},"# + desp),
            loc: ["body", "WorkflowOptions"], type: "value_error"),
        .init(
            label: "DESP without its options", body: harvest(#"{"Name":"output_storage","Value":"TEMPORARY"},{"Name":"source_type","Value":"DESP"}"#),
            loc: ["body", "WorkflowOptions"], type: "value_error.missing"),
        .init(
            label: "EXTERNAL without its options", body: harvest(#"{"Name":"output_storage","Value":"TEMPORARY"},{"Name":"source_type","Value":"EXTERNAL"}"#),
            loc: ["body", "WorkflowOptions"], type: "value_error.missing"),
        .init(
            label: "option without Value", body: harvest(#"{"Name":"output_storage"}"#), loc: ["body", "WorkflowOptions", "0", "Value"],
            type: "value_error.missing"),
        .init(
            label: "int option given a string",
            body: #"{"Name":"x","WorkflowName":"card_cohinf","IdentifierList":["a"],"WorkflowOptions":[{"Name":"output_storage","Value":"TEMPORARY"},"#
                + desp.replacingOccurrences(of: "SENTINEL-2.MSI.L1C", with: "SENTINEL-1.L1_SLC") + #",{"Name":"timespan","Value":"24"}]}"#,
            loc: ["body", "WorkflowOptions", "5", "Value"], type: "type_error.integer"),
        .init(
            label: "unknown collection",
            body: harvest(#"{"Name":"output_storage","Value":"TEMPORARY"},"# + desp.replacingOccurrences(of: "EO.ESA.DAT.SENTINEL-2.MSI.L1C", with: "EO.NOPE")),
            loc: ["body", "WorkflowOptions"], type: "value_error"),
        .init(label: "malformed JSON", body: #"{"Name": "#, loc: ["body", "9"], type: "value_error.jsondecode"),
    ]

    @Test func `options the catalogue does not list are accepted and passed on, as in SPEC's example order`() async throws {
        try await Harness.routed { h in
            let token = try await h.dedlToken()
            let body = Self.harvest(#"{"Name":"output_storage","Value":"TEMPORARY"},"# + Self.desp + #",{"Name":"resolution","Value":20}"#)
            let reply = try await h.post("/odata/v1/BatchOrder/OData.CSC.Order", json: body, token: token)
            #expect(reply.status == 201, "\(reply.text)")
            let options = try #require(reply.json?["value"]?["WorkflowOptions"]?.arrayValue)
            #expect(options.contains { $0["Name"]?.stringValue == "resolution" && $0["Value"] == .integer(20) }, "\(reply.text)")
        }
    }

    @Test(arguments: cases)
    func `invalid order bodies get a 422 with the FastAPI detail list`(_ c: Case) async throws {
        try await Harness.routed { h in
            let token = try await h.dedlToken()
            let reply = try await h.post("/odata/v1/BatchOrder/OData.CSC.Order", json: c.body, token: token)
            #expect(reply.status == 422, "\(reply.text)")
            let detail = try #require(reply.json?["detail"]?.arrayValue, "\(reply.text)")
            let locs = detail.map { entry in
                entry["loc"]?.arrayValue?.map { value -> String in
                    switch value {
                    case let .string(s): s
                    case let .integer(i): String(i)
                    default: "?"
                    }
                } ?? []
            }
            #expect(locs.contains(c.loc), "\(reply.text)")
            #expect(detail.contains { $0["type"]?.stringValue == c.type }, "\(reply.text)")
            #expect(detail.allSatisfy { $0["msg"]?.stringValue?.isEmpty == false })
            let inspected = try await h.get("/sandbox/orders")
            #expect(inspected.json?["value"] == .array([]))
        }
    }

    @Test func `too many identifiers give a 422 and oversized bodies a 413`() async throws {
        try await Harness.routed(SandboxConfiguration(maxBodyBytes: 64 * 1024, maxIdentifiers: 10)) { h in
            let token = try await h.dedlToken()
            let eleven = Harness.harvestBody(identifiers: (0..<11).map { "ID\($0)" })
            let tooMany = try await h.post("/odata/v1/BatchOrder/OData.CSC.Order", json: eleven, token: token)
            #expect(tooMany.status == 422)
            #expect(tooMany.json?["detail"]?.arrayValue?.first?["type"]?.stringValue == "value_error.list.max_items")
            let huge = Harness.harvestBody(identifiers: [String(repeating: "X", count: 70_000)])
            let tooLarge = try await h.post("/odata/v1/BatchOrder/OData.CSC.Order", json: huge, token: token)
            #expect(tooLarge.status == 413)
            #expect(tooLarge.json?["detail"]?.stringValue?.contains("too large") == true)
        }
    }

    @Test func `a body without Content-Type is accepted, as the notebooks send it`() async throws {
        try await Harness.routed { h in
            let token = try await h.dedlToken()
            let reply = try await h.post("/odata/v1/BatchOrder/OData.CSC.Order", json: Harness.harvestBody(), token: token, contentType: nil)
            #expect(reply.status == 201)
        }
    }
}
