import AsyncHTTPClient
import Foundation
import HTTPTypes
import HookCore
import HookSandbox
import HummingbirdTesting
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

@testable import HookSandbox

/// An answer as the tests see it.
struct Reply: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
    /// The body as JSON, objects in the order their keys were written (the tests check the service's key order).
    var json: JSONValue? { try? JSONReader.parse(body, keepingOrder: true) }
    func header(_ name: String) -> String? { headers.first(name: name) }
}

/// A sandbox's time (`SandboxConfiguration.now`: tokens, orders, links): it stands still until the test moves it.
final class ManualTime: Sendable {
    private let date: Mutex<Date>

    init(_ start: Date) {
        date = Mutex(start)
    }

    var now: Date { date.withLock { $0 } }

    func advance(bySeconds seconds: TimeInterval) {
        date.withLock { $0 += seconds }
    }

    /// Moves the time on to `later` (never back).
    func advance(to later: Date) {
        date.withLock { $0 = max($0, later) }
    }
}

/// A sandbox started for one test: over a loopback socket (`with`) or its router alone (`routed`).
struct Harness: Sendable {
    typealias Transport = @Sendable (_ method: HTTPMethod, _ url: String, _ headers: [(String, String)], _ body: [UInt8]?) async throws -> Reply

    /// `http://HOST:PORT` (over a socket) or `routedBase` (routed): what the sandbox's links start with.
    let base: String
    private let transport: Transport
    /// A routed sandbox's clock and scheduler, which only move when a test moves them.
    private var routing: Routing? = nil

    struct Routing: Sendable {
        let time: ManualTime
        let store: OrderStore
        /// Runs the scheduler once: every item due at `time` is processed and recorded.
        let settle: @Sendable () async -> Void
    }

    var dedlTokenURL: String { base + "/auth/realms/dedl/protocol/openid-connect/token" }

