import Foundation

/// Where the run state lives. `FileStateStore` is the lock file; tests may keep it in memory.
public protocol StateStore: Sendable {
    func load() throws -> RunState
    func save(_ state: RunState) throws
}

/// The lock file `hookctl.<profile>.lock`: canonical JSON written atomically (temp file, fsync, rename),
/// and left untouched when the content would not change, so an idle `apply` changes no byte.
public struct FileStateStore: StateStore {
    /// The lock file's path.
    public let path: String

    public init(path: String) { self.path = path }

    public func load() throws -> RunState {
        guard FileManager.default.fileExists(atPath: path) else { return RunState() }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw RunnerError.io("cannot read \(path): \(error.localizedDescription)")
        }
        do { return try RunStateCodec.decode(data) } catch let error as RunnerError { throw error } catch {
            throw RunnerError.corruptState(path: path, reason: "\(error)")
        }
    }

    public func save(_ state: RunState) throws {
        let text = RunStateCodec.encode(state)
        if let old = try? String(contentsOfFile: path, encoding: .utf8), old == text { return }
        try AtomicFile.write(text, to: path)
    }
}

/// Writes a whole file or nothing: temp file beside the target, fsync, rename.
public enum AtomicFile {
    public static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        guard FileManager.default.createFile(atPath: temp.path, contents: Data(text.utf8)) else {
            throw RunnerError.io("cannot write \(temp.path)")
        }
        do {
            let handle = try FileHandle(forWritingTo: temp)
            try handle.synchronize()
            try handle.close()
            if rename(temp.path, url.path) != 0 { throw RunnerError.io("cannot replace \(path): \(String(cString: strerror(errno)))") }
        } catch {
            try? FileManager.default.removeItem(at: temp)
            throw error
        }
    }
}
