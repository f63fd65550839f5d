import Foundation

/// The deterministic output archive of one item: the same order, item and input always give the same bytes.
enum ProductArchive {
    /// The name of the processed product for an input of a workflow.
    static func processedName(identifier: String, workflow: String, outputType: String?) -> String {
        guard workflow != "data-harvest", let outputType else { return identifier }
        let base = identifier.hasSuffix(".SAFE") ? String(identifier.dropLast(5)) : identifier
        return "\(base)_\(outputType.replacingOccurrences(of: "-", with: "_"))"
    }

    static func make(orderID: Int, itemID: Int, identifier: String, workflow: String, processedName: String) -> [UInt8] {
        var zip = ZipWriter()
        let folder = processedName.hasSuffix(".SAFE") ? processedName : processedName + ".SAFE"
        let manifest = """
            <?xml version="1.0" encoding="UTF-8"?>
            <hookSandboxProduct>
              <workflow>\(xmlEscape(workflow))</workflow>
              <input>\(xmlEscape(identifier))</input>
              <output>\(xmlEscape(processedName))</output>
              <batchOrder>\(orderID)</batchOrder>
              <item>\(itemID)</item>
              <note>Synthetic product written by the hookctl sandbox; not real data.</note>
            </hookSandboxProduct>

            """
        zip.add("\(folder)/manifest.safe", Array(manifest.utf8))
        // A pseudo-random but deterministic payload whose size varies per input (16-48 KiB).
        var generator = SeededGenerator(seed: SeededGenerator.hash(identifier) ^ UInt64(itemID))
        let size = 16_384 + Int(generator.next() % 32_768)
        var payload = [UInt8](repeating: 0, count: size)
        var i = 0
        while i < size {
            let word = generator.next()
            for shift in stride(from: 0, to: 64, by: 8) where i < size {
                payload[i] = UInt8(truncatingIfNeeded: word >> UInt64(shift))
                i += 1
            }
        }
        zip.add("\(folder)/measurement/data.bin", payload)
        return zip.finish()
    }

    private static func xmlEscape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
