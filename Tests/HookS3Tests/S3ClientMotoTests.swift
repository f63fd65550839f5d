import AsyncHTTPClient
import Foundation
import HookCore
import NIOCore
import NIOHTTP1
import Testing

@testable import HookS3

/// S3Client against a real moto server with signature checking on.
@Suite(.serialized) struct S3ClientMotoTests {
    static func makeBucket(_ client: S3Client, _ bucket: String) async throws {
        // CreateBucket is a PUT on the bucket URL with an empty body; reuse the signed transport through a tiny object
        // put on a fresh bucket would fail, so create it with a raw signed request.
        let url = try client.bucketURL(bucket: bucket, query: [])
        let signer = SigV4Signer(credentials: client.configuration.credentials, region: "us-east-1", service: "s3")
        let signed = signer.sign(
            method: "PUT", url: url, headers: [("x-amz-content-sha256", SigV4Signer.emptyPayloadHash)],
            payloadHash: SigV4Signer.emptyPayloadHash, date: Date())
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .PUT
        for header in signed.headers { request.headers.add(name: header.name, value: header.value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        #expect(response.status.code == 200, "CreateBucket answered \(response.status)")
    }

    @Test func `put, paginated list, streamed get round trip with odd keys (path style, signatures checked)`() async throws {
        try await MotoServer.with { moto in
            let credentials = try await moto.createUserAndEnforceSignatures()
            let client = S3Client(configuration: S3Configuration(endpoint: moto.endpoint, credentials: credentials))
            try await Self.makeBucket(client, "hook-out")

            let keys = ["prefix/a b.txt", "prefix/été+1.zip", "prefix/sub/c~d.bin", "prefix/x&y=z", "prefix/zz", "other/o"]
            for (index, key) in keys.enumerated() {
                let etag = try await client.putObject(
                    bucket: "hook-out", key: key, body: Array("body \(index)".utf8), contentType: "text/plain")
                #expect(etag?.isEmpty == false)
            }
            let page = try await client.listObjectsV2Page(bucket: "hook-out", prefix: "prefix/", maxKeys: 2)
            #expect(page.objects.count == 2)
            #expect(page.nextContinuationToken != nil)

            let listed = try await client.listObjectsV2(bucket: "hook-out", prefix: "prefix/")
            #expect(listed.map(\.key).sorted() == keys.filter { $0.hasPrefix("prefix/") }.sorted())
            #expect(listed.first { $0.key == "prefix/zz" }?.size == Int64("body 4".utf8.count))
            #expect(try await client.listObjectsV2(bucket: "hook-out").count == keys.count)

            for (index, key) in keys.enumerated() {
                #expect(try await client.getObjectBytes(bucket: "hook-out", key: key) == Array("body \(index)".utf8))
            }
        }
    }

    @Test func `large object streamed from file and back to file`() async throws {
        try await MotoServer.with { moto in
            let credentials = try await moto.createUserAndEnforceSignatures()
            let client = S3Client(configuration: S3Configuration(endpoint: moto.endpoint, credentials: credentials))
            try await Self.makeBucket(client, "big")
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hooks3-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            var bytes = [UInt8](repeating: 0, count: 3 * 1024 * 1024 + 17)
            for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 31 &+ index >> 7) }
            let source = directory.appendingPathComponent("source.bin").path
            try Data(bytes).write(to: URL(fileURLWithPath: source))
            try await client.putObject(bucket: "big", key: "dir/source.bin", fileAt: source)
            let target = directory.appendingPathComponent("copy.bin").path
            let written = try await client.getObject(bucket: "big", key: "dir/source.bin", to: target)
            #expect(written == Int64(bytes.count))
            #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == Data(bytes))
            #expect(!FileManager.default.fileExists(atPath: target + ".part"))
        }
    }

