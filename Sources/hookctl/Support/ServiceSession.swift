import HookRunner

// Placeholder until HookClient lands: the service connection of the profile in force.
struct ServiceSession {
    let orders: any OrderService

    static func with<T: Sendable>(invocation: Invocation, bench: Workbench, _ body: (ServiceSession) async throws -> T) async throws -> T {
        throw RunnerError.io("no service client yet")
    }
}
