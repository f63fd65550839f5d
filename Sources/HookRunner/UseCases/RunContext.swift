import Foundation
import HookCore
import HookManifest
import HookS3

/// This hookctl's version: `--version`, and the fingerprint a saved plan carries.
public let hookctlVersion = "0.2.0"

/// Opens the profile's service for the length of some work and closes it afterwards. The CLI's connector logs in to
/// the profile's service (starting an embedded sandbox first when the profile asks for one); tests pass their own.
public protocol ServiceConnector: Sendable {
    func withService<T: Sendable>(_ work: @Sendable (any OrderService) async throws -> T) async throws -> T
}

/// Everything one command's use case needs: the project as read (`Workbench`), the environment references resolve
/// in, the service, the clock, and where progress goes. The use cases (`plan`, `apply`, `wait`, `status`, `report`,
/// `outputs`) are its methods; a command parses its arguments, builds a context, calls one, and renders the result.
public struct RunContext<C: Clock>: Sendable where C.Duration == Duration {
    public var bench: Workbench
    public var environment: [String: String]
    public var connector: any ServiceConnector
    public var clock: C
    /// Progress, warnings and state changes, as they happen.
    public var events: @Sendable (RunEvent) -> Void
    /// How long to wait for another hookctl that holds the project and profile (`--lock-timeout`).
    public var lockTimeout: Duration = .seconds(10)
    /// `--sandbox`: an embedded sandbox stands in for the service, so state may be kept without a project file.
    public var embeddedSandbox = false
    /// Crash-test hook (`HOOKCTL_FAILPOINT`); nil in normal use.
    public var failpoint: Failpoint?
    /// First pause between polls of a wait (tests shorten it; the clock decides what a pause costs).
    public var pollInterval: Duration = .seconds(1)
    /// The wall-clock time, against which outputs expire and S3 state leases run out.
    public var now: @Sendable () -> Date = { Date() }
    /// How long a lease on S3 state lasts; it is renewed every third of it while the command runs.
    public var leaseDuration: Duration = .seconds(60)

    public init(
        bench: Workbench, environment: [String: String], connector: any ServiceConnector, clock: C,
        events: @escaping @Sendable (RunEvent) -> Void
    ) {
        self.bench = bench
        self.environment = environment
        self.connector = connector
        self.clock = clock
        self.events = events
    }

    /// The keys a command about recorded orders looks at: those of the manifests named on the command line that are
    /// recorded, or every recorded one when none was named.
    func recordedKeys(in state: RunState) -> [String] {
        let keys = bench.pathsGiven ? bench.orders.map(\.key) : state.orders.keys.sorted()
        return keys.filter { state.orders[$0] != nil }
    }

    func requireProject() throws {
        if bench.workspace.projectFile == nil && !embeddedSandbox { throw RunnerError.noProjectFile }
    }

    /// Runs `work` holding the project lock, and with state in S3 the state object's lease too: the object is pulled
    /// into the working copy before `work` and pushed back after it, also when it fails or is interrupted.
    func locked<T>(_ work: () async throws -> T) async throws -> T {
        let (lockTimeout, events) = (lockTimeout, events)
        let lock = try await ProjectLock.acquire(path: bench.projectLockPath, wait: lockTimeout) { holder in
            events(.waitingForLock(lock: bench.projectLockPath, holder: holder, timeout: lockTimeout))
        }
        defer { lock.release() }
        guard let remote = try remoteState() else { return try await work() }
        let renewEvery = leaseDuration / 3
        let lease = try await S3Lease.acquire(
            remote, duration: leaseDuration, wait: lockTimeout, now: now,
            waiting: { events(.waitingForLock(lock: remote.location + ".lease", holder: $0, timeout: lockTimeout)) },
            tookOver: { events(.warning("took over the expired lease of \($0)")) })
        let renewal = Task {
            while !Task.isCancelled {
                do { try await Task.sleep(for: renewEvery) } catch { return }
                do { try await lease.renew() } catch {
                    events(.warning("cannot renew the lease \(lease.location): \(error.localizedDescription)"))
                }
            }
        }
        // The push and release run outside this task, so that an interrupted command still writes its state back.
        let finish = { @Sendable [lockPath = bench.lockPath] (pulled: Bool) async throws in
            renewal.cancel()
            try await Task {
                do {
                    if pulled {
                        try await remote.push(from: lockPath) { count in
                            events(
                                .warning("\(remote.location) was changed by another runner meanwhile; this run's \(count) changed orders were merged into it"))
                        }
                    }
                } catch {
                    await lease.release()
                    throw error
                }
                await lease.release()
            }.value
        }
        do {
            try await remote.pull(into: bench.lockPath)
        } catch {
            try? await finish(false)
            throw error
        }
        let result: T
        do { result = try await work() } catch {
            do { try await finish(true) } catch let pushError { events(.warning(pushError.localizedDescription)) }
            throw error
        }
        try await finish(true)
        return result
    }

