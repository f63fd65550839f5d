import Foundation
import HookCore
import Testing

@testable import HookS3

@Suite struct SecretTests {
    static let plain = "hunter2-very-secret"

    @Test func `no printing, dumping, reflecting or encoding reveals the value`() throws {
        let secret = Secret(Self.plain)
        struct Holder: Codable { var password: Secret }
        var dumped = ""
        dump(Holder(password: secret), to: &dumped)
        let outputs: [String] = [
            "\(secret)", String(describing: secret), String(reflecting: secret), dumped,
            String(describing: Holder(password: secret)), String(reflecting: Holder(password: secret)),
            String(decoding: try JSONEncoder().encode(Holder(password: secret)), as: UTF8.self),
            String(decoding: try PropertyListEncoder().encode(Holder(password: secret)), as: UTF8.self),
            "\(AWSCredentials(accessKeyID: "AKID", secretAccessKey: secret))",
            String(reflecting: AWSCredentials(accessKeyID: "AKID", secretAccessKey: secret)),
            "\([secret])", "\(Optional(secret) as Any)",
        ]
        for output in outputs {
            #expect(!output.contains(Self.plain), "leaked in: \(output)")
        }
        #expect("\(secret)" == "<redacted>")
        #expect(String(decoding: try JSONEncoder().encode([secret]), as: UTF8.self) == #"["<redacted>"]"#)
    }

    @Test func `reveal reads the value and decoding accepts it`() throws {
        #expect(Secret(Self.plain).reveal() == Self.plain)
        let decoded = try JSONDecoder().decode([Secret].self, from: Data(#"["\#(Self.plain)"]"#.utf8))
        #expect(decoded.first?.reveal() == Self.plain)
    }
}
