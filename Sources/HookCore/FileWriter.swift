import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file operation that failed, with the system's reason.
public struct FileError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// The reason `errno` gives for the last failed call.
    public static var lastReason: String { String(cString: strerror(errno)) }

    public var description: String { "\(path): \(reason)" }
    public var errorDescription: String? { description }
}

extension FileError {
    /// Creates a folder and its missing parents; a file in the way, or a refusal, is one plain reason (not Foundation's
    /// "The operation could not be completed").
    public static func createFolder(_ path: String) throws(FileError) {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue { return }
        var prefix = ""
        for component in (path as NSString).pathComponents {
            prefix = prefix.isEmpty ? component : (prefix as NSString).appendingPathComponent(component)
            if FileManager.default.fileExists(atPath: prefix, isDirectory: &isFolder), !isFolder.boolValue {
                throw FileError(path: path, reason: "cannot create the folder: \(prefix) is a file")
            }
        }
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            let posix = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError).map { String(cString: strerror(Int32($0.code))) }
            throw FileError(path: path, reason: "cannot create the folder: \(posix?.lowercased() ?? error.localizedDescription)")
        }
    }
}

/// Appends bytes to a file through a descriptor, with no buffering beyond the chunk being written: streamed
/// downloads write through it.
public final class FileWriter {
    private var descriptor: Int32
    public let path: String

    /// Opens (creating with mode 0644) a file for writing at its end.
    /// - Parameter truncate: empty the file first.
    public init(path: String, truncate: Bool) throws(FileError) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : O_APPEND), 0o644)
        guard descriptor >= 0 else { throw FileError(path: path, reason: "cannot open for writing: \(FileError.lastReason)") }
    }

    deinit { if descriptor >= 0 { _ = unistdClose(descriptor) } }

    /// Writes every byte.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(FileError) {
        guard descriptor >= 0 else { throw FileError(path: path, reason: "already closed") }
        var offset = 0
        while offset < bytes.count {
            let written = unistdWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, reason: "write failed: \(FileError.lastReason)")
            }
            offset += written
        }
    }

    /// Writes every byte.
    public func write(_ bytes: [UInt8]) throws(FileError) {
        let failure: FileError? = bytes.withUnsafeBytes { raw in
            do throws(FileError) { try write(raw) } catch { return error }
            return nil
        }
        if let failure { throw failure }
    }

    /// Flushes what was written to the disk (`fsync`).
    public func synchronize() throws(FileError) {
        guard descriptor >= 0, fsync(descriptor) == 0 else { throw FileError(path: path, reason: "fsync failed: \(FileError.lastReason)") }
    }

    /// Closes the file.
    public func close() throws(FileError) {
        guard descriptor >= 0 else { return }
        let fd = descriptor
        descriptor = -1
        guard unistdClose(fd) == 0 else { throw FileError(path: path, reason: "close failed: \(FileError.lastReason)") }
    }

    /// Renames a file over another atomically (same file system).
    public static func rename(_ from: String, to destination: String) throws(FileError) {
        guard systemRename(from, destination) == 0 else {
            throw FileError(path: destination, reason: "cannot rename \(from): \(FileError.lastReason)")
        }
    }

    /// The size of a file, or nil when it does not exist.
    public static func size(of path: String) -> Int64? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
    }
}

// The C library's calls under names that the methods above do not shadow.
private func unistdWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }
private func unistdClose(_ fd: Int32) -> Int32 { close(fd) }
private func systemRename(_ from: String, _ to: String) -> Int32 { rename(from, to) }
