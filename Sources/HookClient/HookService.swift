import AsyncHTTPClient
import Foundation
import HookCore
import HookS3
import Logging
import NIOCore
import NIOHTTP1

/// The Hook service's OData API: every call hookctl makes, with one retry policy and the bearer token handled.
public final class HookService: Sendable {
    public let configuration: ServiceConfiguration
    let http: HTTPCaller
    let tokens: TokenProvider
    private let clock: ServiceClock
    private let onRetry: @Sendable (String) -> Void

    /// - Parameters:
    ///   - clock: what token lifetimes, retry pauses and the retry budget are measured on; tests pass one they move.
    ///   - onRetry: told, in one line, about every retried call (for "what was retried" in the output).
    public init(
        configuration: ServiceConfiguration, logger: Logger, clock: any Clock<Duration> = ContinuousClock(),
        onRetry: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.configuration = configuration
        let clock = ServiceClock(clock)
        self.clock = clock
        http = HTTPCaller(logger: logger)
        tokens = TokenProvider(
            identity: configuration.identity, credentials: configuration.credentials, http: http,
            timeout: configuration.retry.requestTimeout, clock: clock)
        self.onRetry = onRetry
    }

    /// Runs `body` with a service whose connections are closed afterwards, whatever happens.
    public static func with<T: Sendable>(
        _ configuration: ServiceConfiguration, logger: Logger, clock: any Clock<Duration> = ContinuousClock(),
        onRetry: @escaping @Sendable (String) -> Void = { _ in }, _ body: (HookService) async throws -> T
    ) async throws -> T {
        let service = HookService(configuration: configuration, logger: logger, clock: clock, onRetry: onRetry)
        do {
            let result = try await body(service)
            await service.http.shutdown()
            return result
        } catch {
            await service.http.shutdown()
            throw error
        }
    }

    // MARK: - Calls

    /// `GET Workflows` (with each workflow's options when `expandOptions`).
    public func workflows(expandOptions: Bool) async throws -> [Workflow] {
        try await workflowsJSON(expandOptions: expandOptions, name: nil).value
    }

    /// One workflow with its options, nil when the service has none by that name.
    public func workflow(named name: String) async throws -> Workflow? {
        try await workflowsJSON(expandOptions: true, name: name).value.first
    }

    /// The raw answer of `GET Workflows?$expand=WorkflowOptions&$orderby=Id asc` (for `workflows --save`).
    public func workflowCatalogueJSON() async throws -> [UInt8] {
        try await get("Workflows", query: [("$expand", "WorkflowOptions"), ("$orderby", "Id asc")], what: "the workflows").body
    }

    private func workflowsJSON(expandOptions: Bool, name: String?) async throws -> Envelope<[Workflow]> {
        var query = [("$orderby", "Id asc")]
        if expandOptions { query.append(("$expand", "WorkflowOptions")) }
        if let name { query.append(("$filter", "(Name eq '\(Self.quoted(name))')")) }
        return try decode(try await get("Workflows", query: query, what: "the workflows"), what: "the workflows")
    }

    /// `POST BatchOrder/OData.CSC.Order`. Never repeated once it may have reached the service: such a failure is
    /// `ClientError.submissionOutcomeUnknown`, and the caller looks the order up by name.
    public func submitOrder(json: [UInt8]) async throws -> BatchOrder {
        let response = try await perform(.POST, "BatchOrder/OData.CSC.Order", query: [], body: json, idempotent: false, what: "the order")
        return try decode(response, what: "the order", as: Envelope<BatchOrder>.self).value
    }

    /// `GET BatchOrder(N)`.
    public func batchOrder(id: Int) async throws -> BatchOrder {
        try decode(try await get("BatchOrder(\(id))", query: [], what: "order \(id)"), what: "order \(id)", as: Envelope<BatchOrder>.self).value
    }

    /// `GET BatchOrder(N)/Products`: the items of an order.
    public func products(batchOrderID id: Int) async throws -> [BatchOrderItem] {
        try decode(
            try await get("BatchOrder(\(id))/Products", query: [], what: "the products of order \(id)"),
            what: "the products of order \(id)", as: Envelope<[BatchOrderItem]>.self
        ).value
    }