    @Test func `errors are one clear line from the S3 error document`() async throws {
        try await MotoServer.with { moto in
            let credentials = try await moto.createUserAndEnforceSignatures()
            let client = S3Client(configuration: S3Configuration(endpoint: moto.endpoint, credentials: credentials))
            do {
                _ = try await client.listObjectsV2(bucket: "missing-bucket")
                Issue.record("listing a missing bucket succeeded")
            } catch let error as S3Error {
                guard case let .service(_, status, code, _) = error else {
                    Issue.record("unexpected \(error)")
                    return
                }
                #expect(status == 404)
                #expect(code == "NoSuchBucket")
                let line = error.localizedDescription
                #expect(line.hasPrefix("S3 LIST s3://missing-bucket/ failed: NoSuchBucket: "))
                #expect(!line.contains("\n") && !line.contains("<"))
            }

            let wrong = S3Client(
                configuration: S3Configuration(
                    endpoint: moto.endpoint,
                    credentials: AWSCredentials(accessKeyID: credentials.accessKeyID, secretAccessKey: Secret("not-the-secret"))))
            try await Self.makeBucket(client, "guarded")
            await #expect(throws: S3Error.self) {
                try await wrong.putObject(bucket: "guarded", key: "k", body: [1, 2, 3])
            }
            do {
                try await wrong.putObject(bucket: "guarded", key: "k", body: [1, 2, 3])
            } catch let error as S3Error {
                if case let .service(_, status, code, _) = error {
                    #expect(status == 403)
                    #expect(code == "SignatureDoesNotMatch")
                } else {
                    Issue.record("unexpected \(error)")
                }
                #expect(!error.localizedDescription.contains("not-the-secret"))
            }
            #expect(try await client.listObjectsV2(bucket: "guarded").isEmpty)
        }
    }

    @Test func `virtual-host addressing puts the bucket in the host name`() async throws {
        try await MotoServer.with { moto in
            let credentials = try await moto.createUserAndEnforceSignatures()
            var configuration = HTTPClient.Configuration()
            configuration.dnsOverride = ["vhost-bucket.s3.hook.test": "127.0.0.1", "s3.hook.test": "127.0.0.1"]
            let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            do {
                let endpoint = URL(string: "http://s3.hook.test:\(moto.port)")!
                let client = S3Client(
                    configuration: S3Configuration(endpoint: endpoint, credentials: credentials, addressingStyle: .virtualHost),
                    httpClient: http)
                #expect(
                    try client.objectURL(bucket: "vhost-bucket", key: "a b").absoluteString
                        == "http://vhost-bucket.s3.hook.test:\(moto.port)/a%20b")
                let pathClient = S3Client(configuration: S3Configuration(endpoint: moto.endpoint, credentials: credentials))
                try await Self.makeBucket(pathClient, "vhost-bucket")
                try await client.putObject(bucket: "vhost-bucket", key: "a b", body: Array("virtual".utf8))
                #expect(try await client.listObjectsV2(bucket: "vhost-bucket").map(\.key) == ["a b"])
                // The object written through the virtual host is visible path-style: same bucket, same key.
                #expect(try await pathClient.getObjectBytes(bucket: "vhost-bucket", key: "a b") == Array("virtual".utf8))
            } catch {
                try await http.shutdown()
                throw error
            }
            try await http.shutdown()
        }
    }

    @Test func `an unreachable endpoint is a transport error, not a crash`() async throws {
        let port = try MotoServer.freePort()
        let client = S3Client(
            configuration: S3Configuration(
                endpoint: URL(string: "http://127.0.0.1:\(port)")!,
                credentials: AWSCredentials(accessKeyID: "A", secretAccessKey: Secret("B")), requestTimeout: .seconds(5)))
        await #expect(throws: S3Error.self) { try await client.listObjectsV2(bucket: "b") }
    }

    @Test func `s3 URLs parse into bucket and prefix`() {
        #expect(S3Location("s3://bucket/a/b") == S3Location(bucket: "bucket", prefix: "a/b"))
        #expect(S3Location("s3://bucket") == S3Location(bucket: "bucket", prefix: ""))
        #expect(S3Location("https://bucket/a") == nil)
        #expect(S3Location("s3:///a") == nil)
        #expect(S3Location("s3://bucket/a")?.description == "s3://bucket/a")
    }
}
