import HTTPTypes
import Hummingbird

extension SandboxRoutes {
    typealias Handler = @Sendable (Call) async throws -> Response

    /// The router of every route of SPEC section 5. Every request is counted (`RequestStatsMiddleware`); `/odata/v1`
    /// goes through the faults and the bearer check, and the temporary-storage downloads its links point to through
    /// the faults; the identity realms, `/stac` and `/sandbox/*` are never faulted.
    func buildRouter() -> Router<SandboxContext> {
        let router = Router(context: SandboxContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: RequestStatsMiddleware(stats: service.stats))
        let faults = FaultMiddleware(faults: service.faults)
        let faulted = router.group("odata/v1").add(middleware: faults)
        let bearer = faulted.group().add(middleware: BearerMiddleware(issuer: service.issuer))
        // A wrong method is refused before the token is looked at, as FastAPI does.
        func api(_ path: RouterPath, get: Handler? = nil, post: Handler? = nil) { route(bearer, path, get: get, post: post, refusedIn: faulted) }

        api("", get: { _ in serviceDocument() })
        api("Workflows", get: workflows)
        api("BatchOrder", get: batchOrders)
        api("BatchOrder/OData.CSC.Order", post: submit)
        api("BatchOrder({order_id}", get: batchOrder)
        api("BatchOrder({order_id}/Products", get: products)
        for items in ["Product", "Products"] {
            api("BatchOrder({order_id}/\(items)({item_id}", get: product)
            api("BatchOrder({order_id}/\(items)({item_id}/$value", get: productValue)
        }
        api("ProductionOrders", get: productionOrders)
        for orders in ["ProductionOrder", "ProductionOrders"] {
            api("\(orders)({order_id}", get: productionOrder)
            api("\(orders)({order_id}/Product", get: productionOrderProduct)
            api("\(orders)({order_id}/Product/$value", get: productionOrderProductValue)
            api("\(orders)({order_id}/OData.CSC.Cancel", get: cancel, post: cancel)
        }
        route(router.group("swift/v1/tmp-storage").add(middleware: faults), "{file}", get: temporaryDownload)

        let desp = router.group("realms/desp")
        route(desp, "protocol/openid-connect/auth", get: despLoginPage)
        route(desp, "login-actions/authenticate", get: despExpiredPage, post: despAuthenticate)
        route(desp, "protocol/openid-connect/token", post: { try await token($0, realm: "desp") })
        route(desp, "protocol/openid-connect/certs", get: { _ in HTTPReply.json(service.issuer.jwks) })
        route(desp, ".well-known/openid-configuration", get: { HTTPReply.json(openIDConfiguration($0, realmPath: "/realms/desp")) })
        let dedl = router.group("auth/realms/dedl")
        route(dedl, "protocol/openid-connect/token", post: { try await token($0, realm: "dedl") })
        route(dedl, "protocol/openid-connect/certs", get: { _ in HTTPReply.json(service.issuer.jwks) })
        route(dedl, ".well-known/openid-configuration", get: { HTTPReply.json(openIDConfiguration($0, realmPath: "/auth/realms/dedl")) })

        let stac = router.group("stac")
        route(stac, "", get: stacLanding)
        route(stac, "collections", get: stacCollections)
        route(stac, "collections/{collection_id}", get: stacCollection)
        route(stac, "collections/{collection_id}/items", get: stacItems)
        route(stac, "collections/{collection_id}/items/{item_id}", get: stacItem)
        route(stac, "collections/{collection_id}/items/{item_id}/download", get: stacDownload)
        route(stac, "search", get: stacSearch, post: stacSearch)

        let sandbox = router.group("sandbox")
        route(sandbox, "", get: sandboxIndex)
        route(sandbox, "orders", get: { _ in sandboxOrders() })
        route(sandbox, "stats", get: { _ in sandboxStats() })
        route(sandbox, "faults", get: { _ in HTTPReply.json(service.faults.settings.json) }, post: updateFaults)
        route(sandbox, "catalogue", get: { _ in catalogueSummary() }, post: addToCatalogue)
        return router
    }

    /// Registers `path`'s GET (HEAD is answered by it) and POST handlers in `group`, and FastAPI's 405 for the other
    /// usual methods in `refusals` (`group` when not given).
    private func route(
        _ group: some RouterMethods<SandboxContext>, _ path: RouterPath, get: Handler? = nil, post: Handler? = nil,
        refusedIn refusals: (any RouterMethods<SandboxContext>)? = nil
    ) {
        let answers = [(HTTPRequest.Method.get, get), (.post, post)].compactMap { method, handler in handler.map { (method, $0) } }
        for (method, handler) in answers {
            group.on(path, method: method) { request, context in try await handler(call(request, context)) }
        }
        var refused: [HTTPRequest.Method] = [.put, .patch, .delete]
        if get == nil { refused += [.get, .head] }
        if post == nil { refused.append(.post) }
        for method in refused {
            (refusals ?? group).on(path, method: method) { _, _ -> Response in throw ErrorAnswer.detail("Method Not Allowed", .methodNotAllowed) }
        }
    }
}
