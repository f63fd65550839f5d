import Foundation
import HookCore

extension OrderStatus: Decodable {
    public init(from decoder: any Decoder) throws { self.init(rawValue: try decoder.singleValueContainer().decode(String.self)) }
}

/// An id the service sends as a number or as a string of digits.
struct FlexibleID: Decodable {
    let value: Int
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            value = number
        } else if let text = try? container.decode(String.self), let number = Int(text) {
            value = number
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an id")
        }
    }
}

/// `{"value": ...}`: the service wraps lists and single entities alike.
struct Envelope<T: Decodable>: Decodable {
    let value: T
}

/// A batch order (the answer to a submission, `GET BatchOrder(N)`).
public struct BatchOrder: Decodable, Sendable {
    public var id: Int
    public var name: String
    public var status: OrderStatus

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case name = "Name"
        case status = "Status"
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(FlexibleID.self, forKey: .id).value
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        status = try c.decodeIfPresent(OrderStatus.self, forKey: .status) ?? OrderStatus(rawValue: "queued")
    }
}

/// An entry of `GET ProductionOrders` (its `Id` is a string on the wire).
public struct ProductionOrder: Decodable, Sendable {
    public var id: Int
    public var name: String
    public var status: OrderStatus
    public var statusMessage: String?
    /// When the service expects the order to be done: a hint (null on creation, may be overrun), never a promise.
    public var estimatedDate: Date?

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case name = "Name"
        case status = "Status"
        case statusMessage = "StatusMessage"
        case estimatedDate = "EstimatedDate"
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(FlexibleID.self, forKey: .id).value
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        status = try c.decode(OrderStatus.self, forKey: .status)
        statusMessage = try c.decodeIfPresent(String.self, forKey: .statusMessage)
        // `2024-09-02T16:22:51.958Z`; anything else is no estimate rather than an error.
        estimatedDate = (try? c.decodeIfPresent(String.self, forKey: .estimatedDate)).flatMap { text in
            text.flatMap { try? Date($0, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true)) }
        }
    }
}

/// An item of a batch order (`GET BatchOrder(N)/Products`).
public struct BatchOrderItem: Decodable, Sendable {
    public var id: Int
    public var inputProductReference: String
    public var status: OrderStatus
    public var statusMessage: String?
    public var processedName: String?
    public var processedSize: Int64?
    public var downloadLink: String?

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case inputProductReference = "InputProductReference"
        case status = "Status"
        case statusMessage = "StatusMessage"
        case processedName = "ProcessedName"
        case processedSize = "ProcessedSize"
        case downloadLink = "DownloadLink"
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(FlexibleID.self, forKey: .id).value
        if let text = try? c.decode(String.self, forKey: .inputProductReference) {
            inputProductReference = text
        } else {
            struct Reference: Decodable {
                let value: String
                enum CodingKeys: String, CodingKey { case value = "Reference" }
            }
            inputProductReference = (try? c.decode(Reference.self, forKey: .inputProductReference).value) ?? ""
        }
        status = try c.decode(OrderStatus.self, forKey: .status)
        statusMessage = try c.decodeIfPresent(String.self, forKey: .statusMessage)
        processedName = try c.decodeIfPresent(String.self, forKey: .processedName)
        processedSize = try? c.decodeIfPresent(Int64.self, forKey: .processedSize)
        downloadLink = try c.decodeIfPresent(String.self, forKey: .downloadLink)
    }
}

extension BatchOrderItem {
    /// When the item's `DownloadLink` stops working: its `temp_url_expires` (an OpenStack Swift temporary URL's Unix
    /// time; the real service sets it 14 days after completion). Nil without a link or without that parameter.
    public var linkExpires: Date? {
        guard let link = downloadLink, let query = URLComponents(string: link)?.queryItems,
            let seconds = query.first(where: { $0.name == "temp_url_expires" })?.value.flatMap(Int64.init)
        else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}

/// A workflow of the catalogue, with its options when they were asked for.
public struct Workflow: Decodable, Sendable {
    public var id: String
    public var name: String
    public var displayName: String?
    public var version: String?
    public var description: String?
    public var options: [WorkflowOptionInfo]?

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case name = "Name"
        case displayName = "DisplayName"
        case version = "WorkflowVersion"
        case description = "Description"
        case options = "WorkflowOptions"
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = String(try c.decode(FlexibleID.self, forKey: .id).value)
        name = try c.decode(String.self, forKey: .name)
        displayName = try c.decodeIfPresent(String.self, forKey: .displayName)
        version = try c.decodeIfPresent(String.self, forKey: .version)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        options = try c.decodeIfPresent([WorkflowOptionInfo].self, forKey: .options)
    }
}

/// One option a workflow accepts.
public struct WorkflowOptionInfo: Decodable, Sendable {
    public var name: String
    public var type: String?
    public var required: Bool
    public var defaultValue: String?
    public var description: String?
    /// Allowed values, from either shape of `Value` (`["A"]` or `[{"value": "A"}]`).
    public var allowed: [String]

    enum CodingKeys: String, CodingKey {
        case name = "Name"
        case type = "Type"
        case required = "Required"
        case defaultValue = "Default"
        case description = "Description"
        case value = "Value"
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        type = try c.decodeIfPresent(String.self, forKey: .type)
        required = (try? c.decodeIfPresent(Bool.self, forKey: .required)) ?? false
        defaultValue = try? c.decodeIfPresent(String.self, forKey: .defaultValue)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        struct Allowed: Decodable { let value: String }
        if let plain = try? c.decodeIfPresent([String].self, forKey: .value) {
            allowed = plain
        } else if let objects = try? c.decodeIfPresent([Allowed].self, forKey: .value) {
            allowed = objects.map(\.value)
        } else {
            allowed = []
        }
    }
}