    /// An HTTP client that never follows redirects.
    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: .init(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(20))))

    static let notebookIdentifier = "S2A_MSIL1C_20230910T050701_N0509_R019_T47VLH_20230910T074321.SAFE"
    static let despRedirect = "https://hda.data.destination-earth.eu/stac"
    /// The base of a routed sandbox's links (HummingbirdTesting sends `localhost` as the authority).
    static let routedBase = "http://localhost"

    static var logger: Logger {
        var logger = Logger(label: "sandbox-test")
        logger.logLevel = .critical
        return logger
    }

    /// Runs `body` against a fresh sandbox listening on loopback, stopping it afterwards (also when `body` throws):
    /// for what needs a socket (dropped connections, a sandbox calling itself, processes such as the Python client).
    static func with(
        _ configuration: SandboxConfiguration = SandboxConfiguration(pace: .milliseconds(300)),
        _ body: (Harness) async throws -> Void
    ) async throws {
        let sandbox = try await RunningSandbox.start(configuration, logger: logger)
        let harness = Harness(base: sandbox.baseURL.absoluteString) { method, url, headers, body in
            var request = HTTPClientRequest(url: url)
            request.method = method
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            let response = try await client.execute(request, timeout: .seconds(30))
            let bytes = try await response.body.collect(upTo: 64 << 20)
            return Reply(status: Int(response.status.code), headers: response.headers, body: Array(buffer: bytes))
        }
        do {
            try await body(harness)
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }

    /// Runs `body` against a fresh sandbox's router with no socket (HummingbirdTesting's `app.test(.router)`). Its
    /// time is `time` (standing still until the test moves it) and its scheduler runs only when `waitForTerminal`
    /// settles an order, so order progress takes no waiting.
    static func routed(
        _ configuration: SandboxConfiguration = SandboxConfiguration(pace: .milliseconds(300)), time: ManualTime = ManualTime(Date()),
        _ body: @escaping @Sendable (Harness) async throws -> Void
    ) async throws {
        var configuration = configuration
        configuration.now = { time.now }
        let service = try SandboxService(configuration: configuration, logger: logger)
        let scheduler = service.makeScheduler()
        let httpClient = OrderScheduler.makeHTTPClient()
        let processor = scheduler.makeProcessor(httpClient)
        let routing = Routing(time: time, store: service.store, settle: { await scheduler.runOnce(processor) })
        let app = SandboxServer.application(service, fallbackBaseURL: { routedBase })
        do {
            try await app.test(.router) { client in
                var harness = Harness(base: routedBase) { method, url, headers, body in
                    var fields = HTTPFields()
                    for (name, value) in headers { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
                    let response = try await client.execute(
                        uri: url.hasPrefix(routedBase) ? String(url.dropFirst(routedBase.count)) : url, method: HTTPRequest.Method(method.rawValue)!,
                        headers: fields, body: body.map { ByteBuffer(bytes: $0) })
                    return Reply(
                        status: Int(response.status.code), headers: HTTPHeaders(response.headers.map { ($0.name.rawName, $0.value) }),
                        body: Array(buffer: response.body))
                }
                harness.routing = routing
                try await body(harness)
            }
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
    }

    /// `path` is appended to the base URL as written (so tests can send raw `$`, `//`, parentheses).
    func send(
        _ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil, token: String? = nil
    ) async throws -> Reply {
        try await transport(method, path.hasPrefix("http") ? path : base + path, headers + (token.map { [("Authorization", "Bearer \($0)")] } ?? []), body)
    }

    func get(_ path: String, token: String? = nil, headers: [(String, String)] = []) async throws -> Reply {
        try await send(.GET, path, headers: headers, token: token)
    }

    func post(_ path: String, json: String, token: String? = nil, contentType: String? = "application/json") async throws -> Reply {
        try await send(.POST, path, headers: contentType.map { [("Content-Type", $0)] } ?? [], body: Array(json.utf8), token: token)
    }

    func postForm(_ url: String, _ fields: [(String, String)], headers: [(String, String)] = []) async throws -> Reply {
        try await send(.POST, url, headers: [("Content-Type", "application/x-www-form-urlencoded")] + headers, body: Array(FormData.encode(fields).utf8))
    }

    /// The first `<form action="...">` of a page, entity-decoded.
    static func formAction(_ html: String) -> String? {
        guard let range = html.range(of: "action=\"") else { return nil }
        let rest = html[range.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end]).replacingOccurrences(of: "&amp;", with: "&")
    }

    /// The DESP login page's form action for client `dedl-hda`.
    func loginAction() async throws -> String {
        let page = try await get(
            "/realms/desp/protocol/openid-connect/auth?client_id=dedl-hda&redirect_uri=\(FormData.escape(Self.despRedirect))&scope=openid&response_type=code")
        #expect(page.status == 200)
        return try #require(Self.formAction(page.text))
    }

    /// The `code` parameter of a redirect.
    static func code(fromLocation location: String?) -> String? {
        guard let location, let components = URLComponents(string: location) else { return nil }
        return components.queryItems?.first { $0.name == "code" }?.value
    }

    /// DESP access token through the login form (and OTP when given).
    func despToken(user: String = "demo", password: String = "demo", otp: String? = nil) async throws -> String {
        let action = try await loginAction()
        var reply = try await postForm(action, [("username", user), ("password", password)])
        if let otp {
            #expect(reply.status == 200)
            let otpAction = try #require(Self.formAction(reply.text))
            reply = try await postForm(otpAction, [("otp", otp), ("login", "Sign In")])
        }
        #expect(reply.status == 302)
        let code = try #require(Self.code(fromLocation: reply.header("Location")))
        let token = try await postForm(
            base + "/realms/desp/protocol/openid-connect/token",
            [
                ("client_id", "dedl-hda"), ("redirect_uri", Self.despRedirect), ("code", code), ("grant_type", "authorization_code"), ("scope", ""),
            ])
        #expect(token.status == 200)
        return try #require(token.json?["access_token"]?.stringValue)
    }

    /// DEDL access token (the bearer for `/odata/v1`) by exchanging a DESP token, as destinelab does.
    func dedlToken(user: String = "demo", password: String = "demo") async throws -> String {
        let desp = try await despToken(user: user, password: password)
        let reply = try await postForm(
            dedlTokenURL,
            [
                ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"), ("subject_token", desp), ("subject_issuer", "desp-oidc"),
                ("subject_token_type", "urn:ietf:params:oauth:token-type:access_token"), ("client_id", "hda-public"), ("audience", "hda-public"),
            ])
        #expect(reply.status == 200)
        return try #require(reply.json?["access_token"]?.stringValue)
    }

    /// A TEMPORARY + DESP data-harvest order body for `identifiers`.
    static func harvestBody(
        name: String = "test order", identifiers: [String] = [notebookIdentifier], user: String = "demo", password: String = "demo",
        collection: String = "EO.ESA.DAT.SENTINEL-2.MSI.L1C"
    ) -> String {
        let ids = identifiers.map { "\"\($0)\"" }.joined(separator: ",")
        return """
            {"Name":"\(name)","WorkflowName":"data-harvest","IdentifierList":[\(ids)],"WorkflowOptions":[
            {"Name":"output_storage","Value":"TEMPORARY"},{"Name":"source_type","Value":"DESP"},
            {"Name":"desp_source_username","Value":"\(user)"},{"Name":"desp_source_password","Value":"\(password)"},
            {"Name":"desp_source_collection","Value":"\(collection)"}]}
            """
    }

    /// Submits an order and returns its id.
    func submit(_ body: String, token: String) async throws -> Int {
        let reply = try await post("/odata/v1/BatchOrder/OData.CSC.Order", json: body, token: token)
        #expect(reply.status == 201, "\(reply.text)")
        return try #require(reply.json?["value"]?["Id"]?.intValue)
    }

    /// The order's status once it has finished. Routed: the clock moves on to the order's end and the scheduler runs
    /// once, then the status is read (no waiting). Over a socket: `ProductionOrders` is polled until the order is
    /// terminal (bounded; not a timing assertion).
    func waitForTerminal(_ id: Int, token: String, limit: Duration = .seconds(30)) async throws -> String {
        func status() async throws -> String? {
            try await get("/odata/v1/ProductionOrders?$filter=id%20eq%20\(id)", token: token).json?["value"]?.arrayValue?.first?["Status"]?.stringValue
        }
        if let routing {
            if let order = routing.store.order(id, owner: nil) {
                routing.time.advance(to: Date(timeIntervalSince1970: Double(order.doneMs) / 1000))
            }
            await routing.settle()
            return try await status() ?? "missing"
        }
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let status = try await status(), ["completed", "failed", "cancelled"].contains(status) { return status }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("order \(id) did not finish within \(limit)")
        return "timeout"
    }
}
