import Foundation
import HookManifest

/// One command's view of the project: the manifests read, the profile chosen, and where state and reports live.
public struct Workbench: Sendable {
    public let workspace: Workspace
    /// The manifest paths as named on the command line (empty: the default).
    public let paths: [String]
    /// Whether manifest paths were named (commands about recorded orders then look at those manifests' orders only).
    public var pathsGiven: Bool { !paths.isEmpty }
    /// The profile in force (`--profile`, else `HOOKCTL_PROFILE`, else the project's `defaultProfile`).
    public let profileName: String
    public let profile: Profile?
    /// The folder of the project file (or the current folder when there is none).
    public let root: String
    /// `--shard K/N`: this command works on that shard's orders only, with that shard's state.
    public let shard: Shard?
    /// The manifest files read, as recorded (`relative(_:)`), by their path as read.
    private let recordedPaths: [String: String]
    /// The manifest files read in this run, as recorded.
    private let readManifests: Set<String>

    /// Reads manifests and the project file and picks the profile.
    /// - Parameters:
    ///   - sandbox: `--sandbox`: use an embedded sandbox whatever the profile says; a project-less run then works
    ///     under the profile name `sandbox`.
    ///   - shard: `--shard K/N`.
    public init(
        paths: [String], projectFile: String?, profile: String?, sandbox: Bool, environment: [String: String], shard: Shard? = nil,
        catalogue: [UInt8]? = nil
    ) throws {
        var requested = profile ?? environment["HOOKCTL_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
        var workspace = loadWorkspace(
            paths: paths, projectFile: projectFile, profile: requested, environment: environment, embeddedSandbox: sandbox,
            catalogue: catalogue)
        if sandbox, let project = workspace.project, workspace.profile?.sandbox != true {
            // `--sandbox` works under the project's sandbox profile (its bodies, its lock file), never under a real one.
            if let name = project.profiles.values.filter(\.sandbox).map(\.name).sorted().first {
                requested = name
                workspace = loadWorkspace(paths: paths, projectFile: projectFile, profile: name, environment: environment, catalogue: catalogue)
            } else {
                requested = "sandbox"
            }
        }
        self.workspace = workspace
        self.paths = paths
        self.shard = shard
        root =
            workspace.projectFile.map { ($0 as NSString).deletingLastPathComponent }
            .map { $0.isEmpty ? "." : $0 } ?? FileManager.default.currentDirectoryPath
        let name = requested ?? workspace.project?.defaultProfile ?? "sandbox"
        if let project = workspace.project, let chosen = project.profiles[name] {
            self.profile = chosen
        } else if let project = workspace.project, !project.profiles.isEmpty, !sandbox {
            throw RunnerError.unknownProfile(name, available: project.profiles.keys.sorted())
        } else {
            self.profile = nil
        }
        profileName = name
        let root = self.root
        recordedPaths = Dictionary(workspace.manifestFiles.map { ($0, Self.relative($0, to: root)) }) { first, _ in first }
        readManifests = Set(recordedPaths.values)
    }

    /// Whether this command talks to an embedded sandbox.
    public func usesSandbox(forced: Bool) -> Bool { forced || (profile?.sandbox ?? false) }

    /// The name state files carry: the profile, and `.<K>-of-<N>` for a shard.
    var stateName: String { shard.map { "\(profileName).\($0.fileTag)" } ?? profileName }

    /// `hookctl.<profile>.lock` (a shard's: `hookctl.<profile>.<K>-of-<N>.lock`) beside the project file; with state
    /// in S3, the working copy of the state object, `.hookctl/<profile>[.<K>-of-<N>].s3.lock`.
    public var lockPath: String {
        profile?.state == nil
            ? (root as NSString).appendingPathComponent("hookctl.\(stateName).lock")
            : (root as NSString).appendingPathComponent(".hookctl/\(stateName).s3.lock")
    }

    /// The state object's key with state in S3: the profile's `state.s3.key`, a shard's with `.<K>-of-<N>` inserted
    /// before its extension (`hookctl/harvest.lock` -> `hookctl/harvest.2-of-4.lock`).
    public var stateObjectKey: String? {
        guard let key = profile?.state?.key else { return nil }
        guard let shard else { return key }
        let parts = Self.shardKey(key)
        return parts.stem + "." + shard.fileTag + parts.suffix
    }

    /// A state key split where a shard's tag goes: before the extension of its last path component (`a/b.lock` ->
    /// `a/b` and `.lock`), else at its end.
    static func shardKey(_ key: String) -> (stem: String, suffix: String) {
        let name = key.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? key
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return (key, "") }
        let suffix = String(name[dot...])
        return (String(key.dropLast(suffix.count)), suffix)
    }
    /// The lock file's journal, `.hookctl/<profile>[.<K>-of-<N>].journal`: what a command has recorded since it started.
    public var journalPath: String { (root as NSString).appendingPathComponent(".hookctl/\(stateName).journal") }