    /// `GET ProductionOrders` with a `$filter`, every page (`$top`/`$skip`) until the answer is short. Pages are
    /// ordered by id: without `$orderby` the real service lists in no set order, and pages could overlap or miss.
    public func productionOrders(filter: String, pageSize: Int = 200) async throws -> [ProductionOrder] {
        var all: [ProductionOrder] = []
        var skip = 0
        while true {
            let page: Envelope<[ProductionOrder]> = try decode(
                try await get(
                    "ProductionOrders", query: [("$filter", filter), ("$orderby", "Id asc"), ("$top", String(pageSize)), ("$skip", String(skip))],
                    what: "the orders"), what: "the orders")
            all += page.value
            if page.value.count < pageSize { return all }
            skip += pageSize
        }
    }

    /// Orders whose `Name` is exactly `name`.
    public func findOrders(named name: String) async throws -> [ProductionOrder] {
        try await productionOrders(filter: "Name eq '\(Self.quoted(name))'")
    }

    /// `POST ProductionOrder(N)/OData.CSC.Cancel`.
    public func cancel(productionOrderID id: Int) async throws {
        _ = try await perform(.POST, "ProductionOrder(\(id))/OData.CSC.Cancel", query: [], body: [], idempotent: true, what: "the cancel")
    }

    /// Whether two URLs share scheme, host and port: credentials go no further than the origin they were meant for.
    static func sameOrigin(_ a: String, _ b: String) -> Bool {
        guard let x = URLComponents(string: a), let y = URLComponents(string: b) else { return false }
        func port(_ c: URLComponents) -> Int? { c.port ?? (c.scheme?.lowercased() == "https" ? 443 : c.scheme?.lowercased() == "http" ? 80 : nil) }
        return x.scheme?.lowercased() == y.scheme?.lowercased() && x.host?.lowercased() == y.host?.lowercased() && port(x) == port(y)
    }

