import Foundation
import Hummingbird
import Logging
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
        let routes = SandboxRoutes(service: service, fallbackBaseURL: { boundBase.withLock { $0 } })
        let host = configuration.host
        let app = Application(
            responder: PathUnescapingResponder(next: routes.buildRouter().buildResponder()),
            configuration: .init(address: .hostname(host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                let displayHost = host.contains(":") ? "[\(host)]" : host
                let base = "http://\(displayHost):\(port)"
                boundBase.withLock { $0 = base }
                await onListening(URL(string: base)!)
            },
            logger: logger)
        let scheduler = service.makeScheduler()
        services = [scheduler, app]
    }
}
