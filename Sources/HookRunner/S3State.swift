import Foundation
import HookCore
import HookManifest
import HookS3
import Synchronization

/// A profile's state kept as an object in S3 (SPEC 10), written only with S3 conditional writes.
///
/// A command that changes state holds the object's lease (`S3Lease`), pulls the object into a local working copy
/// that `FileStateStore` works on (journal and all, as for a local lock file), and pushes the copy back when the
/// command ends, also when it fails or is interrupted, with `If-Match` on the ETag it pulled (`If-None-Match: *` when
/// there was no object). A push that finds the object changed meanwhile (its lease expired and another runner wrote)
/// never overwrites: it reads the object again, applies this run's changes to it order by order, and tries again.
/// Commands that only read (`plan`, `check`, `outputs`, `report`) read the object directly, with no lease.
final class S3State: Sendable {
    let client: S3Client
    let bucket: String
    let key: String
    /// The object as last pulled or pushed: its ETag (nil while there is none) and bytes.
    private let base = Mutex<(eTag: String?, body: [UInt8])>((nil, []))

    init(client: S3Client, bucket: String, key: String) {
        self.client = client
        self.bucket = bucket
        self.key = key
    }

    var location: String { "s3://\(bucket)/\(key)" }

    /// The state object's bytes and ETag; nil when nothing was written yet.
    func read() async throws -> (body: [UInt8], eTag: String)? {
        do {
            return try await client.getObjectVersion(bucket: bucket, key: key)
        } catch {
            throw RunnerError.io("cannot read state \(location): \(error.localizedDescription)")
        }
    }

    /// The recorded state, read from the object (no lease: for commands that change nothing).
    func load() async throws -> (state: RunState, eTag: String?) {
        guard let (body, eTag) = try await read() else { return (RunState(), nil) }
        return (try decode(body), eTag)
    }

    private func decode(_ body: [UInt8]) throws -> RunState {
        do { return try RunStateCodec.decode(body).0 } catch {
            throw RunnerError.corruptState(path: location, reason: "\(error)")
        }
    }

    /// Replaces the working copy at `path` with the object (removes it when there is no object). A journal beside the
    /// copy, left by a command that died here, is kept: the store replays it over what was pulled.
    func pull(into path: String) async throws {
        let object = try await read()
        base.withLock { $0 = (object?.eTag, object?.body ?? []) }
        do {
            if let object {
                try AtomicFile.write(object.body, to: path)
            } else if FileManager.default.fileExists(atPath: path) {
                try FileManager.default.removeItem(atPath: path)
            }
        } catch {
            throw RunnerError.io("cannot write the working copy \(path) of \(location): \(error.localizedDescription)")
        }
    }

    /// Writes the working copy at `path` back when it differs from what was pulled, on the condition that the object
    /// is still the one pulled; when it is not, merges this run's changes into the object as it is now (`merged`
    /// tells how many orders that carried over) and tries again, a few times.
    func push(from path: String, merged: (Int) -> Void = { _ in }) async throws {
        guard var body = FileManager.default.contents(atPath: path).map(Array.init) else { return }
        var (eTag, pulled) = base.withLock { $0 }
        guard body != pulled else { return }
        // This run's changes, worked out only if a write loses a race: the orders whose entries differ from those
        // pulled (nil: removed).
        var changes: [String: OrderRecord?]?
        for _ in 0..<5 {
            do {
                let written = try await client.putObject(bucket: bucket, key: key, body: body, if: eTag.map { .matching(eTag: $0) } ?? .absent)
                base.withLock { $0 = (written, body) }
                if body != pulled { try? AtomicFile.write(body, to: path) }
                return
            } catch S3Error.preconditionFailed {
                // Changed (or created) by someone else since it was pulled: this run's changes go on top of theirs.
                if changes == nil {
                    let ours = try decode(body)
                    let before = pulled.isEmpty ? RunState() : try decode(pulled)
                    changes = Dictionary(
                        uniqueKeysWithValues: Set(ours.orders.keys).union(before.orders.keys).filter { ours.orders[$0] != before.orders[$0] }
                            .map { ($0, ours.orders[$0]) })
                }
                var theirs = RunState()
                eTag = nil
                if let current = try await read() {
                    theirs = try decode(current.body)
                    eTag = current.eTag
                }
                for (key, record) in changes ?? [:] { theirs.orders[key] = record }
                body = Array(RunStateCodec.encode(theirs).utf8)
                merged(changes?.count ?? 0)
            } catch {
                throw RunnerError.io("cannot write state \(location): \(error.localizedDescription); this run's state is kept in \(path)")
            }
        }
        throw RunnerError.io("\(location) keeps changing under this run; its state is kept in \(path)")
    }
}

