import AsyncHTTPClient
import Crypto
import Foundation
import HookCore
import Logging
import NIOCore
import NIOHTTP1

/// A minimal S3 client: `PutObject`, `ListObjectsV2` (all pages) and a streamed `GetObject`, signed with SigV4.
///
/// It uses the `HTTPClient` it is given (by default `sharedHTTPClient`) and never logs credentials,
/// signatures or `Authorization` headers.
public struct S3Client: Sendable {
    /// The endpoint, credentials and addressing style.
    public let configuration: S3Configuration
    private let httpClient: HTTPClient
    private let logger: Logger
    private let now: @Sendable () -> Date

    /// Creates a client.
    /// - Parameters:
    ///   - configuration: endpoint, region, credentials, addressing style.
    ///   - httpClient: the HTTP client to use; its lifetime is the caller's.
    ///   - logger: receives one debug line per request (method, bucket, key, status).
    ///   - now: the signing clock.
    public init(
        configuration: S3Configuration, httpClient: HTTPClient = S3Client.sharedHTTPClient,
        logger: Logger = Logger(label: "hookctl.s3"), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger
        self.now = now
    }

    /// The process-wide client S3 calls use unless given another: like `HTTPClient.shared`, but a connection that
    /// cannot be made fails at once (AsyncHTTPClient would otherwise retry it silently until the request's deadline,
    /// a minute for an endpoint that refuses).
    public static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .seconds(10))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    // MARK: - Operations

    /// Uploads an object from memory.
    /// - Returns: the object's entity tag (without quotes), when the server gives one.
    @discardableResult
    public func putObject(bucket: String, key: String, body: [UInt8], contentType: String? = nil) async throws -> String? {
        let operation = "S3 PUT s3://\(bucket)/\(key)"
        var headers: [(name: String, value: String)] = [("content-length", String(body.count))]
        if let contentType { headers.append(("content-type", contentType)) }
        let response = try await send(
            operation: operation, method: .PUT, url: objectURL(bucket: bucket, key: key), headers: headers,
            payloadHash: SigV4Signer.sha256Hex(body), body: .bytes(ByteBuffer(bytes: body)))
        return try await finish(operation: operation, response: response).eTag
    }

    /// Uploads a file, streamed from disk (hashed first, so the signature covers the content).
    /// - Returns: the object's entity tag (without quotes), when the server gives one.
    @discardableResult
    public func putObject(bucket: String, key: String, fileAt path: String, contentType: String? = nil) async throws -> String? {
        let operation = "S3 PUT s3://\(bucket)/\(key)"
        let (hash, size) = try FileChunks.sha256(path: path)
        var headers: [(name: String, value: String)] = [("content-length", String(size))]
        if let contentType { headers.append(("content-type", contentType)) }
        let chunks = FileChunks(path: path, chunkSize: 256 * 1024)
        let response = try await send(
            operation: operation, method: .PUT, url: objectURL(bucket: bucket, key: key), headers: headers,
            payloadHash: hash, body: .stream(chunks, length: .known(Int64(size))), streamed: true)
        return try await finish(operation: operation, response: response).eTag
    }

    /// Uploads a file: one streamed `PutObject` up to `partSize`, else a multipart upload of `partSize` parts, each read,
    /// hashed and sent in turn (memory stays near one part); an upload that fails is aborted.
    /// - Returns: the object's entity tag (without quotes), when the server gives one.
    @discardableResult
    public func upload(bucket: String, key: String, fileAt path: String, partSize: Int = 16 << 20, contentType: String? = nil) async throws
        -> String?
    {
        guard let size = FileWriter.size(of: path) else { throw S3Error.file(path: path, reason: "cannot read its size") }
        if size <= Int64(partSize) { return try await putObject(bucket: bucket, key: key, fileAt: path, contentType: contentType) }
        let operation = "S3 multipart upload s3://\(bucket)/\(key)"
        var headers: [(name: String, value: String)] = [("content-length", "0")]
        if let contentType { headers.append(("content-type", contentType)) }
        let created = try await finish(
            operation: operation,
            response: try await send(
                operation: operation, method: .POST, url: objectURL(bucket: bucket, key: key, query: [("uploads", "")]), headers: headers,
                payloadHash: SigV4Signer.emptyPayloadHash, body: nil))
        guard let uploadID = XMLElement.parse(String(decoding: created.body, as: UTF8.self))?.value("UploadId") else {
            throw S3Error.invalidResponse(operation: operation, reason: "no UploadId in the answer")
        }
        do {
            var parts: [(number: Int, eTag: String)] = []
            // Each part is read once into the buffer that is sent (and hashed where it lies): one part in memory.
            var chunks = FileChunks(path: path, chunkSize: partSize).makeAsyncIterator()
            while let buffer = try await chunks.next() {
                let number = parts.count + 1
                let hash = buffer.withUnsafeReadableBytes { Hex.string(SHA256.hash(data: $0)) }
                let part = try await finish(
                    operation: operation,
                    response: try await send(
                        operation: operation, method: .PUT,
                        url: objectURL(bucket: bucket, key: key, query: [("partNumber", String(number)), ("uploadId", uploadID)]),
                        headers: [("content-length", String(buffer.readableBytes))], payloadHash: hash, body: .bytes(buffer), streamed: true))
                guard let eTag = part.eTag else { throw S3Error.invalidResponse(operation: operation, reason: "part \(number) has no ETag") }
                parts.append((number, eTag))
            }
            let document =
                "<CompleteMultipartUpload>"
                + parts.map { "<Part><PartNumber>\($0.number)</PartNumber><ETag>\"\($0.eTag)\"</ETag></Part>" }.joined()
                + "</CompleteMultipartUpload>"
            let body = Array(document.utf8)
            let completed = try await finish(
                operation: operation,
                response: try await send(
                    operation: operation, method: .POST, url: objectURL(bucket: bucket, key: key, query: [("uploadId", uploadID)]),
                    headers: [("content-length", String(body.count)), ("content-type", "application/xml")],
                    payloadHash: SigV4Signer.sha256Hex(body), body: .bytes(ByteBuffer(bytes: body))))
            // S3 may answer 200 with an error document when completing fails late.
            if let answer = XMLElement.parse(String(decoding: completed.body, as: UTF8.self)), answer.name == "Error" {
                throw S3Error.invalidResponse(operation: operation, reason: answer.value("Message") ?? "completing the upload failed")
            }
            return XMLElement.parse(String(decoding: completed.body, as: UTF8.self))?.value("ETag")?.replacingOccurrences(of: "\"", with: "")
        } catch {
            _ = try? await send(
                operation: operation, method: .DELETE, url: objectURL(bucket: bucket, key: key, query: [("uploadId", uploadID)]), headers: [],
                payloadHash: SigV4Signer.emptyPayloadHash, body: nil)
            throw error
        }
    }

    /// A precondition on a write (S3 conditional writes): the write happens only if the object is as the writer last
    /// saw it, so two writers never overwrite each other unseen.
    public enum WriteCondition: Sendable, Equatable {
        /// Create only: `If-None-Match: *`.
        case absent
        /// Replace only the version read: `If-Match: "<etag>"`.
        case matching(eTag: String)
    }

    /// Uploads a small object only if `condition` holds.
    /// - Returns: the new entity tag (without quotes).
    /// - Throws: `S3Error.preconditionFailed` when the object is not as `condition` says (412, or 404 for `If-Match` on
    ///   an object that is gone, or 409 when another conditional write was in progress).
    public func putObject(bucket: String, key: String, body: [UInt8], if condition: WriteCondition) async throws -> String {
        let operation = "S3 PUT s3://\(bucket)/\(key)"
        var headers: [(name: String, value: String)] = [("content-length", String(body.count))]
        switch condition {
        case .absent: headers.append(("if-none-match", "*"))
        case .matching(let eTag): headers.append(("if-match", "\"\(eTag)\""))
        }
        let response = try await send(
            operation: operation, method: .PUT, url: objectURL(bucket: bucket, key: key), headers: headers,
            payloadHash: SigV4Signer.sha256Hex(body), body: .bytes(ByteBuffer(bytes: body)))
        if [412, 409].contains(response.status.code) || (response.status.code == 404 && condition != .absent) {
            _ = try? await response.body.collect(upTo: 1 << 20)
            throw S3Error.preconditionFailed(operation: operation)
        }
        guard let eTag = try await finish(operation: operation, response: response).eTag else {
            throw S3Error.invalidResponse(operation: operation, reason: "no ETag in the answer")
        }
        return eTag
    }

    /// A small object with its entity tag (without quotes), or nil when there is none.
    public func getObjectVersion(bucket: String, key: String, limit: Int = 64 * 1024 * 1024) async throws -> (body: [UInt8], eTag: String)? {
        let operation = "S3 GET s3://\(bucket)/\(key)"
        let response = try await send(
            operation: operation, method: .GET, url: objectURL(bucket: bucket, key: key), headers: [],
            payloadHash: SigV4Signer.emptyPayloadHash, body: nil)
        if response.status.code == 404 {
            _ = try? await response.body.collect(upTo: 1 << 20)
            return nil
        }
        let (body, eTag) = try await finish(operation: operation, response: response, limit: limit)
        guard let eTag else { throw S3Error.invalidResponse(operation: operation, reason: "no ETag in the answer") }
        return (body, eTag)
    }

    /// Deletes an object (`DeleteObject`; deleting one that is not there is not an error).
    public func deleteObject(bucket: String, key: String) async throws {
        let operation = "S3 DELETE s3://\(bucket)/\(key)"
        let response = try await send(
            operation: operation, method: .DELETE, url: objectURL(bucket: bucket, key: key), headers: [],
            payloadHash: SigV4Signer.emptyPayloadHash, body: nil)
        _ = try await finish(operation: operation, response: response)
    }

    /// The size of an object, or nil when there is none (`HeadObject`).
    public func objectSize(bucket: String, key: String) async throws -> Int64? {
        let operation = "S3 HEAD s3://\(bucket)/\(key)"
        let response = try await send(
            operation: operation, method: .HEAD, url: objectURL(bucket: bucket, key: key), headers: [], payloadHash: SigV4Signer.emptyPayloadHash,
            body: nil)
        if response.status.code == 404 { return nil }
        _ = try await finish(operation: operation, response: response)
        return response.headers.first(name: "content-length").flatMap { Int64($0) }
    }

    /// Lists every object under a prefix, following continuation tokens until the listing is complete.
    public func listObjectsV2(bucket: String, prefix: String = "") async throws -> [S3Object] {
        var objects: [S3Object] = []
        var token: String?
        var seenTokens: Set<String> = []
        repeat {
            try Task.checkCancellation()
            let page = try await listObjectsV2Page(bucket: bucket, prefix: prefix, continuationToken: token)
            objects += page.objects
            token = page.nextContinuationToken
            if let next = token, !seenTokens.insert(next).inserted {
                throw S3Error.invalidResponse(
                    operation: "S3 LIST s3://\(bucket)/\(prefix)", reason: "the server repeated a continuation token")
            }
        } while token != nil
        return objects
    }

    /// Lists one page of objects under a prefix.
    /// - Parameters:
    ///   - continuationToken: the previous page's ``S3ListPage/nextContinuationToken``.
    ///   - maxKeys: the page size the server may use (at most 1000 on AWS).
    public func listObjectsV2Page(
        bucket: String, prefix: String = "", continuationToken: String? = nil, maxKeys: Int? = nil
    ) async throws -> S3ListPage {
        let operation = "S3 LIST s3://\(bucket)/\(prefix)"
        var query = [("list-type", "2")]
        if !prefix.isEmpty { query.append(("prefix", prefix)) }
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        if let maxKeys { query.append(("max-keys", String(maxKeys))) }
        let url = try bucketURL(bucket: bucket, query: query)
        let response = try await send(
            operation: operation, method: .GET, url: url, headers: [], payloadHash: SigV4Signer.emptyPayloadHash, body: nil)
        let body = try await finish(operation: operation, response: response).body
        guard let root = XMLElement.parse(String(decoding: body, as: UTF8.self)), root.name == "ListBucketResult" else {
            throw S3Error.invalidResponse(operation: operation, reason: "not a ListBucketResult document")
        }
        var objects: [S3Object] = []
        for content in root.children("Contents") {
            guard let key = content.child("Key")?.text, let size = content.value("Size").flatMap({ Int64($0) }) else {
                throw S3Error.invalidResponse(operation: operation, reason: "an entry without Key or Size")
            }
            let eTag = content.value("ETag").map { $0.replacingOccurrences(of: "\"", with: "") }
            objects.append(S3Object(key: key, size: size, eTag: eTag, lastModified: content.value("LastModified")))
        }
        let truncated = root.value("IsTruncated")?.lowercased() == "true"
        let next = root.value("NextContinuationToken").flatMap { $0.isEmpty ? nil : $0 }
        if truncated && next == nil {
            throw S3Error.invalidResponse(operation: operation, reason: "a truncated listing without NextContinuationToken")
        }
        return S3ListPage(objects: objects, nextContinuationToken: truncated ? next : nil)
    }

    /// Downloads an object into a file, streamed (never whole in memory): written to `path.part`, renamed on success.
    /// - Returns: the number of bytes written.
    @discardableResult
    public func getObject(bucket: String, key: String, to path: String) async throws -> Int64 {
        let operation = "S3 GET s3://\(bucket)/\(key)"
        let response = try await send(
            operation: operation, method: .GET, url: objectURL(bucket: bucket, key: key), headers: [],
            payloadHash: SigV4Signer.emptyPayloadHash, body: nil, streamed: true)
        guard (200..<300).contains(Int(response.status.code)) else {
            _ = try await finish(operation: operation, response: response)
            return 0
        }
        let expected = response.headers.first(name: "content-length").flatMap { Int64($0) }
        let temporary = path + ".part"
        let writer = try FileWriter(path: temporary, truncate: true)
        var written: Int64 = 0
        do {
            for try await buffer in response.body {
                try buffer.withUnsafeReadableBytes { try writer.write($0) }
                written += Int64(buffer.readableBytes)
            }
            try writer.close()
        } catch {
            try? writer.close()
            try? FileManager.default.removeItem(atPath: temporary)
            if error is S3Error || error is CancellationError { throw error }
            throw S3Error.transport(operation: operation, reason: "the connection failed during the body: \(error)")
        }
        if let expected, expected != written {
            try? FileManager.default.removeItem(atPath: temporary)
            throw S3Error.transport(operation: operation, reason: "received \(written) of \(expected) bytes")
        }
        try FileWriter.rename(temporary, to: path)
        return written
    }

    /// Downloads a small object into memory (at most `limit` bytes).
    public func getObjectBytes(bucket: String, key: String, limit: Int = 64 * 1024 * 1024) async throws -> [UInt8] {
        let operation = "S3 GET s3://\(bucket)/\(key)"
        let response = try await send(
            operation: operation, method: .GET, url: objectURL(bucket: bucket, key: key), headers: [],
            payloadHash: SigV4Signer.emptyPayloadHash, body: nil, streamed: true)
        return try await finish(operation: operation, response: response, limit: limit).body
    }

    // MARK: - URLs

    /// The URL of an object, with the key URI-encoded (`/` kept).
    public func objectURL(bucket: String, key: String) throws -> URL {
        try objectURL(bucket: bucket, key: key, query: [])
    }

    func objectURL(bucket: String, key: String, query: [(String, String)]) throws -> URL {
        guard !key.isEmpty else { throw S3Error.invalidRequest("empty object key") }
        return try url(bucket: bucket, path: SigV4Signer.uriEncode(key, keepSlash: true), query: query)
    }

    func bucketURL(bucket: String, query: [(String, String)]) throws -> URL {
        try url(bucket: bucket, path: "", query: query)
    }

    private func url(bucket: String, path: String, query: [(String, String)]) throws -> URL {
        guard !bucket.isEmpty, !bucket.contains("/") else { throw S3Error.invalidRequest("invalid bucket name `\(bucket)`") }
        guard var components = URLComponents(url: configuration.endpoint, resolvingAgainstBaseURL: false),
            let host = components.host, !host.isEmpty, let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https"
        else {
            throw S3Error.invalidRequest("invalid endpoint `\(configuration.endpoint.absoluteString)`")
        }
        var base = components.percentEncodedPath
        while base.hasSuffix("/") { base.removeLast() }
        switch configuration.addressingStyle {
        case .path:
            components.percentEncodedPath = base + "/" + SigV4Signer.uriEncode(bucket, keepSlash: false) + "/" + path
        case .virtualHost:
            components.host = "\(bucket).\(host)"
            components.percentEncodedPath = base + "/" + path
        }
        components.percentEncodedQuery =
            query.isEmpty
            ? nil
            : query.map { "\(SigV4Signer.uriEncode($0.0, keepSlash: false))=\(SigV4Signer.uriEncode($0.1, keepSlash: false))" }
                .joined(separator: "&")
        guard let url = components.url else { throw S3Error.invalidRequest("cannot build a URL for bucket `\(bucket)`") }
        return url
    }

    // MARK: - Transport

    private func send(
        operation: String, method: HTTPMethod, url: URL, headers: [(name: String, value: String)], payloadHash: String,
        body: HTTPClientRequest.Body?, streamed: Bool = false
    ) async throws -> HTTPClientResponse {
        let signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region, service: "s3")
        var all = headers
        all.append(("x-amz-content-sha256", payloadHash))
        let signed = signer.sign(method: method.rawValue, url: url, headers: all, payloadHash: payloadHash, date: now())
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        for header in signed.headers { request.headers.add(name: header.name, value: header.value) }
        if let body { request.body = body }
        // Streamed bodies get a day; everything else the configured deadline.
        let timeout: TimeAmount = streamed ? .hours(24) : .nanoseconds(Int64(configuration.requestTimeout.components.seconds) * 1_000_000_000)
        do {
            let response = try await httpClient.execute(request, timeout: timeout, logger: nil)
            logger.debug("\(operation) -> \(response.status.code)")
            return response
        } catch let error as CancellationError {
            throw error
        } catch {
            logger.debug("\(operation) -> \(String(describing: type(of: error)))")
            throw S3Error.transport(operation: operation, reason: Self.describe(error))
        }
    }

    private func finish(
        operation: String, response: HTTPClientResponse, limit: Int = 16 * 1024 * 1024
    ) async throws -> (body: [UInt8], eTag: String?) {
        let status = Int(response.status.code)
        let buffer: ByteBuffer
        do {
            buffer = try await response.body.collect(upTo: limit)
        } catch {
            throw S3Error.transport(operation: operation, reason: "reading the response failed: \(Self.describe(error))")
        }
        let body = Array(buffer.readableBytesView)
        guard (200..<300).contains(status) else {
            throw S3Error.from(operation: operation, status: status, body: body)
        }
        let eTag = response.headers.first(name: "etag").map { $0.replacingOccurrences(of: "\"", with: "") }
        return (body, eTag)
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "connection timed out"
            case .deadlineExceeded: return "no complete answer in time"
            case .readTimeout: return "the server stopped answering"
            case .remoteConnectionClosed: return "the server closed the connection"
            default: return "\(error)"
            }
        }
        if let error = error as? IOError { return "cannot connect: \(String(cString: strerror(error.errnoCode)).lowercased())" }
        return "cannot connect: \(error)"
    }
}
