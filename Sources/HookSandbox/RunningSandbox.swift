import Foundation
import Logging
import ServiceLifecycle

/// A sandbox running in-process on a loopback port, for `--sandbox`, the embedded profile and tests.
public final class RunningSandbox: Sendable {
    /// `http://HOST:PORT`.
    public let baseURL: URL
    /// The OData root, `http://HOST:PORT/odata/v1/`.
    public let serviceURL: URL
    /// The DESP identity server root (the realm is under `/realms/desp/`).
    public let despURL: URL
    /// The DEDL token endpoint (`/auth/realms/dedl/protocol/openid-connect/token`).
    public let dedlTokenURL: URL
    /// The STAC catalogue root (`/stac`).
    public let stacURL: URL

    private let group: ServiceGroup
    private let runner: Task<Void, any Error>

    private init(baseURL: URL, group: ServiceGroup, runner: Task<Void, any Error>) {
        self.baseURL = baseURL
        serviceURL = URL(string: baseURL.absoluteString + "/odata/v1/")!
        despURL = baseURL
        dedlTokenURL = URL(string: baseURL.absoluteString + "/auth/realms/dedl/protocol/openid-connect/token")!
        stacURL = URL(string: baseURL.absoluteString + "/stac")!
        self.group = group
        self.runner = runner
    }

    /// Starts a sandbox and returns once it listens (port 0 in `configuration` picks a free port).
    /// - Throws: when the port cannot be bound or the state directory cannot be used.
    public static func start(_ configuration: SandboxConfiguration, logger: Logger) async throws -> RunningSandbox {
        let (listening, continuation) = AsyncStream.makeStream(of: URL.self)
        let server = try SandboxServer(configuration: configuration, logger: logger) { url in
            continuation.yield(url)
            continuation.finish()
        }
        let group = ServiceGroup(configuration: .init(services: server.services, logger: logger))
        // The one task that owns the running services; `stop()` ends it and waits for it.
        let runner = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        for await url in listening {
            return RunningSandbox(baseURL: url, group: group, runner: runner)
        }
        try await runner.value
        throw SandboxError.didNotStart
    }

    /// Stops serving (gracefully) and persists the state; returns when everything has stopped.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await runner.value
    }
}

/// Errors of the sandbox library.
public enum SandboxError: Error, CustomStringConvertible {
    /// The server stopped before it listened.
    case didNotStart
    /// Another sandbox is running with the same state directory.
    case stateInUse(path: String)
    /// The state directory cannot be created or locked.
    case stateUnusable(path: String, reason: String)

    public var description: String {
        switch self {
        case .didNotStart: "the sandbox stopped before it was listening"
        case let .stateInUse(path): "another sandbox is using the state directory \(path); stop it first"
        case let .stateUnusable(path, reason): "cannot use the sandbox state directory \(path): \(reason)"
        }
    }
}
