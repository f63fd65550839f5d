import Foundation
import HookCore
import NIOCore

/// The deterministic output archive of one item: the same order, item and input always give the same bytes. A stored
/// ZIP of a small XML manifest and a data file of pseudo-random bytes, 16-48 KiB unless the input product declares the
/// archive's size (`POST /sandbox/catalogue` with `size`; the data file is then what the rest leaves); data beyond a
/// mebibyte repeats its first mebibyte, so a gigabyte archive is held as a few KiB plus one block, and streamed from
/// any offset.
struct ProductArchive: Sendable {
    static let blockSize = 1 << 20
    /// The largest archive size a catalogue item may declare (below ZIP64's 4 GiB).
    static let maxDeclaredSize = 3 << 30

    let segments: [ZipSegment]
    let count: Int
    /// The CRC-32 of the whole archive (its ETag), kept from building it.
    let crc: UInt32

    /// The name of the processed product for an input of a workflow.
    static func processedName(identifier: String, workflow: String, outputType: String?) -> String {
        guard workflow != "data-harvest", let outputType else { return identifier }
        let base = identifier.hasSuffix(".SAFE") ? String(identifier.dropLast(5)) : identifier
        return "\(base)_\(outputType.replacingOccurrences(of: "-", with: "_"))"
    }

    init(orderID: Int, itemID: Int, identifier: String, workflow: String, processedName: String, declaredSize: Int? = nil) {
        var layout = Layout(
            orderID: orderID, itemID: itemID, identifier: identifier, workflow: workflow, processedName: processedName, declaredSize: declaredSize)
        var zip = ZipWriter()
        zip.add(layout.manifestName, layout.manifest)
        var block = [UInt8](repeating: 0, count: min(layout.dataSize, Self.blockSize))
        var i = 0
        while i < block.count {
            let word = layout.generator.next()
            for shift in stride(from: 0, to: 64, by: 8) where i < block.count {
                block[i] = UInt8(truncatingIfNeeded: word >> UInt64(shift))
                i += 1
            }
        }
        zip.add(layout.dataName, repeating: block, size: layout.dataSize)
        segments = zip.finish()
        count = segments.reduce(0) { $0 + $1.count }
        crc = zip.crc
    }

    /// The size of the archive `init` builds from the same arguments, without generating its data or its CRCs (what a
    /// completed TEMPORARY item records; its bytes are built when downloaded).
    static func size(orderID: Int, itemID: Int, identifier: String, workflow: String, processedName: String, declaredSize: Int? = nil) -> Int {
        let layout = Layout(
            orderID: orderID, itemID: itemID, identifier: identifier, workflow: workflow, processedName: processedName, declaredSize: declaredSize)
        return ZipWriter.size(entries: [(layout.manifestName, layout.manifest.count), (layout.dataName, layout.dataSize)])
    }

    /// What an archive holds before its data is generated: the entries' names, the manifest, the data's size, and the
    /// generator where the data's bytes begin.
    private struct Layout {
        var manifestName: String
        var manifest: [UInt8]
        var dataName: String
        var dataSize: Int
        var generator: SeededGenerator

        init(orderID: Int, itemID: Int, identifier: String, workflow: String, processedName: String, declaredSize: Int?) {
            let folder = processedName.hasSuffix(".SAFE") ? processedName : processedName + ".SAFE"
            let text = """
                <?xml version="1.0" encoding="UTF-8"?>
                <hookSandboxProduct>
                  <workflow>\(MarkupEntities.encode(workflow))</workflow>
                  <input>\(MarkupEntities.encode(identifier))</input>
                  <output>\(MarkupEntities.encode(processedName))</output>
                  <batchOrder>\(orderID)</batchOrder>
                  <item>\(itemID)</item>
                  <note>Synthetic product written by the hookctl sandbox; not real data.</note>
                </hookSandboxProduct>

                """
            manifestName = "\(folder)/manifest.safe"
            manifest = Array(text.utf8)
            dataName = "\(folder)/measurement/data.bin"
            var generator = SeededGenerator(seed: SeededGenerator.hash(identifier) ^ UInt64(itemID))
            if let declaredSize {
                // The declared size is the whole archive's (SPEC 5): the data fills what the headers and the manifest
                // leave, none when they alone are larger.
                let overhead = ZipWriter.size(entries: [(manifestName, manifest.count), (dataName, 0)])
                dataSize = max(0, min(declaredSize, ProductArchive.maxDeclaredSize) - overhead)
            } else {
                dataSize = 16_384 + Int(generator.next() % 32_768)
            }
            self.generator = generator
        }
    }

    /// The archive's bytes in `range`, as buffers of at most one block; repeated data shares one buffer.
    func buffers(in range: Range<Int>) -> [ByteBuffer] {
        var out: [ByteBuffer] = []
        var start = 0
        for segment in segments {
            defer { start += segment.count }
            let lower = max(range.lowerBound, start)
            let upper = min(range.upperBound, start + segment.count)
            guard lower < upper else { continue }
            switch segment {
            case let .bytes(bytes):
                out.append(ByteBuffer(bytes: bytes[(lower - start)..<(upper - start)]))
            case let .repeating(block, _):
                let buffer = ByteBuffer(bytes: block)
                var position = lower
                while position < upper {
                    let inBlock = (position - start) % block.count
                    let length = min(block.count - inBlock, upper - position)
                    out.append(buffer.getSlice(at: inBlock, length: length)!)
                    position += length
                }
            }
        }
        return out
    }

    /// The whole archive in memory (for S3 uploads).
    var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        for buffer in buffers(in: 0..<count) { out += buffer.readableBytesView }
        return out
    }

}
