import Foundation

/// Writes a whole file or nothing: a temporary file beside the target, fsynced, then renamed over it.
public enum AtomicFile {
    /// - Parameter permissions: the file's mode (e.g. `0o600` for files that may hold secrets); default 0644.
    public static func write(_ bytes: [UInt8], to path: String, permissions: Int? = nil) throws(FileError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        try FileError.createFolder(folder.path)
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp").path
        do throws(FileError) {
            let writer = try FileWriter(path: temporary, truncate: true)
            if let permissions, chmod(temporary, mode_t(permissions)) != 0 {
                throw FileError(path: temporary, reason: "cannot set its permissions: \(FileError.lastReason)")
            }
            try writer.write(bytes)
            try writer.synchronize()
            try writer.close()
            try FileWriter.rename(temporary, to: path)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    public static func write(_ text: String, to path: String, permissions: Int? = nil) throws(FileError) {
        try write(Array(text.utf8), to: path, permissions: permissions)
    }
}