    /// Streams `BatchOrder(N)/Product(M)/$value` to `path`: written to `path.part` as it arrives (never whole in
    /// memory; written in blocks of a mebibyte), resumed with `Range` after a dropped connection, its size checked
    /// against `Content-Length` (and `expectedSize` when given), then renamed into place. A redirect (to the product's
    /// temporary URL) is followed.
    /// - Parameters:
    ///   - observer: shown every byte of the file in order as it is written (a resumed file's first part is read back
    ///     for it), so that it can be hashed and checked without reading it again.
    ///   - progress: told the bytes written so far and the total, when known (about once per mebibyte).
    /// - Returns: the size of the file.
    @discardableResult
    public func downloadProduct(
        batchOrderID: Int, productID: Int, to path: URL, expectedSize: Int64? = nil, observer: (any DownloadObserver)? = nil,
        progress: (@Sendable (Int64, Int64?) -> Void)? = nil
    ) async throws -> Int64 {
        let what = "product \(productID) of order \(batchOrderID)"
        let target = url("BatchOrder(\(batchOrderID))/Product(\(productID))/$value", query: [])
        try FileError.createFolder(path.deletingLastPathComponent().path)
        let partial = path.path + ".part"
        let policy = configuration.retry
        var attempt = 0
        var refreshed = false
        while true {
            attempt += 1
            let have = FileWriter.size(of: partial) ?? 0
            let token = try await tokens.token()
            var failure: String
            do {
                // The service may serve the archive or redirect to its temporary URL (another host, signed): follow a
                // few hops, sending the bearer token only to the service's own origin.
                var location = target
                var response: HTTPClientResponse
                var hops = 0
                while true {
                    var headers: [(String, String)] = []
                    if Self.sameOrigin(location, target) { headers.append(("Authorization", "Bearer \(token.reveal())")) }
                    if have > 0 { headers.append(("Range", "bytes=\(have)-")) }
                    response = try await http.stream(location, headers: headers, timeout: max(policy.requestTimeout, .seconds(3600)))
                    guard [301, 302, 303, 307, 308].contains(response.status.code), let next = response.headers.first(name: "location"),
                        let resolved = URL(string: next, relativeTo: URL(string: location))?.absoluteString
                    else { break }
                    _ = try? await response.body.collect(upTo: 1 << 16)
                    hops += 1
                    guard hops <= 5 else { throw ClientError.unexpectedStatus(status: Int(response.status.code), detail: "more than 5 redirects") }
                    location = resolved
                }
                let status = Int(response.status.code)
                if status == 200 || status == 206 {
                    let resumed = status == 206
                    let total: Int64? =
                        resumed
                        ? response.headers.first(name: "content-range").flatMap { $0.split(separator: "/").last.flatMap { Int64($0) } }
                        : response.headers.first(name: "content-length").flatMap { Int64($0) }
                    if let observer {
                        observer.restart()
                        if resumed { try Self.read(partial, upTo: have, into: observer) }
                    }
                    let writer = BlockWriter(try FileWriter(path: partial, truncate: !resumed), observer: observer)
                    var written = resumed ? have : 0
                    var told = written
                    do {
                        for try await chunk in response.body {
                            try await writer.append(chunk)
                            written += Int64(chunk.readableBytes)
                            if written - told >= BlockWriter.blockSize {
                                told = written
                                progress?(written, total)
                            }
                        }
                        try await writer.close()
                        if told != written { progress?(written, total) }
                    } catch is CancellationError {
                        try? await writer.close()
                        throw CancellationError()
                    } catch {
                        try? await writer.close()
                        throw error
                    }
                    if let total, written != total {
                        throw ClientError.decoding(what: what, reason: "received \(written) of \(total) bytes")
                    }
                    if let expectedSize, written != expectedSize {
                        try? FileManager.default.removeItem(atPath: partial)
                        throw ClientError.decoding(what: what, reason: "\(written) bytes where the service announced \(expectedSize)")
                    }
                    try FileWriter.rename(partial, to: path.path)
                    return written
                }
                let body = try await response.body.collect(upTo: 1 << 16)
                if status == 401, !refreshed {
                    refreshed = true
                    await tokens.invalidate(token)
                    continue
                }
                if status == 416 {
                    // The partial file is not a prefix the service recognises: start over.
                    try? FileManager.default.removeItem(atPath: partial)
                    failure = "416"
                } else if status == 429 || status >= 500 {
                    failure = String(status)
                } else if status == 401 || status == 403 {
                    throw ClientError.unauthorized(errorDetail(Array(buffer: body)))
                } else {
                    throw ClientError.unexpectedStatus(status: status, detail: errorDetail(Array(buffer: body)))
                }
            } catch let error as ClientError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                failure = TokenProvider.reason(error)
            }
            guard attempt < policy.maxAttempts else { throw ClientError.unreachable(url: http.redacted(target), reason: failure) }
            let pause = policy.delay(attempt: attempt, retryAfter: nil)
            onRetry("GET \(what): \(failure); resuming in \(Self.seconds(pause))")
            try await clock.sleep(for: pause)
        }
    }

    /// Shows `observer` the first `count` bytes of the file at `path`.
    private static func read(_ path: String, upTo count: Int64, into observer: any DownloadObserver) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw FileError(path: path, reason: "cannot open for reading") }
        defer { try? handle.close() }
        var left = count
        while left > 0, let block = try handle.read(upToCount: Int(min(left, 1 << 20))), !block.isEmpty {
            block.withUnsafeBytes { observer.observe($0) }
            left -= Int64(block.count)
        }
    }

    // MARK: - Plumbing

    private func get(_ path: String, query: [(String, String)], what: String) async throws -> WireResponse {
        try await perform(.GET, path, query: query, body: nil, idempotent: true, what: what)
    }

    /// What a query value may hold unencoded: the URL query's characters but the separators `&`, `=`, `+` and `#`.
    private static let queryValueAllowed: CharacterSet = {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+#")
        return allowed
    }()

    private func url(_ path: String, query: [(String, String)]) -> String {
        var base = configuration.serviceURL.absoluteString
        if !base.hasSuffix("/") { base += "/" }
        let encoded = query.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: Self.queryValueAllowed) ?? $0.1)" }
        return base + path + (encoded.isEmpty ? "" : "?" + encoded.joined(separator: "&"))
    }

    /// One call under the retry policy: transient failures of calls that are safe to repeat are retried with
    /// backoff (honouring `Retry-After`); a 401 gets one fresh token; a submission that may have reached the service
    /// is never repeated.
    private func perform(
        _ method: HTTPMethod, _ path: String, query: [(String, String)], body: [UInt8]?, idempotent: Bool, what: String,
        limit: Int = 32 << 20
    ) async throws -> WireResponse {
        let policy = configuration.retry
        let target = url(path, query: query)
        let start = clock.now
        var attempt = 0
        var refreshed = false
        while true {
            attempt += 1
            let token = try await tokens.token()
            var headers = [("Authorization", "Bearer \(token.reveal())")]
            if body != nil { headers.append(("Content-Type", "application/json")) }
            let response: WireResponse
            do {
                response = try await http.send(method, target, headers: headers, body: body, timeout: policy.requestTimeout, limit: limit)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                let sent = !neverSent(error)
                if !idempotent, sent { throw ClientError.submissionOutcomeUnknown(TokenProvider.reason(error)) }
                guard attempt < (sent ? policy.maxAttempts : policy.maxConnectAttempts),
                    clock.now - start < policy.totalBudget
                else {
                    throw ClientError.unreachable(url: http.redacted(target), reason: TokenProvider.reason(error))
                }
                let pause = policy.delay(attempt: attempt, retryAfter: nil)
                onRetry("\(method.rawValue) \(path): \(TokenProvider.reason(error)); retry \(attempt) in \(Self.seconds(pause))")
                try await clock.sleep(for: pause)
                continue
            }
            if response.status == 401, !refreshed {
                refreshed = true
                await tokens.invalidate(token)
                onRetry("\(method.rawValue) \(path): token refused (401); logging in again")
                continue
            }
            // 429 means not processed: safe to repeat even for a submission. Other 5xx only for safe calls.
            let transient = response.status == 429 || (idempotent && [500, 502, 503, 504].contains(response.status))
            if transient, attempt < policy.maxAttempts, clock.now - start < policy.totalBudget {
                let retryAfter = response.header("retry-after").flatMap(Int.init).map { Duration.seconds($0) }
                let pause = policy.delay(attempt: attempt, retryAfter: retryAfter)
                onRetry("\(method.rawValue) \(path): \(response.status); retry \(attempt) in \(Self.seconds(pause))")
                try await clock.sleep(for: pause)
                continue
            }
            if !idempotent, response.status >= 500 {
                throw ClientError.submissionOutcomeUnknown("the service answered \(response.status)")
            }
            switch response.status {
            case 200..<300: return response
            case 403 where errorDetail(response.body).lowercased().contains("quota"):
                // Over quota: the request is refused as such, not the login (inferred: HOOK-API 5 recorded no answer).
                throw ClientError.rejected(status: 403, detail: errorDetail(response.body))
            case 401, 403: throw ClientError.unauthorized(errorDetail(response.body))
            case 400, 404, 409, 413, 422: throw ClientError.rejected(status: response.status, detail: errorDetail(response.body))
            default: throw ClientError.unexpectedStatus(status: response.status, detail: errorDetail(response.body))
            }
        }
    }

    private func decode<T: Decodable>(_ response: WireResponse, what: String, as type: T.Type = T.self) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(response.body))
        } catch {
            throw ClientError.decoding(what: what, reason: Self.decodingReason(error))
        }
    }

    private static func decodingReason(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing `\(key.stringValue)`"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "unexpected value at `\(context.codingPath.map(\.stringValue).joined(separator: "."))`"
        default: "not the JSON the service sends"
        }
    }

    static func quoted(_ text: String) -> String {
        // Names rarely hold a quote: only then is the text rebuilt (scalar by scalar, without Foundation's search).
        guard text.utf8.contains(UInt8(ascii: "'")) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            out.unicodeScalars.append(scalar)
            if scalar == "'" { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.1fs", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}
