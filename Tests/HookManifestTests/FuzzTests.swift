import Foundation
import Testing

@testable import HookManifest

/// SplitMix64: a small deterministic generator, so every run mutates the same way.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Mutates the good examples (bytes and structure) and checks that decoding never crashes, always terminates, and
/// gives diagnostics with sane positions; documents with errors never yield orders.
struct FuzzTests {
    static let tokens: [[UInt8]] =
        [
            ":", "- ", "{", "}", "[", "]", "*a", "&a ", "? ", "---\n", "\t", "\"", "'", "#", "\n", "${env:", "${nope:X}", "}",
            "!!binary ", "|\n", ">-\n", "  ", ",", "~", "0x", ".inf", "\u{00e9}", "<<: *a\n",
        ].map { Array($0.utf8) } + [[0xFF], [0x00], [0xC3], [0xE2, 0x82]]

    static func seeds() throws -> [[UInt8]] {
        let folders = ["manifests", "examples", "Tests/HookManifestTests/Fixtures/golden"]
        var out: [[UInt8]] = []
        for folder in folders {
            let root = packageRoot.appendingPathComponent(folder)
            let items = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
            for url in items.sorted(by: { $0.path < $1.path }) where url.pathExtension == "yaml" {
                out.append(try [UInt8](Data(contentsOf: url)))
            }
        }
        return out
    }

    static func mutate(_ input: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<8, using: &rng) {
            case 0 where !bytes.isEmpty: bytes[position] = UInt8.random(in: 0...255, using: &rng)
            case 1: bytes.insert(contentsOf: tokens.randomElement(using: &rng)!, at: position)
            case 2 where !bytes.isEmpty:
                let end = min(bytes.count, position + Int.random(in: 1...40, using: &rng))
                bytes.removeSubrange(position..<end)
            case 3:
                var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
                if !lines.isEmpty {
                    let i = Int.random(in: 0..<lines.count, using: &rng)
                    lines.insert(lines[i], at: Int.random(in: 0...lines.count, using: &rng))
                }
                bytes = Array(lines.joined(separator: [0x0A]))
            case 4:
                var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
                if lines.count > 1 { lines.swapAt(Int.random(in: 0..<lines.count, using: &rng), Int.random(in: 0..<lines.count, using: &rng)) }
                bytes = Array(lines.joined(separator: [0x0A]))
            case 5:
                var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
                if !lines.isEmpty {
                    let i = Int.random(in: 0..<lines.count, using: &rng)
                    if Bool.random(using: &rng) { lines[i].insert(contentsOf: [0x20, 0x20], at: 0) } else { lines[i].removeFirst(min(2, lines[i].count)) }
                }
                bytes = Array(lines.joined(separator: [0x0A]))
            case 6: bytes = Array(bytes.prefix(position))
            default: bytes += bytes.prefix(Int.random(in: 0...200, using: &rng))
            }
        }
        return bytes
    }

    @Test func `mutated examples never crash or hang validation`() throws {
        let seeds = try Self.seeds()
        try #require(seeds.count >= 10)
        var rng = SeededGenerator(state: 20_261_125)
        var withErrors = 0
        for iteration in 0..<3000 {
            let input = Self.mutate(seeds[iteration % seeds.count], &rng)
            let outcome = decodeBytes(input)
            let lineCount = input.split(separator: 0x0A, omittingEmptySubsequences: false).count
            for diagnostic in outcome.diagnostics {
                _ = diagnostic.rendered(color: true)
                guard let location = diagnostic.location, location.file == "m.yaml" else { continue }
                #expect(location.line >= 1 && location.line <= lineCount + 1, "\(diagnostic) for input #\(iteration)")
                #expect(location.column >= 1, "\(diagnostic)")
            }
            if outcome.diagnostics.contains(where: { $0.severity == .error }) {
                withErrors += 1
                if outcome.diagnostics.contains(where: { $0.id.hasPrefix("yaml.") || $0.id.hasPrefix("file.") }) {
                    #expect(outcome.orders.isEmpty, "a file that cannot be read cleanly must yield no orders (input #\(iteration))")
                }
            } else {
                for order in outcome.orders.flatMap({ $0 }) { _ = order.body.renderedJSON() }
            }
        }
        #expect(withErrors > 500)  // the mutations really break things
    }

    @Test func `mutated project files never crash or hang loading`() throws {
        let project = try [UInt8](Data(contentsOf: packageRoot.appendingPathComponent("manifests/hookctl.yaml")))
        let manifest = try String(contentsOf: packageRoot.appendingPathComponent("manifests/s2-t47vlh.yaml"), encoding: .utf8)
        let root = try temporaryFolder(["m/s2.yaml": manifest])
        var rng = SeededGenerator(state: 42)
        var broken = 0
        for iteration in 0..<300 {
            let mutated = Self.mutate(project, &rng)
            try Data(mutated).write(to: URL(fileURLWithPath: root + "/hookctl.yaml"))
            let workspace = loadWorkspace(paths: [root + "/m"])
            let lineCount = mutated.split(separator: 0x0A, omittingEmptySubsequences: false).count
            for diagnostic in workspace.diagnostics {
                _ = diagnostic.rendered()
                guard let location = diagnostic.location, location.file.hasSuffix("hookctl.yaml") else { continue }
                #expect(location.line >= 1 && location.line <= lineCount + 1 && location.column >= 1, "\(diagnostic) for input #\(iteration)")
            }
            if workspace.diagnostics.contains(where: { $0.location?.file.hasSuffix("hookctl.yaml") == true && $0.severity == .error }) {
                broken += 1
            }
        }
        #expect(broken > 50)
    }
}
