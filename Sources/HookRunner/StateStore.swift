import Foundation
import HookCore
import HookManifest
import Synchronization

/// Where the run state lives. `FileStateStore` is the lock file and its journal; tests may keep it in memory.
/// A store keeps the state it has recorded, so whoever ends the command can compact it without the runner.
public protocol StateStore: Sendable {
    /// The state as last recorded.
    func load() throws -> RunState
    /// Durably records new entries for these keys (nil removes one). The work is proportional to `changes`, not to
    /// the whole state: this runs before and after every wave of submissions.
    func record(_ changes: [String: OrderRecord?]) throws
    /// Writes the whole state in its canonical form and drops what made it durable meanwhile (at a command's end).
    func compact() throws
}

/// The lock file `hookctl.<profile>.lock` and its journal `.hookctl/<profile>.journal`.
///
/// During a command every change is appended to the journal (one JSON line per order entry, fsynced), so the cost of
/// a wave is that of its own orders; when the command ends the journal is folded into the lock file, which is written
/// whole (canonical JSON, temp file + fsync + rename) and only when its bytes change, so an idle `apply` changes no
/// byte. Loading replays the journal over the lock file: a crash at any point loses nothing that was recorded. A record
/// cut short by a crash mid-write is dropped with one warning, and the next append starts where it began.
public final class FileStateStore: StateStore {
    /// The lock file's path.
    public let path: String
    /// The journal's path.
    public let journalPath: String
    private let warn: @Sendable (String) -> Void
    private let current = Mutex<Current>(Current())

    private struct Current {
        var state: RunState?
        /// Bytes of the journal that hold whole records: appends start there.
        var journalLength: UInt64 = 0
        var journal: FileHandle?
        /// Whether anything was recorded or replayed since the lock file was read.
        var dirty = false
    }

    public init(path: String, journalPath: String, warn: @escaping @Sendable (String) -> Void = { _ in }) {
        self.path = path
        self.journalPath = journalPath
        self.warn = warn
    }

    deinit { current.withLock { try? $0.journal?.close() } }

    public func load() throws -> RunState {
        try current.withLock { current in
            if let state = current.state { return state }
            var (state, version) = try readLock()
            let (length, replayed) = try replayJournal(into: &state)
            current.state = state
            current.journalLength = length
            // A lock file of an earlier version is rewritten in the current one by the next command that compacts.
            current.dirty = replayed || version < RunStateCodec.version
            return state
        }
    }

    public func record(_ changes: [String: OrderRecord?]) throws {
        guard !changes.isEmpty else { return }
        _ = try load()
        try current.withLock { current in
            var bytes: [UInt8] = []
            for (key, record) in changes.sorted(by: { $0.key < $1.key }) {
                bytes += RunStateCodec.journalLine(key: key, record: record)
            }
            let handle = try current.journal ?? openJournal(truncatingTo: current.journalLength)
            current.journal = handle
            do {
                try handle.write(contentsOf: bytes)
                try handle.synchronize()
            } catch {
                // Whatever part of the write landed is cut off when the journal is next opened; the state held here
                // stays what is durable, so a compaction cannot write changes that were never recorded.
                try? handle.close()
                current.journal = nil
                throw RunnerError.io("cannot write \(journalPath): \(error.localizedDescription)")
            }
            for (key, record) in changes { current.state?.orders[key] = record }
            current.journalLength += UInt64(bytes.count)
            current.dirty = true
        }
    }

    public func compact() throws {
        try current.withLock { current in
            guard current.dirty, let state = current.state else { return }
            let text = RunStateCodec.encode(state)
            if (try? String(contentsOfFile: path, encoding: .utf8)) != text { try AtomicFile.write(text, to: path) }
            try? current.journal?.close()
            current.journal = nil
            if FileManager.default.fileExists(atPath: journalPath) {
                do { try FileManager.default.removeItem(atPath: journalPath) } catch {
                    throw RunnerError.io("cannot remove \(journalPath): \(error.localizedDescription)")
                }
            }
            current.journalLength = 0
            current.dirty = false
        }
    }

    private func readLock() throws -> (RunState, version: Int) {
        guard FileManager.default.fileExists(atPath: path) else { return (RunState(), RunStateCodec.version) }
        let bytes: [UInt8]
        do { bytes = try Self.contents(of: path) } catch let error as RunnerError { throw error } catch {
            throw RunnerError.io("cannot read \(path): \(error.localizedDescription)")
        }
        do { return try RunStateCodec.decode(bytes) } catch {
            throw RunnerError.corruptState(path: path, reason: "\(error)")
        }
    }

    /// Applies the journal's whole records to `state`; returns the length they span and whether there is a journal
    /// (even one holding no whole record: compaction then removes it).
    private func replayJournal(into state: inout RunState) throws -> (UInt64, Bool) {
        guard FileManager.default.fileExists(atPath: journalPath) else { return (0, false) }
        let bytes: [UInt8]
        do { bytes = try Self.contents(of: journalPath) } catch let error as RunnerError { throw error } catch {
            throw RunnerError.io("cannot read \(journalPath): \(error.localizedDescription)")
        }
        var start = 0
        var count = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n"))
            guard let end, case .object(let entry)? = try? JSONReader.parse(Array(bytes[start..<end])),
                case .string(let key)? = entry["key"], let order = entry["order"]
            else {
                // Only the last record can be cut short by a crash while it was appended; a bad one before others
                // means the file was damaged.
                if let end, end + 1 < bytes.count {
                    throw RunnerError.corruptState(path: journalPath, reason: "the record at byte \(start) is not a journal record")
                }
                warn(
                    "\(journalPath): the last record (at byte \(start)) is incomplete, cut short by a crash or still being written; it is ignored, and the \(count) before it are kept"
                )
                break
            }
            if case .object(let fields) = order {
                do { state.orders[key] = try RunStateCodec.record(fields, key: key, fromJournal: true) } catch {
                    throw RunnerError.corruptState(path: journalPath, reason: "\(error)")
                }
            } else {
                state.orders[key] = nil
            }
            count += 1
            start = end + 1
        }
        return (UInt64(start), true)
    }

    /// A whole file's bytes, read in chunks straight into one array: a `Data` and an array copied from it would hold a
    /// large lock file twice at once.
    static func contents(of path: String) throws -> [UInt8] {
        // A folder (or FIFO) where the file should be is refused before it is opened: a folder's "end" is no size.
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw RunnerError.io("cannot read \(path): it is not a regular file (a folder?); move it away")
        }
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var bytes: [UInt8] = []
        bytes.reserveCapacity((attributes[.size] as? Int) ?? 0)
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { bytes.append(contentsOf: chunk) }
        return bytes
    }

    private func openJournal(truncatingTo length: UInt64) throws -> FileHandle {
        let url = URL(fileURLWithPath: journalPath)
        do {
            try FileError.createFolder(url.deletingLastPathComponent().path)
            if !FileManager.default.fileExists(atPath: journalPath) {
                guard FileManager.default.createFile(atPath: journalPath, contents: nil) else {
                    throw RunnerError.io("cannot create \(journalPath)")
                }
            }
            let handle = try FileHandle(forWritingTo: url)
            try handle.truncate(atOffset: length)
            try handle.seek(toOffset: length)
            return handle
        } catch let error as RunnerError {
            throw error
        } catch {
            throw RunnerError.io("cannot open \(journalPath): \(error.localizedDescription)")
        }
    }
}
