import AsyncHTTPClient
import Foundation
import HookS3
import Logging
import NIOCore
import NIOHTTP1

/// One HTTP exchange, read whole.
struct WireResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    func header(_ name: String) -> String? { headers.first(name: name) }
}

/// The client's one door to the network: one shared connection pool, redirects never followed (the DESP login reads
/// them), cookies kept for identity flows, and no header or body ever logged.
final class HTTPCaller: Sendable {
    let client: HTTPClient
    let logger: Logger

    init(logger: Logger) {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 16)
        // A connection that cannot be made fails at once and `RetryPolicy` decides (a few tries with backoff): left on,
        // AsyncHTTPClient retries it silently until the connect timeout, 3 s per call of our own retry loop.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .seconds(3))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.logger = logger
    }

    func shutdown() async {
        try? await client.shutdown()
    }

    /// Sends a request and collects its answer (up to `limit` bytes).
    func send(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        timeout: Duration, limit: Int = 32 << 20
    ) async throws -> WireResponse {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(
            request,
            timeout: .nanoseconds(
                Int64(timeout.components.seconds) * 1_000_000_000
                    + Int64(timeout.components.attoseconds / 1_000_000_000)))
        let bytes = try await response.body.collect(upTo: limit)
        logger.debug("\(method.rawValue) \(redacted(url)) -> \(response.status.code)")
        return WireResponse(status: Int(response.status.code), headers: response.headers, body: Array(buffer: bytes))
    }

    /// Sends a request and hands back the answer with its body still streaming (for downloads).
    func stream(_ url: String, headers: [(String, String)], timeout: Duration) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000))
        logger.debug("GET \(redacted(url)) -> \(response.status.code) (streamed)")
        return response
    }

    /// The URL without its query (which may carry codes or signatures).
    func redacted(_ url: String) -> String { String(url.prefix { $0 != "?" }) }
}

/// Whether an error proves the request never reached the server (so even a submission may be sent again).
func neverSent(_ error: any Error) -> Bool {
    if let error = error as? HTTPClientError, error == .connectTimeout { return true }
    let text = String(describing: error)
    return text.contains("Connection refused") || text.contains("connectTimeout") || text.contains("NIOConnectionError")
        || text.contains("connect(descriptor")
}

/// `application/x-www-form-urlencoded` encoding.
func formEncode(_ fields: [(String, String)]) -> [UInt8] {
    let text = fields.map { name, value in
        SigV4Signer.uriEncode(name, keepSlash: false) + "=" + SigV4Signer.uriEncode(value, keepSlash: false)
    }.joined(separator: "&")
    return Array(text.utf8)
}
