import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@Suite(.serialized)
struct StorageAndFaultTests {
    @Test func `outputs --mirror copies TEMPORARY outputs into S3 (multipart when large), records them, and skips them next time`()
        async throws
    {
        let moto = try await MotoProcess()
        try await moto.createBucket("mirror")
        let folder = try ProjectFolder()
        let sandbox = try await SandboxProcess(["--pace", "1"], in: folder.root)
        // 40 MiB: three parts of 16 MiB.
        let large = "S2B_MSIL1C_20240301T101021_N0510_R022_T32TQM_20240301T120000.SAFE"
        try await sandbox.post("/sandbox/catalogue", ["collection": AttemptTests.collection, "identifiers": [large], "size": 40 << 20])
        let project = try ProjectFolder()
        try project.write("hookctl.yaml", sandbox.projectFile())
        try project.write("manifests/small.yaml", LocalSandboxTests.order("small"))
        try project.write("manifests/large.yaml", LocalSandboxTests.order("large", identifier: large))
        #expect(try await CLI.run(["apply"], in: project.root).code == 0)

        let env = ["AWS_ACCESS_KEY_ID": "AKIAMIRROR", "AWS_SECRET_ACCESS_KEY": "mirror-secret-key"]
        let arguments = ["outputs", "--mirror", "s3://mirror/runs", "--endpoint", moto.endpoint]
        let mirrored = try await CLI.run(arguments, in: project.root, environment: env)
        #expect(mirrored.code == 0, "\(mirrored.output)")
        #expect(mirrored.stderr.contains("Mirrored 2 outputs to s3://mirror/runs"), "\(mirrored.output)")
        #expect(!mirrored.output.contains("mirror-secret-key"))
        let lock = try project.read("hookctl.local.lock")
        #expect(lock.contains("\"mirror\": \"s3://mirror/runs/large/\(large).zip\""), "\(lock)")
        let (listing, _) = try await URLSession.shared.data(from: URL(string: "\(moto.endpoint)/mirror?list-type=2&prefix=runs/")!)
        let keys = String(decoding: listing, as: UTF8.self)
        #expect(keys.contains("<Key>runs/large/\(large).zip</Key>") && keys.contains("<Key>runs/small/"), "\(keys)")
        // A multipart upload's ETag ends in -<parts>: the large one went up in three.
        #expect(keys.contains(/<ETag>[^<]*-3(&#34;|&quot;|")?<\/ETag>/), "\(keys)")

        let again = try await CLI.run(arguments, in: project.root, environment: env)
        #expect(again.code == 0 && again.stderr.contains("Every output is already mirrored"), "\(again.output)")
        let unset = try await CLI.run(arguments, in: project.root)
        #expect(unset.code == 1 && unset.stderr.contains("$AWS_ACCESS_KEY_ID"), "\(unset.output)")
    }

    @Test func `check writes and deletes a probe object in each PRIVATE bucket, and names a bucket that refuses`() async throws {
        let moto = try await MotoProcess()
        try await moto.createBucket("harvest")
        let project = try ProjectFolder()
        try project.write("hookctl.yaml", "apiVersion: hookctl/v1\nkind: Project\ndefaultProfile: sandbox\nprofiles:\n  sandbox: {sandbox: true}\n")
        func manifest(_ name: String, bucket: String) -> String {
            LocalSandboxTests.order(name).replacingOccurrences(
                of: "storage: {type: TEMPORARY}",
                with: """
                    storage:
                        type: PRIVATE
                        bucket: \(bucket)
                        endpoint: \(moto.endpoint)
                        accessKey: ${env:HOOK_OUTPUT_STORAGE_ACCESS_KEY}
                        secretKey: ${env:HOOK_OUTPUT_STORAGE_SECRET_KEY}
                    """)
        }
        try project.write("manifests/good.yaml", manifest("good", bucket: "harvest"))
        let env = ["HOOK_OUTPUT_STORAGE_ACCESS_KEY": "AKIATESTKEY", "HOOK_OUTPUT_STORAGE_SECRET_KEY": "test-secret-key"]
        let fine = try await CLI.run(["check"], in: project.root, environment: env)
        #expect(fine.code == 0, "\(fine.output)")
        let (listing, _) = try await URLSession.shared.data(from: URL(string: "\(moto.endpoint)/harvest?list-type=2")!)
        #expect(!String(decoding: listing, as: UTF8.self).contains(".hookctl-check-"), "the probe object is deleted")
        try project.write("manifests/bad.yaml", manifest("bad", bucket: "no-such-bucket"))
        let refused = try await CLI.run(["check"], in: project.root, environment: env)
        #expect(refused.code == 1, "\(refused.output)")
        #expect(refused.stderr.contains("bad: bucket no-such-bucket does not take a write"), "\(refused.output)")
        #expect(!refused.output.contains("test-secret-key"))
    }

