import Foundation
import HookCore

/// A TEMPORARY product's archive that belongs on disk: the latest completed outcome of one identifier of an order.
struct ArchiveTarget: Sendable {
    var key: String
    var orderID: Int
    var productID: Int
    /// The attempt whose product it is (its record is where the archive's size and SHA-256 go).
    var attempt: Int
    var product: ProductRecord
    /// `DIR/<key>/<identifier>.zip`.
    var path: String
}

/// An archive downloaded and checked.
private struct FetchedArchive: Sendable {
    var target: ArchiveTarget
    var check: ArchiveCheck
}

extension RunContext {
    /// The folder of an order's archives under `folder` (`#` of a batch part's key becomes `-`).
    static func archiveFolder(_ folder: String, key: String) -> String {
        (folder as NSString).appendingPathComponent(key.replacingOccurrences(of: "#", with: "-"))
    }

    /// The archives the state says belong in `folder` for these orders: each identifier's latest completed outcome.
    func archiveTargets(keys: [String], state: RunState, folder: String) -> [ArchiveTarget] {
        keys.flatMap { key -> [ArchiveTarget] in
            guard let record = state.orders[key], record.output == .temporary else { return [] }
            let orderFolder = Self.archiveFolder(folder, key: key)
            return record.outcomes.compactMap { outcome in
                guard outcome.product.status == .completed, let orderID = outcome.orderID, let productID = outcome.product.id else { return nil }
                return ArchiveTarget(
                    key: key, orderID: orderID, productID: productID, attempt: outcome.attempt, product: outcome.product,
                    path: (orderFolder as NSString).appendingPathComponent(outcome.product.identifier + ".zip"))
            }
        }
    }

    /// The archives of `keys` that are missing under `folder` or not the one recorded (same size and SHA-256), and can
    /// still be downloaded; expired ones are told once each. `verified` remembers, by path, the SHA-256 of files found
    /// intact, so a command that asks twice (before and after waiting) hashes each file once.
    func pendingArchives(keys: [String], state: RunState, folder: String, verified: inout [String: String]) -> [ArchiveTarget] {
        archiveTargets(keys: keys, state: state, folder: folder).filter { target in
            guard let size = target.product.size, let sha256 = target.product.sha256 else { return !isExpired(target.product) }
            if verified[target.path] == sha256 { return false }
            if FileWriter.size(of: target.path) == size, (try? ArchiveCheck.digest(target.path).sha256) == sha256 {
                verified[target.path] = sha256
                return false
            }
            return !isExpired(target.product)
        }
    }

    /// Downloads `pending`, `concurrency` at a time, checks each (size against the answer's `Content-Length`, the zip's
    /// CRCs), and records its size and SHA-256 in the product's entry.
    /// - Returns: the state with what was recorded, and one line per archive that could not be fetched or failed its
    ///   check (its file is not kept as done).
    func fetchArchives(
        _ pending: [ArchiveTarget], state initial: RunState, service: any OrderService, store: any StateStore, concurrency: Int
    ) async throws -> (state: RunState, failures: [String]) {
        var state = initial
        guard !pending.isEmpty else { return (state, []) }
        var fetched: [FetchedArchive] = []
        var failures: [String] = []
        try await withThrowingTaskGroup(of: Result<FetchedArchive, ArchiveFailure>.self) { group in
            var next = 0
            func startNext() {
                guard next < pending.count else { return }
                let target = pending[next]
                next += 1
                group.addTask { [events] in
                    // Hashed and checked as it arrives: only what the stream cannot vouch for is read back.
                    let check = ArchiveStreamCheck()
                    let streamed: Bool
                    do {
                        streamed = try await service.download(
                            orderID: target.orderID, productID: target.productID, to: target.path, observer: check
                        ) { written, total in
                            events(.transfer(key: target.key, written: written, total: total))
                        }
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        // A cut or short transfer keeps its partial file: the next run resumes it.
                        return .failure(ArchiveFailure(target: target, reason: Runner<C>.describe(error)))
                    }
                    do {
                        return .success(FetchedArchive(target: target, check: try ArchiveCheck.verify(target.path, streamed: streamed ? check : nil)))
                    } catch {
                        try? FileManager.default.removeItem(atPath: target.path)
                        return .failure(ArchiveFailure(target: target, reason: "\(error)"))
                    }
                }
            }
            for _ in 0..<max(1, concurrency) { startNext() }
            while let result = try await group.next() {
                switch result {
                case .success(let archive):
                    fetched.append(archive)
                    events(.downloaded(key: archive.target.key, path: bench.relative(archive.target.path)))
                case .failure(let failure):
                    failures.append("\(failure.target.key): \(bench.relative(failure.target.path)): \(failure.reason); not kept")
                }
                startNext()
            }
        }
        var changes: [String: OrderRecord?] = [:]
        for archive in fetched.sorted(by: { $0.target.path < $1.target.path }) {
            guard var record = state.orders[archive.target.key] else { continue }
            if let announced = archive.target.product.processedSize, announced != archive.check.size {
                events(
                    .warning(
                        "\(archive.target.key): \(bench.relative(archive.target.path)) has \(archive.check.size) bytes where the service's ProcessedSize says \(announced); kept, as the service does not promise they match and the archive's own checks passed"
                    ))
            }
            record.changeProduct(of: archive.target) { product in
                product.size = archive.check.size
                product.sha256 = archive.check.sha256
            }
            state.orders[archive.target.key] = record
            changes[archive.target.key] = record
        }
        if !changes.isEmpty { try store.record(changes) }
        return (state, failures.sorted())
    }