/// The lease that keeps a second runner off an `S3State` (SPEC 10): an object beside the state (`<key>.lease`) naming
/// its owner and when it expires, created with `If-None-Match: *`, renewed and taken over with `If-Match`.
///
/// Expiry is wall-clock time, compared across machines: it assumes their clocks agree to well within a lease. Two
/// runners exclude each other only as far as the store's conditional writes are atomic (AWS S3 and recent Ceph and
/// MinIO; moto, the test server, is not under truly simultaneous writes).
final class S3Lease: Sendable {
    let state: S3State
    let owner: String
    let duration: Duration
    private let now: @Sendable () -> Date
    private let eTag: Mutex<String>

    var key: String { state.key + ".lease" }
    var location: String { "s3://\(state.bucket)/\(key)" }

    private init(state: S3State, owner: String, duration: Duration, now: @escaping @Sendable () -> Date, eTag: String) {
        self.state = state
        self.owner = owner
        self.duration = duration
        self.now = now
        self.eTag = Mutex(eTag)
    }

    /// What a lease object says.
    struct Holder: Equatable {
        var owner: String
        var expires: Date

        var json: [UInt8] {
            Array(CanonicalJSON.string(.object(["owner": .string(owner), "expires": .string(Self.format(expires))])).utf8)
        }

        init(owner: String, expires: Date) {
            self.owner = owner
            self.expires = expires
        }

        init?(_ bytes: [UInt8]) {
            guard case .object(let fields)? = try? JSONReader.parse(bytes), case .string(let owner)? = fields["owner"],
                case .string(let text)? = fields["expires"], let expires = ISO8601DateFormatter().date(from: text)
            else { return nil }
            self.init(owner: owner, expires: expires)
        }

        static func format(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
    }

    /// This process, as a lease names it: `user@host pid N`.
    static var thisProcess: String {
        let user = ProcessInfo.processInfo.environment["USER"] ?? "hookctl"
        return "\(user)@\(ProcessInfo.processInfo.hostName) pid \(ProcessInfo.processInfo.processIdentifier)"
    }

    /// Takes the lease, waiting up to `wait` for a live holder to release it; a lease past its expiry is taken over.
    /// - Throws: `RunnerError.projectBusy` naming the holder when it is still held after `wait`.
    static func acquire(
        _ state: S3State, owner: String = thisProcess, duration: Duration = .seconds(60), wait: Duration,
        now: @escaping @Sendable () -> Date = { Date() }, waiting: (String?) -> Void = { _ in }, tookOver: (String) -> Void = { _ in }
    ) async throws -> S3Lease {
        let clock = ContinuousClock()
        let deadline = clock.now + wait
        let key = state.key + ".lease"
        var told = false
        while true {
            let mine = Holder(owner: owner, expires: now().addingTimeInterval(duration.seconds))
            do {
                let eTag = try await state.client.putObject(bucket: state.bucket, key: key, body: mine.json, if: .absent)
                return S3Lease(state: state, owner: owner, duration: duration, now: now, eTag: eTag)
            } catch S3Error.preconditionFailed {
                // Held: take it over if it has expired, else wait for it.
            } catch {
                throw RunnerError.io("cannot take the lease s3://\(state.bucket)/\(key): \(error.localizedDescription)")
            }
            var holder: Holder?
            if let (body, eTag) = try await state.client.getObjectVersion(bucket: state.bucket, key: key) {
                holder = Holder(body)
                if holder.map({ $0.expires < now() }) ?? true {
                    do {
                        let taken = try await state.client.putObject(bucket: state.bucket, key: key, body: mine.json, if: .matching(eTag: eTag))
                        tookOver(holder.map { "\($0.owner) (expired \(Holder.format($0.expires)))" } ?? "an unreadable lease")
                        return S3Lease(state: state, owner: owner, duration: duration, now: now, eTag: taken)
                    } catch S3Error.preconditionFailed {
                        continue  // Someone else renewed or took it first: look again.
                    }
                }
            } else {
                continue  // Released meanwhile: try to create it again.
            }
            let described = holder.map { "\($0.owner), lease until \(Holder.format($0.expires))" }
            guard clock.now < deadline else { throw RunnerError.projectBusy(lock: "s3://\(state.bucket)/\(key)", holder: described) }
            if !told { waiting(described) }
            told = true
            try await clock.sleep(for: min(.seconds(1), deadline - clock.now))
        }
    }

    /// Moves the expiry a lease duration ahead of now.
    /// - Throws: `S3Error.preconditionFailed` when the lease is no longer this runner's.
    func renew() async throws {
        let mine = Holder(owner: owner, expires: now().addingTimeInterval(duration.seconds))
        let previous = eTag.withLock { $0 }
        let renewed = try await state.client.putObject(bucket: state.bucket, key: key, body: mine.json, if: .matching(eTag: previous))
        eTag.withLock { $0 = renewed }
    }

    /// Removes the lease if it is still this runner's.
    func release() async {
        let mine = eTag.withLock { $0 }
        guard let (_, current) = try? await state.client.getObjectVersion(bucket: state.bucket, key: key), current == mine else { return }
        try? await state.client.deleteObject(bucket: state.bucket, key: key)
    }
}

extension Duration {
    var seconds: TimeInterval { TimeInterval(components.seconds) + TimeInterval(components.attoseconds) / 1e18 }
}