    /// The process lock that keeps two hookctl off this project and profile, `.hookctl/<profile>.pid`.
    public var projectLockPath: String { (root as NSString).appendingPathComponent(".hookctl/\(stateName).pid") }

    /// The profile's state: the lock file with its journal replayed.
    public func stateStore(warn: @escaping @Sendable (String) -> Void) -> FileStateStore {
        FileStateStore(path: lockPath, journalPath: journalPath, warn: warn)
    }
    /// The default reports folder, `reports/` beside the project file.
    public var reportsDirectory: String { (root as NSString).appendingPathComponent("reports") }
    /// Where embedded sandboxes keep their state between commands.
    public var sandboxStateDirectory: String { (root as NSString).appendingPathComponent(".hookctl/sandbox") }
    /// Where `download: true` puts product archives.
    public var downloadsDirectory: String { (root as NSString).appendingPathComponent("downloads") }

    /// The orders of the manifests read that this command works on (those of its shard).
    var orders: [Order] { workspace.orders.filter { shard?.contains($0.key) ?? true } }

    /// The orders as the manifests want them, for the plan.
    /// - Parameter retryAll: `--retry-all`: every order's retry resubmits all its identifiers, whatever its manifest says.
    public func desiredOrders(retryAll: Bool = false) -> [DesiredOrder] {
        orders.map { order in
            DesiredOrder(
                key: order.key, manifest: recordedPaths[order.manifestPath] ?? relative(order.manifestPath), workflow: order.workflow, labels: order.labels,
                digest: order.body.digest, renderedBody: order.body.renderedUTF8(), identifiers: order.body.identifiers,
                name: order.body.name, output: OutputLocation(order.storage), download: order.download, timeout: order.waitTimeout,
                retryAll: retryAll || order.retryAll)
        }
    }

    /// Whether a recorded order that no manifest defines now is really gone, rather than outside the paths given:
    /// its manifest file no longer exists, or was read in this run and no longer defines it.
    public func isRemoved(_ key: String, _ record: OrderRecord) -> Bool {
        let path = record.manifest.hasPrefix("/") ? record.manifest : (root as NSString).appendingPathComponent(record.manifest)
        if !FileManager.default.fileExists(atPath: path) { return true }
        return readManifests.contains(record.manifest)
    }

    /// The manifest path as recorded: relative to the project folder, so the lock reads the same on every machine.
    public func relative(_ path: String) -> String { Self.relative(path, to: root) }

    private static func relative(_ path: String, to root: String) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let base = URL(fileURLWithPath: root).standardizedFileURL.path
        return absolute.hasPrefix(base + "/") ? String(absolute.dropFirst(base.count + 1)) : path
    }

    /// The bodies to POST for `keys`, every reference resolved.
    /// - Parameter state: when given, no body for an order whose recorded body differs from its manifest's now: a
    ///   recorded attempt is only ever sent again with the body it was recorded for.
    /// - Throws: `RunnerError.unsetVariables` for the first order that needs an unset variable, before anything is sent.
    public func bodies(
        for keys: Set<String>, matching state: RunState? = nil, environment: [String: String]
    ) throws -> [String: SubmissionBody] {
        var result: [String: SubmissionBody] = [:]
        for order in workspace.orders where keys.contains(order.key) {
            if let recorded = state?.orders[order.key], recorded.digest != order.body.digest { continue }
            do {
                result[order.key] = SubmissionBody(resolved: try order.body.submissionValue(environment: environment))
            } catch {
                throw RunnerError.unsetVariables(user: "order \(order.key)", names: error.names)
            }
        }
        return result
    }
}
