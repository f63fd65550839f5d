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
}
