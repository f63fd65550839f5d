#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a file could not be read.
struct FileError: Error {
    var reason: String
}

/// The little file access the manifest library needs, straight on POSIX (fast, and no Foundation in the hot path).
enum FileSystem {
    static func join(_ directory: String, _ name: String) -> String {
        if directory.isEmpty || directory == "." { return name }
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    static func directory(of path: String) -> String {
        // `/` is one byte and never part of another character: a byte search finds the same place as a Character one.
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    static func fileName(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
        return String(path[path.utf8.index(after: slash)...])
    }

    /// Whether the last component of `path` is `name`, compared byte for byte without building a string (this
    /// runs for every file of a folder scan).
    static func hasFileName(_ path: String, _ name: String) -> Bool {
        var path = path  // `withUTF8` needs a variable; a native string is not copied
        var name = name
        return path.withUTF8 { path in
            name.withUTF8 { name in
                guard path.count >= name.count else { return false }
                let start = path.count - name.count
                guard start == 0 || path[start - 1] == UInt8(ascii: "/") else { return false }
                return name.isEmpty || memcmp(path.baseAddress! + start, name.baseAddress!, name.count) == 0
            }
        }
    }

    enum Kind { case file, directory, missing, other }

    static func kind(_ path: String) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// Reads a whole file; files larger than `limit` are read only to `limit + 1` bytes (callers refuse them).
    static func read(_ path: String, limit: Int) -> Result<[UInt8], FileError> {
        // Non-blocking, so that opening a FIFO with no writer returns at once (it is refused below) instead of hanging;
        // reads of a regular file ignore the flag.
        let fd = open(path, O_RDONLY | O_NONBLOCK)
        guard fd >= 0 else { return .failure(FileError(reason: errorText(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(FileError(reason: errorText(errno))) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return .failure(FileError(reason: "is a directory"))
        default: return .failure(FileError(reason: "is not a regular file (a FIFO, device or socket)"))
        }
        let expected = min(Int(info.st_size), limit + 1)
        var buffer = [UInt8](repeating: 0, count: max(expected, 0) + 1)
        var count = 0
        while count < limit + 1 {
            if count == buffer.count { buffer.append(contentsOf: repeatElement(0, count: min(buffer.count, limit + 1 - count))) }
            let n = buffer.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return systemRead(fd, base + count, raw.count - count)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(FileError(reason: errorText(errno)))
            }
            if n == 0 { break }
            count += n
            // A regular file read to its known size is complete: skip the extra read that would return 0.
            if count == expected && Int(info.st_size) == expected && info.st_mode & S_IFMT == S_IFREG { break }
        }
        buffer.removeSubrange(count...)
        return .success(buffer)
    }

    static func errorText(_ code: Int32) -> String {
        switch code {
        case ENOENT: return "no such file or directory"
        case EACCES: return "permission denied"
        case EISDIR: return "is a directory"
        default: return String(cString: strerror(code))
        }
    }

    /// Every `*.yaml`/`*.yml` file under `directory` (recursive, sorted), skipping `hookctl.yaml` and hidden files
    /// and folders (`.hookctl/`, `.git/`, `.github/`, `.gitlab-ci.yml`: state and CI files, never manifests);
    /// symbolic links to folders are not followed.
    static func manifestFiles(under directory: String) -> [String] {
        var out: [String] = []
        collect(directory, depth: 0, into: &out)
        return out.sorted()  // for UTF-8 text, code point order is byte order
    }

    private static func collect(_ directory: String, depth: Int, into out: inout [String]) {
        guard depth < 32, let dir = opendir(directory) else { return }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix(".") { continue }
            let path = join(directory, name)
            var type = entry.pointee.d_type
            if type == UInt8(DT_UNKNOWN) || type == UInt8(DT_LNK) {
                var info = stat()
                let followed = type == UInt8(DT_LNK) ? stat(path, &info) : lstat(path, &info)
                guard followed == 0 else { continue }
                if info.st_mode & S_IFMT == S_IFREG {
                    type = UInt8(DT_REG)
                } else if info.st_mode & S_IFMT == S_IFDIR && entry.pointee.d_type != UInt8(DT_LNK) {
                    type = UInt8(DT_DIR)
                } else {
                    continue
                }
            }
            if type == UInt8(DT_DIR) {
                collect(path, depth: depth + 1, into: &out)
            } else if type == UInt8(DT_REG), name != "hookctl.yaml", name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
                out.append(path)
            }
        }
    }

    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `path` made absolute and normalised (`.` and `..` removed), without resolving links.
    static func absolute(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : join(currentDirectory(), path)
        var parts: [Substring] = []
        for part in full.split(separator: "/") {
            if part == "." || part.isEmpty { continue }
            if part == ".." { _ = parts.popLast() } else { parts.append(part) }
        }
        return "/" + parts.joined(separator: "/")
    }
}

/// The C library's `read`, under a name `FileSystem.read` does not shadow.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, buffer, count) }
