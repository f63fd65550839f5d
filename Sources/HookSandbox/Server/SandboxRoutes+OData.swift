import Foundation
import HTTPTypes
import HookCore
import Hummingbird
import NIOCore

/// The OData routes under `/odata/v1/`.
extension SandboxRoutes {
    static let workflowProperties: Set<String> = ["Id", "Name", "DisplayName", "WorkflowVersion", "InputProductType", "OutputProductType"]
    static let orderProperties: Set<String> = ["Id", "Name", "Status", "WorkflowName", "WorkflowId", "SubmissionDate", "Priority"]
    static let itemProperties: Set<String> = ["Id", "Status", "InputProductReference", "ProcessedName", "BatchOrderId"]
    /// Largest page of a listing; beyond it the answer carries `@odata.nextLink`.
    static let maxPage = 1000

    private func query(_ call: Call, properties: Set<String>) throws -> ODataQuery {
        do {
            return try ODataQuery.parse(call.query, properties: properties)
        } catch {
            throw ErrorAnswer.detail(error.message, .badRequest)
        }
    }

    private func envelope(_ context: String, _ call: Call, _ q: ODataQuery, page: [JSONValue], total: Int, more: Bool) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("@odata.context", .string(context))]
        if q.count { pairs.append(("@odata.count", .integer(total))) }
        pairs.append(("value", .array(page)))
        if more {
            var next = call.query.filter { !["$skip", "skip", "$top", "top"].contains($0.0) }
            let pageSize = min(q.top ?? Self.maxPage, Self.maxPage)
            next.append(("$skip", String(q.skip + pageSize)))
            if let top = q.top { next.append(("$top", String(top - pageSize))) }
            pairs.append(("@odata.nextLink", .string("\(call.baseURL)\(call.request.uri.path)?\(FormData.encode(next))")))
        }
        return .ordered(pairs)
    }

    func workflows(_ call: Call) throws -> Response {
        let q = try query(call, properties: Self.workflowProperties)
        let expand = q.expand.contains { $0.lowercased() == "workflowoptions" }
        let (page, total, more) = q.apply(
            to: WorkflowCatalogue.all,
            value: { workflow, property in
                switch property {
                case "Id": .string(String(workflow.id))
                case "Name": .string(workflow.name)
                case "DisplayName": .string(workflow.displayName)
                case "WorkflowVersion": .string(workflow.version)
                case "InputProductType": workflow.inputProductType.map { .string($0) } ?? .null
                case "OutputProductType": workflow.outputProductType.map { .string($0) } ?? .null
                default: .null
                }
            }, maxPage: Self.maxPage, unordered: { [seed = service.seed] in SeededGenerator.mix(seed ^ UInt64($0.id)) })
        return HTTPReply.json(envelope("$metadata#Workflows/$entity", call, q, page: page.map { $0.json(expandOptions: expand) }, total: total, more: more))
    }

    func submit(_ call: Call) async throws -> Response {
        let claims = try call.context.caller()
        let bytes = try await body(call, limit: service.configuration.maxBodyBytes)
        let json: JSONValue
        do {
            json = try JSONReader.parse(bytes, keepingOrder: true)
        } catch {
            // FastAPI's shape for a body that is not JSON: the position in `loc`, the reader's reason in `msg`.
            throw ErrorAnswer.invalid([
                .init(
                    loc: [.key("body"), .index(error.offset)], msg: "\(error.reason) (char \(error.offset))", type: "value_error.jsondecode",
                    ctx: .ordered([("msg", .string(error.reason)), ("pos", .integer(error.offset))]))
            ])
        }
        switch service.validator.validate(json) {
        case let .failure(failure):
            throw ErrorAnswer.invalid(failure.issues)
        case let .success(draft):
            if service.faults.settings.quotaExceeded {
                throw ErrorAnswer.detail("Quota exceeded: user \(claims.username) has reached the monthly limit of production orders", .forbidden)
            }
            let now = service.nowMs
            let order = service.store.submit(draft, owner: claims, schedule: service.schedule, now: now)
            if service.faults.decideLostResponse() {
                try? await call.channel.close()
                throw ConnectionDropped()
            }
            return HTTPReply.json(
                .ordered([("@odata.context", .string("#metadata/Odata.CSC.BatchOrder")), ("value", order.batchOrderJSON(now: now, created: true))]),
                status: .created)
        }
    }

    /// The caller's order named by the path's key.
    private func ownedOrder(_ call: Call) throws -> Order {
        let id = try call.integerKey("order_id", as: "id")
        guard let order = service.store.order(id, owner: try call.context.caller().subject) else {
            throw ErrorAnswer.detail("Batch order \(id) not found", .notFound)
        }
        return order
    }

    /// The caller's order and the item named by the path's keys.
    private func ownedItem(_ call: Call) throws -> (Order, Order.Item) {
        let order = try ownedOrder(call)
        let itemID = try call.integerKey("item_id", as: "item_id")
        guard let item = order.items.first(where: { $0.id == itemID }) else {
            throw ErrorAnswer.detail("Product \(itemID) of batch order \(order.id) not found", .notFound)
        }
        return (order, item)
    }

    /// The item of `ProductionOrder(N)/Product[/$value]` (the sibling deployment's routes, used by third-party
    /// clients): a production order has one item (the first, otherwise).
    private func firstItem(_ call: Call) throws -> (Order, Order.Item) {
        let order = try ownedOrder(call)
        guard let item = order.items.first else { throw ErrorAnswer.detail("Production order \(order.id) has no product", .notFound) }
        return (order, item)
    }

    func batchOrders(_ call: Call) throws -> Response {
        let q = try query(call, properties: Self.orderProperties)
        let now = service.nowMs
        let (page, total, more) = selectOrders(q, owner: try call.context.caller().subject, now: now)
        return HTTPReply.json(
            envelope("#metadata/Odata.CSC.BatchOrder", call, q, page: page.map { $0.batchOrderJSON(now: now, created: false) }, total: total, more: more))
    }

    func batchOrder(_ call: Call) throws -> Response {
        let order = try ownedOrder(call)
        return HTTPReply.json(
            .ordered([("@odata.context", .string("#metadata/Odata.CSC.BatchOrder")), ("value", order.batchOrderJSON(now: service.nowMs, created: false))]))
    }

    func products(_ call: Call) throws -> Response {
        let order = try ownedOrder(call)
        let q = try query(call, properties: Self.itemProperties)
        let now = service.nowMs
        let (page, total, more) = q.apply(
            to: order.items,
            value: { item, property in
                switch property {
                case "Id": .number(Double(item.id))
                case "BatchOrderId": .number(Double(order.id))
                case "Status": .string(order.status(of: item, now: now).rawValue)
                case "InputProductReference": .string(item.identifier)
                case "ProcessedName": item.outcome?.processedName.map { .string($0) } ?? .null
                default: .null
                }
            }, maxPage: Self.maxPage)
        return HTTPReply.json(
            envelope(
                "#metadata/OData.CSC.BatchorderItem", call, q,
                page: page.map { order.itemJSON($0, now: now, baseURL: call.baseURL, linkLifetime: service.configuration.temporaryTTL) }, total: total,
                more: more)
        )
    }

    func product(_ call: Call) throws -> Response { try productAnswer(ownedItem(call), call) }
    func productValue(_ call: Call) throws -> Response { try productValueAnswer(ownedItem(call), call) }
    func productionOrderProduct(_ call: Call) throws -> Response { try productAnswer(firstItem(call), call) }
    func productionOrderProductValue(_ call: Call) throws -> Response { try productValueAnswer(firstItem(call), call) }

    private func productAnswer(_ found: (Order, Order.Item), _ call: Call) -> Response {
        let (order, item) = found
        return HTTPReply.json(
            .ordered([
                ("@odata.context", .string("#metadata/OData.CSC.BatchorderItem")),
                ("value", order.itemJSON(item, now: service.nowMs, baseURL: call.baseURL, linkLifetime: service.configuration.temporaryTTL)),
            ]))
    }

    private func productValueAnswer(_ found: (Order, Order.Item), _ call: Call) throws -> Response {
        let (order, item) = found
        let now = service.nowMs
        guard order.status(of: item, now: now) == .completed, let name = item.outcome?.processedName else {
            throw ErrorAnswer.detail(
                "Product \(item.id) of batch order \(order.id) is not completed (status: \(order.status(of: item, now: now).rawValue))", .notFound)
        }
        if order.storage == "PRIVATE" {
            throw ErrorAnswer.detail(
                "Product \(item.id) was written to private storage (\(item.outcome?.output ?? "")); it cannot be downloaded from the service", .notFound)
        }
        if order.hasExpired(item, now: now, lifetime: service.configuration.temporaryTTL) {
            throw ErrorAnswer.detail(
                "Product \(item.id) of batch order \(order.id) has expired: TEMPORARY outputs can be downloaded for \(service.configuration.temporaryTTL.components.seconds) s after completion",
                .notFound)
        }
        if service.faults.settings.redirectDownloads {
            return Response(
                status: .found,
                headers: [.location: order.downloadLink(item, baseURL: call.baseURL, lifetime: service.configuration.temporaryTTL), .contentLength: "0"])
        }
        return archiveResponse(archive(of: item, in: order, processedName: name), filename: name, call: call)
    }

    /// The archive a completed item's download serves (its input product's declared size, if any).
    private func archive(of item: Order.Item, in order: Order, processedName name: String) -> ProductArchive {
        ProductArchive(
            orderID: order.id, itemID: item.id, identifier: item.identifier, workflow: order.workflowName, processedName: name,
            declaredSize: service.catalogue.find(item.identifier)?.size)
    }

    /// `GET /swift/v1/tmp-storage/{file}`: an item's archive by its public `DownloadLink`, no token; a link that is
    /// tampered with or past `temp_url_expires` gets Swift's 401, an unknown file 404.
    func temporaryDownload(_ call: Call) -> Response {
        let file = call.parameter("file")
        let path = TempURL.folder + file
        guard let signature = call.queryValue("temp_url_sig"), let expires = call.queryValue("temp_url_expires").flatMap({ Int64($0) }),
            signature == TempURL.signature(path: path, expires: expires), expires * 1000 > service.nowMs
        else {
            return HTTPReply.html(
                "<html><h1>Unauthorized</h1><p>This server could not verify that you are authorized to access the document you requested.</p></html>",
                status: .unauthorized)
        }
        let notFound = HTTPReply.html("<html><h1>Not Found</h1><p>The resource could not be found.</p></html>", status: .notFound)
        guard let itemID = TempURL.itemID(inFileName: file) else { return notFound }
        let now = service.nowMs
        let found = service.store.withOrders { list, _, _ in
            list.lazy.compactMap { order in order.items.first { $0.id == itemID }.map { (order, $0) } }.first
        }
        guard let (order, item) = found, order.storage != "PRIVATE", order.status(of: item, now: now) == .completed,
            let name = item.outcome?.processedName,
            file == TempURL.fileName(orderID: order.id, itemID: item.id, completedMs: order.completedMs(of: item) ?? order.submittedMs)
        else { return notFound }
        return archiveResponse(archive(of: item, in: order, processedName: name), filename: name, call: call)
    }

    /// An archive as a download: `Range` (one bytes range) and `HEAD` honoured, an ETag from its CRC and size, and the
    /// body streamed in blocks, never built whole.
    func archiveResponse(_ archive: ProductArchive, filename: String, call: Call) -> Response {
        var headers: HTTPFields = [
            .contentType: "application/zip", .acceptRanges: "bytes",
            .contentDisposition: "attachment; filename=\"\(filename.replacingOccurrences(of: "\"", with: "")).zip\"",
            .eTag: "\"\(String(archive.crc, radix: 16))-\(archive.count)\"",
        ]
        let total = archive.count
        var range = 0..<total
        var status = HTTPResponse.Status.ok
        if let header = call.header(.range) {
            switch ByteRange.parse(header, length: total) {
            case nil: break  // not a single bytes range: serve everything, as servers may
            case .unsatisfiable?:
                headers[.contentRange] = "bytes */\(total)"
                return Response(status: .rangeNotSatisfiable, headers: headers, body: .init())
            case let .range(lower, upper)?:
                range = lower..<(upper + 1)
                status = .partialContent
                headers[.contentRange] = "bytes \(lower)-\(upper)/\(total)"
            }
        }
        headers[.contentLength] = String(range.count)
        if call.method == .head { return Response(status: status, headers: headers, body: .init()) }
        return Response(status: status, headers: headers, body: .init(contentsOf: archive.buffers(in: range)))
    }

    func orderValue(_ order: Order, _ property: String, now: Int64) -> FilterValue {
        switch property {
        case "Id": .string(String(order.id))
        case "Name": .string(order.name)
        case "Status": .string(order.status(now: now).rawValue)
        case "WorkflowName": .string(order.workflowName)
        case "WorkflowId": .number(Double(order.workflowID))
        case "SubmissionDate": .string(Timestamp.string(ms: order.submittedMs))
        case "Priority": .number(Double(order.priority))
        default: .null
        }
    }

    /// The page of the caller's orders the query selects, and the counts for the envelope. Filtering, sorting and
    /// paging run on the stored orders in place; only the page is copied. A filter that only `Id eq N` or
    /// `Name eq '...'` clauses (joined by `or`, possibly inside `and`) can satisfy is a direct lookup, not a scan.
    func selectOrders(_ q: ODataQuery, owner: String, now: Int64) -> (page: [Order], total: Int, more: Bool) {
        var ids: [Int]?
        var names: [String]?
        // When the candidates looked up are exactly the orders the filter accepts, it is not evaluated on each of them.
        var exact = false
        if let filter = q.filter {
            if let values = filter.equalityValues(of: "Id") {
                // `Id` is a string of digits compared with a number numerically, with a string as text: a number
                // matches the id it equals, a string only the id it spells exactly ("007" matches none).
                ids = values.compactMap { value in
                    switch value {
                    case let .number(n): Int(exactly: n)
                    case let .string(s): Int(s).flatMap { String($0) == s ? $0 : nil }
                    default: nil
                    }
                }
                exact = true
            } else if let values = filter.equalityValues(of: "Name"), values.allSatisfy(\.isString) {
                names = values.compactMap(\.text)
                exact = true
            } else if let values = filter.possibleValues(of: "Id") {
                ids = values.map { value in
                    switch value {
                    case let .number(n): Int(exactly: n) ?? -1
                    case let .string(s): Int(s) ?? -1
                    default: -1
                    }
                }
            } else if let values = filter.possibleValues(of: "Name"), values.allSatisfy(\.isString) {
                // (A number can equal a name that spells it, `Name eq 7`: such a filter is evaluated on every order.)
                names = values.compactMap(\.text)
            }
        }
        return service.store.withOrders { list, index, indices in
            let candidates: [Int]
            if let ids {
                candidates = Set(ids.compactMap(index)).sorted()
            } else if let names {
                candidates = Set(names.flatMap(indices)).sorted()
            } else {
                candidates = Array(list.indices)
            }
            var matching: [Int] = []
            for i in candidates where list[i].ownerID == owner {
                if !exact, let filter = q.filter, !filter.matches({ orderValue(list[i], $0, now: now) }) { continue }
                matching.append(i)
            }
            let (page, total, more) = q.apply(
                to: matching, value: { orderValue(list[$0], $1, now: now) }, maxPage: Self.maxPage, alreadyFiltered: true,
                unordered: { [seed = service.seed] in SeededGenerator.mix(seed ^ UInt64(list[$0].id)) })
            return (page.map { list[$0] }, total, more)
        }
    }

    func productionOrders(_ call: Call) throws -> Response {
        let q = try query(call, properties: Self.orderProperties)
        let now = service.nowMs
        let (page, total, more) = selectOrders(q, owner: try call.context.caller().subject, now: now)
        return HTTPReply.json(
            envelope("$metadata#ProductionOrder/$entity", call, q, page: page.map { $0.productionOrderJSON(now: now) }, total: total, more: more))
    }

    func productionOrder(_ call: Call) throws -> Response {
        let order = try ownedOrder(call)
        return HTTPReply.json(
            .ordered([("@odata.context", .string("$metadata#ProductionOrder/$entity")), ("value", order.productionOrderJSON(now: service.nowMs))]))
    }

    func cancel(_ call: Call) throws -> Response {
        let id = try call.integerKey("order_id", as: "id")
        let now = service.nowMs
        guard let order = service.store.cancel(id, owner: try call.context.caller().subject, now: now) else {
            throw ErrorAnswer.detail("Production order \(id) not found", .notFound)
        }
        return HTTPReply.json(.ordered([("@odata.context", .string("$metadata#ProductionOrder/$entity")), ("value", order.productionOrderJSON(now: now))]))
    }

    func serviceDocument() -> Response {
        HTTPReply.json(
            .ordered([
                ("@odata.context", .string("$metadata")),
                (
                    "value",
                    .array(
                        ["Workflows", "BatchOrder", "ProductionOrders"].map {
                            .ordered([("name", .string($0)), ("kind", .string("EntitySet")), ("url", .string($0))])
                        })
                ),
            ]))
    }
}