    @Test func `PRIVATE outputs land in a real S3 server and outputs lists them`() async throws {
        let moto = try await MotoProcess()
        try await moto.createBucket("harvest")
        let project = try ProjectFolder()
        try project.write(
            "hookctl.yaml",
            """
            apiVersion: hookctl/v1
            kind: Project
            defaultProfile: sandbox
            profiles:
              sandbox: {sandbox: true}

            """)
        try project.write(
            "manifests/private.yaml",
            LocalSandboxTests.order("s2-private").replacingOccurrences(
                of: "storage: {type: TEMPORARY}",
                with: """
                    storage:
                        type: PRIVATE
                        bucket: harvest
                        endpoint: \(moto.endpoint)
                        accessKey: ${env:HOOK_OUTPUT_STORAGE_ACCESS_KEY}
                        secretKey: ${env:HOOK_OUTPUT_STORAGE_SECRET_KEY}
                    """))
        let env = ["HOOK_OUTPUT_STORAGE_ACCESS_KEY": "AKIATESTKEY", "HOOK_OUTPUT_STORAGE_SECRET_KEY": "test-secret-key"]
        let run = try await CLI.run(["apply"], in: project.root, environment: env)
        #expect(run.code == 0, "\(run.output)")
        let outputs = try await CLI.run(["outputs", "--format", "json"], in: project.root, environment: env)
        #expect(outputs.code == 0, "\(outputs.output)")
        let listed = try JSONSerialization.jsonObject(with: Data(outputs.stdout.utf8)) as? [[String: Any]] ?? []
        let location = try #require(listed.first?["location"] as? String)
        #expect(location.hasPrefix("s3://harvest/dedl-data-harvest-s2-private/"))
        #expect((listed.first?["size"] as? Int ?? 0) > 0)
        let download = try await CLI.run(["outputs", "--download", "got"], in: project.root, environment: env)
        #expect(download.code == 0, "\(download.output)")
        let files = try FileManager.default.subpathsOfDirectory(atPath: project.path("got"))
        #expect(files.contains { $0.hasSuffix(".zip") }, "\(files)")
    }

    @Test func `every example in examples/ completes on a local sandbox and S3 server, as examples/README.md says`() async throws {
        let moto = try await MotoProcess()
        try await moto.createBucket("my-harvest-bucket")
        let folder = try ProjectFolder()
        let sandbox = try await SandboxProcess(["--pace", "1"], in: folder.root)
        try FileManager.default.copyItem(atPath: CLI.packageRoot + "/examples", toPath: folder.path("examples"))
        let projectFile = try folder.read("examples/hookctl.yaml")
        #expect(projectFile.contains("http://127.0.0.1:8080"))
        try folder.write("examples/hookctl.yaml", projectFile.replacingOccurrences(of: "http://127.0.0.1:8080", with: sandbox.baseURL))
        let env = [
            "EXTERNAL_STAC_URL": sandbox.baseURL + "/stac",
            "EXTERNAL_TOKEN_URL": sandbox.baseURL + "/auth/realms/dedl/protocol/openid-connect/token",
            "EXTERNAL_USERNAME": "demo", "EXTERNAL_PASSWORD": "demo",
            "EXTERNAL_CLIENT_ID": "hookctl-ci", "EXTERNAL_CLIENT_SECRET": "hookctl-ci-secret",
            "HOOK_OUTPUT_STORAGE_ENDPOINT": moto.endpoint,
            "HOOK_OUTPUT_STORAGE_ACCESS_KEY": "AKIATESTKEY", "HOOK_OUTPUT_STORAGE_SECRET_KEY": "test-secret-key",
            "INPUT_S3_ACCESS_KEY": "AKIAINPUT", "INPUT_S3_SECRET_KEY": "input-secret",
        ]
        let run = try await CLI.run(["apply", "--profile", "local", "examples/"], in: folder.root, environment: env)
        #expect(run.code == 0, "\(run.output)")
        let report = try JSONSerialization.jsonObject(with: Data(try folder.read("examples/reports/report.json").utf8)) as? [String: Any]
        let orders = report?["orders"] as? [[String: Any]] ?? []
        #expect(orders.count == 7)
        #expect(orders.allSatisfy { $0["status"] as? String == "completed" }, "\(orders)")
        let outputs = try await CLI.run(["outputs", "--profile", "local", "examples/"], in: folder.root, environment: env)
        #expect(outputs.stdout.contains("s3://my-harvest-bucket/harvests/external/"), "\(outputs.output)")
        #expect(outputs.stdout.contains("s3://my-harvest-bucket/dedl-data-harvest-s2-private/"), "\(outputs.output)")
    }

    @Test func `with 5xx, 429, dropped connections and 3-second tokens every order completes once`() async throws {
        let folder = try ProjectFolder()
        let sandbox = try await SandboxProcess(
            ["--pace", "2", "--fail-rate", "0.2", "--throttle-rate", "0.1", "--drop-rate", "0.05", "--token-ttl", "3", "--seed", "11"],
            in: folder.root)
        let project = try LocalSandboxTests.project(sandbox, orders: 12)
        let run = try await CLI.run(["apply"], in: project.root)
        #expect(run.code == 0, "\(run.output)")
        #expect(run.stderr.contains("retried"), "the output should say what was retried: \(run.stderr)")
        let report = try project.read("reports/report.json")
        #expect(report.contains(#""completed": 12"#))
        let names = try await sandbox.orderNames()
        #expect(names.count == 12, "\(names)")
        #expect(Set(names).count == names.count, "an order was submitted twice: \(names)")
    }

    @Test func `submissions whose answers are lost are adopted by name, never sent twice`() async throws {
        let folder = try ProjectFolder()
        let sandbox = try await SandboxProcess(["--pace", "1", "--seed", "5"], in: folder.root)
        var request = URLRequest(url: URL(string: sandbox.baseURL + "/sandbox/faults")!)
        request.httpMethod = "POST"
        request.httpBody = Data(#"{"lostResponseRate": 0.5, "seed": 5}"#.utf8)
        _ = try await URLSession.shared.data(for: request)
        let project = try LocalSandboxTests.project(sandbox, orders: 10)
        let run = try await CLI.run(["apply"], in: project.root)
        #expect(run.code == 0, "\(run.output)")
        #expect(run.stderr.contains("adopted"), "\(run.stderr)")
        let names = try await sandbox.orderNames()
        #expect(names.count == 10, "\(names)")
        #expect(Set(names).count == names.count, "an order was submitted twice: \(names)")
    }
}
