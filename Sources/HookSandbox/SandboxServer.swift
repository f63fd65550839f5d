import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The sandbox as services for a `ServiceGroup`: the HTTP server (Hummingbird) and the order scheduler.
/// `hookctl sandbox` runs them until SIGINT/SIGTERM; `RunningSandbox` runs them in-process.
public struct SandboxServer: Sendable {
    /// The services to run together: the scheduler, then the server (graceful shutdown runs in reverse, so the
    /// server stops taking requests before the scheduler writes the state one last time).
    public let services: [any Service]

    /// Builds the services; `onListening` is called with the base URL once the port is bound.
    /// - Throws: when the state directory or the signing key cannot be prepared.
    public init(
        configuration: SandboxConfiguration, logger: Logger, onListening: @escaping @Sendable (URL) async -> Void = { _ in }
    ) throws {
        let service = try SandboxService(configuration: configuration, logger: logger)
        let boundBase = Mutex<String>("http://\(configuration.host):\(configuration.port)")
        let host = configuration.host
        let app = Self.application(
            service, fallbackBaseURL: { boundBase.withLock { $0 } },
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                let displayHost = host.contains(":") ? "[\(host)]" : host
                let base = "http://\(displayHost):\(port)"
                boundBase.withLock { $0 = base }
                await onListening(URL(string: base)!)
            })
        services = [service.makeScheduler(), app]
    }

    /// The HTTP application over `service`, listening on the configured host and port, with `services` run beside it:
    /// what `init` runs (the scheduler beside it, in its own group) and what the route tests drive with
    /// `app.test(.router)` (the scheduler among `services`). `fallbackBaseURL` is the base of links when a request
    /// has no `Host`.
    static func application(
        _ service: SandboxService, fallbackBaseURL: @escaping @Sendable () -> String, services: [any Service] = [],
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let configuration = service.configuration
        return Application(
            responder: PathUnescapingResponder(next: SandboxRoutes(service: service, fallbackBaseURL: fallbackBaseURL).buildRouter().buildResponder()),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil), services: services,
            onServerRunning: onServerRunning, logger: service.logger)
    }
}