    /// Removes the `.zip` files of these TEMPORARY orders' folders that are no longer any identifier's latest completed
    /// outcome (a replaced order, a retried item), one line each. Partial downloads (`.part`) are left to be resumed;
    /// the folders of PRIVATE orders hold copies of S3 objects, which are not archives of the service's.
    func removeStale(keys: [String], state: RunState, in folder: String) {
        let kept = Set(archiveTargets(keys: keys, state: state, folder: folder).map(\.path))
        for key in keys where state.orders[key]?.output == .temporary {
            let orderFolder = Self.archiveFolder(folder, key: key)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: orderFolder) else { continue }
            for name in names.sorted() where name.hasSuffix(".zip") {
                let path = (orderFolder as NSString).appendingPathComponent(name)
                guard !kept.contains(path), (try? FileManager.default.removeItem(atPath: path)) != nil else { continue }
                events(.removedStale(key: key, path: bench.relative(path)))
            }
        }
    }

    /// Tells each archive failure, then fails the command when there was one.
    static func requireArchives(_ failures: [String], events: (RunEvent) -> Void) throws {
        guard !failures.isEmpty else { return }
        for failure in failures { events(.warning(failure)) }
        throw RunnerError.io(
            "\(failures.count) archive\(failures.count == 1 ? "" : "s") could not be downloaded whole and intact (see above); the next run fetches \(failures.count == 1 ? "it" : "them") again"
        )
    }

    func isExpired(_ product: ProductRecord) -> Bool { product.expires.map { $0 <= now() } ?? false }

    /// Warnings for the TEMPORARY outputs of these orders that expire within 3 days, or have expired.
    /// - Parameter kept: where archives are downloaded: an output whose archive is there, of its recorded size, is safe
    ///   and needs no warning.
    func expiryWarnings(keys: [String], state: RunState, kept folder: String? = nil) {
        let soon = now().addingTimeInterval(3 * 86_400)
        let safe = Set(
            folder.map { archiveTargets(keys: keys, state: state, folder: $0) }?
                .filter { $0.product.size != nil && FileWriter.size(of: $0.path) == $0.product.size }.map { "\($0.key)/\($0.product.identifier)" } ?? [])
        for key in keys {
            guard let record = state.orders[key], record.output == .temporary else { continue }
            for outcome in record.outcomes where outcome.product.status == .completed && !safe.contains("\(key)/\(outcome.product.identifier)") {
                guard let expires = outcome.product.expires else { continue }
                if expires <= now() {
                    events(.warning("\(key): \(outcome.product.identifier): its output expired on \(Self.day(expires))"))
                } else if expires <= soon {
                    let hours = Int(expires.timeIntervalSince(now()) / 3600)
                    events(
                        .warning(
                            "\(key): \(outcome.product.identifier): its output expires on \(Self.day(expires)) (in \(hours) h); download or mirror it before then"
                        ))
                }
            }
        }
    }

    /// An instant as `outputs` and warnings give it: `2024-09-16T16:10:18Z`.
    static func day(_ date: Date?) -> String { date?.formatted(.iso8601) ?? "an unknown date" }
}

extension OrderRecord {
    /// Changes the product an archive target stands for (its attempt's record of its identifier).
    mutating func changeProduct(of target: ArchiveTarget, _ change: (inout ProductRecord) -> Void) {
        guard let attempt = attempts.firstIndex(where: { $0.number == target.attempt }),
            let product = attempts[attempt].products.firstIndex(where: { $0.identifier == target.product.identifier })
        else { return }
        change(&attempts[attempt].products[product])
    }
}

/// An archive that failed its check, and why.
private struct ArchiveFailure: Error {
    var target: ArchiveTarget
    var reason: String
}
