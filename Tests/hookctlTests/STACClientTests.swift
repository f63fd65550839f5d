import Foundation
import Testing

/// The sandbox's STAC API searched with pystac-client, as EO users search the HDA STAC (SPEC 5: ids, collections,
/// bbox, datetime, limit with next links; GET and POST; footprints consistent with the tile names).
struct STACClientTests {
    @Test func `pystac-client finds items by box, time and id, follows next links, and uses POST as advertised`() async throws {
        let folder = try ProjectFolder()
        let sandbox = try await SandboxProcess([], in: folder.root)
        try await sandbox.post("/sandbox/catalogue", ["collection": AttemptTests.collection, "count": 30])
        let (code, stdout) = try await runPython("stac_client_check.py", [sandbox.baseURL + "/stac", AttemptTests.collection], in: folder.root)
        #expect(code == 0, "\(stdout)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])
        #expect(result["warnings"] as? [String] == [], "\(result["warnings"] ?? "")")
        #expect(result["conforms_item_search"] as? Bool == true)

        // Every item, across pages of 7, each once.
        let all = try #require(result["all"] as? [String])
        #expect(all.count > 30 && Set(all).count == all.count, "\(all.count)")

        // The box over Siberia holds T47VLH (latitude band V: 56-64 N) and nothing outside the box; GET and POST agree.
        let siberia = try #require(result["siberia_GET"] as? [[Any]])
        #expect(siberia.contains { ($0.first as? String)?.contains("_T47VLH_") == true }, "\(siberia)")
        for hit in siberia {
            let bbox = try #require(hit.last as? [Double])
            #expect(bbox[0] < 110 && bbox[2] > 90 && bbox[1] < 70 && bbox[3] > 50, "\(hit)")
        }
        #expect((result["siberia_POST"] as? [[Any]])?.compactMap { $0.first as? String } == siberia.compactMap { $0.first as? String })

        // 2024 only: the 2023 products are left out.
        let in2024 = try #require(result["in_2024"] as? [[String]])
        #expect(!in2024.isEmpty && in2024.allSatisfy { $0[1].hasPrefix("2024-") }, "\(in2024)")
        #expect(in2024.count < all.count)
        #expect(result["by_id"] as? [String] == [all[0]])
    }

    @Test func `check looks an EXTERNAL source's identifiers up in its own catalogue, behind its own login`() async throws {
        let folder = try ProjectFolder()
        let sandbox = try await SandboxProcess([], in: folder.root)
        let project = try ProjectFolder()
        try project.write("hookctl.yaml", sandbox.projectFile())
        func manifest(_ identifier: String) -> String {
            """
            apiVersion: hookctl/v1
            kind: Order
            metadata: {name: external}
            spec:
              workflow: data-harvest
              identifiers: [\(identifier)]
              source:
                type: EXTERNAL
                catalogue: {url: "\(sandbox.baseURL)/stac", type: STAC, collection: \(AttemptTests.collection)}
                auth:
                  tokenUrl: \(sandbox.baseURL)/auth/realms/dedl/protocol/openid-connect/token
                  grantType: PASSWORD
                  headerName: Authorization
                  clientId: hda-public
                  clientSecret: "${env:EXT_SECRET:-}"
                  username: demo
                  password: "${env:EXT_PASSWORD}"
              storage: {type: TEMPORARY}
            """
        }
        let known = "S2A_MSIL1C_20230910T050701_N0509_R019_T47VLH_20230910T074321.SAFE"
        try project.write("manifests/external.yaml", manifest(known))
        let clean = try await CLI.run(["check"], in: project.root, environment: ["EXT_PASSWORD": "demo"])
        #expect(clean.code == 0, "\(clean.output)")
        let unset = try await CLI.run(["check"], in: project.root)
        #expect(unset.code == 1 && unset.stderr.contains("external: its identifiers were not looked up: $EXT_PASSWORD not set"), "\(unset.output)")
        try project.write("manifests/external.yaml", manifest("S2A_MSIL1C_20230910T050701_N0509_R019_T47VLH_20230910T999999.SAFE"))
        let missing = try await CLI.run(["check"], in: project.root, environment: ["EXT_PASSWORD": "demo"])
        #expect(missing.code == 1, "\(missing.output)")
        #expect(
            missing.stderr.contains(
                "external: S2A_MSIL1C_20230910T050701_N0509_R019_T47VLH_20230910T999999.SAFE is not in collection \(AttemptTests.collection) at \(sandbox.baseURL)/stac"
            ), "\(missing.output)")
        // A wrong password at the source's login is one clear line.
        let refused = try await CLI.run(["check"], in: project.root, environment: ["EXT_PASSWORD": "wrong"])
        #expect(refused.code == 1 && refused.stderr.contains("token URL"), "\(refused.output)")
    }
}