    /// The profile's state object, when its state is kept in S3.
    func remoteState() throws -> S3State? {
        guard let location = bench.profile?.state, let key = bench.stateObjectKey else { return nil }
        let unset = [location.accessKey, location.secretKey].flatMap { $0.unsetVariables(in: environment) }
        guard unset.isEmpty else {
            let names = UnresolvedVariables(names: unset).names.map { "$" + $0 }.joined(separator: ", ")
            throw RunnerError.io("the state of profile '\(bench.profileName)' is in s3://\(location.bucket)/\(key), which needs \(names), not set")
        }
        // Every variable is set (checked above), so each resolves.
        func resolve(_ template: Template) -> String { (try? template.resolve(in: environment).get()) ?? "" }
        guard let endpoint = URL(string: location.endpoint) else { throw RunnerError.io("state endpoint \(location.endpoint) is not a URL") }
        let credentials = AWSCredentials(accessKeyID: resolve(location.accessKey), secretAccessKey: Secret(resolve(location.secretKey)))
        let client = S3Client(configuration: S3Configuration(endpoint: endpoint, region: location.region, credentials: credentials), now: now)
        return S3State(client: client, bucket: location.bucket, key: key)
    }

    /// The recorded state, for commands that change nothing: the lock file with its journal replayed, or the state
    /// object as it is in S3 (read without a lease).
    func readState() async throws -> RunState { try await readStateVersion().state }

    /// `readState()`, and with state in S3 the object's version as a saved plan fingerprints it (`s3://b/k#etag`).
    func readStateVersion() async throws -> (state: RunState, object: String?) {
        guard let remote = try remoteState() else { return (try bench.stateStore(warn: { events(.warning($0)) }).load(), nil) }
        let (state, eTag) = try await remote.load()
        return (state, "\(remote.location)#\(eTag ?? "none")")
    }

    func runner(_ service: any OrderService, _ store: any StateStore, concurrency: Int = 8) -> Runner<C> {
        var runner = Runner(service: service, store: store, clock: clock, concurrency: concurrency, pollInterval: pollInterval, events: events)
        runner.failpoint = failpoint
        return runner
    }

    /// Runs `work` against the service; when it fails or is interrupted, what it recorded is folded into the lock file
    /// before the error goes up (the journal keeps it if even that fails).
    func withService<T: Sendable>(
        store: FileStateStore, _ work: @Sendable (any OrderService) async throws -> T
    ) async throws -> T {
        do {
            return try await connector.withService(work)
        } catch {
            do { try store.compact() } catch {
                events(.warning("\(error.localizedDescription); the journal keeps the state until the next command"))
            }
            throw error
        }
    }

    /// Folds what the command recorded (and any journal an earlier one left) into the lock file.
    func compact(_ store: FileStateStore) throws {
        do { try store.compact() } catch {
            throw RunnerError.io(
                "\(error.localizedDescription); the state is kept in \(bench.relative(store.journalPath)) until a command can write \(bench.relative(store.path))"
            )
        }
    }
}

/// How a run ended, as SPEC's exit codes see it.
public enum RunVerdict: Sendable, Equatable {
    /// Every order completed, or nothing was waited on.
    case done
    /// The service refused an order (exit 1).
    case rejected
    /// An order failed (exit 3).
    case ordersFailed
    /// An order was still unfinished at its timeout (exit 4).
    case timedOut
}

/// What `apply`, `wait` and `status` return: the report of the orders concerned, and what the service refused.
public struct RunResult: Sendable {
    public var report: Report
    /// Orders the service refused (nothing was created), with its reason, by key.
    public var rejected: [String: String]
    /// Whether the command waited for its orders (`apply --no-wait` does not, and then exits 0 unless refused).
    public var waited: Bool
    /// Nothing was sent, polled or downloaded: every order was unchanged and completed (or there were none).
    public var nothingToDo = false

    public var verdict: RunVerdict {
        if !rejected.isEmpty { return .rejected }
        guard waited else { return .done }
        if !report.failures.isEmpty { return .ordersFailed }
        if !report.timedOut.isEmpty { return .timedOut }
        return .done
    }
}
