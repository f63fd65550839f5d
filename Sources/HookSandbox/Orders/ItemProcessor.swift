import AsyncHTTPClient
import Foundation
import HookCore
import NIOCore
import NIOHTTP1

/// Does the work of one item when its time comes: looks its input up (DESP catalogue or an EXTERNAL STAC server over
/// HTTP), builds the output archive and, for PRIVATE storage, uploads it to the order's S3 bucket.
struct ItemProcessor: Sendable {
    let catalogue: ProductCatalogue
    let logins: [String: String]
    let faults: FaultInjector
    let seed: UInt64
    let httpClient: HTTPClient
    let uploader: any OutputUploader

    struct Failure: Error {
        var message: String
    }

    func process(_ work: OrderStore.Work, now: @Sendable () -> Int64) async -> Order.Outcome {
        do {
            let (name, size, output) = try await run(work)
            return .init(succeeded: true, message: "Processing finished successfully", processedName: name, size: size, output: output, recordedMs: now())
        } catch let failure as Failure {
            return .init(succeeded: false, message: failure.message, recordedMs: now())
        } catch {
            return .init(succeeded: false, message: "Processing failed: \(error)", recordedMs: now())
        }
    }

    private func run(_ work: OrderStore.Work) async throws -> (String, Int, String?) {
        let order = work.order
        let identifier = work.item.identifier
        guard let workflow = WorkflowCatalogue.named(order.workflowName) else { throw Failure(message: "Workflow '\(order.workflowName)' no longer exists") }
        let settings = faults.settings
        if settings.failingIdentifiers.contains(identifier)
            || SeededGenerator.unit(seed, UInt64(order.id), UInt64(work.item.id)) < settings.itemFailRate
        {
            throw Failure(message: "Processing failed: workflow '\(workflow.name)' exited with code 1 while processing '\(identifier)' (injected failure)")
        }
        let sourceType = order.stringOption("source_type") ?? workflow.option("source_type")?.defaultValue.stringValue ?? "DESP"
        if sourceType == "EXTERNAL" {
            try await lookUpExternally(identifier, order: order)
        } else {
            try lookUpInDESP(identifier, order: order, workflow: workflow)
        }
        let processedName = ProductArchive.processedName(
            identifier: identifier, workflow: workflow.name, outputType: workflow.outputProductType ?? workflow.name.uppercased())
        let declaredSize = catalogue.find(identifier)?.size
        guard order.storage == "PRIVATE" else {
            // A TEMPORARY archive is built when it is downloaded; its size is all that is recorded now.
            let size = ProductArchive.size(
                orderID: order.id, itemID: work.item.id, identifier: identifier, workflow: workflow.name, processedName: processedName,
                declaredSize: declaredSize)
            return (processedName, size, nil)
        }
        let archive = ProductArchive(
            orderID: order.id, itemID: work.item.id, identifier: identifier, workflow: workflow.name, processedName: processedName,
            declaredSize: declaredSize)
        guard let path = order.stringOption("output_s3_path").flatMap(S3OutputPath.init), let endpoint = order.stringOption("output_s3_endpoint_url"),
            let accessKey = order.stringOption("output_s3_access_key"), let secretKey = order.stringOption("output_s3_secret_key")
        else { throw Failure(message: "Output storage is PRIVATE but the output_s3_* options are incomplete") }
        let key = (path.prefix.isEmpty ? "" : path.prefix + "/") + processedName + ".zip"
        do {
            try await uploader.put(endpoint: endpoint, accessKey: accessKey, secretKey: secretKey, bucket: path.bucket, key: key, body: archive.bytes)
        } catch {
            let reason = ((error as? any LocalizedError)?.errorDescription ?? String(describing: error))
                .replacingOccurrences(of: "S3 PUT s3://\(path.bucket)/\(key) failed: ", with: "")
            throw Failure(message: "Failed to write output to s3://\(path.bucket)/\(key) at \(endpoint): \(reason.prefix(300))")
        }
        return (processedName, archive.count, "s3://\(path.bucket)/\(key)")
    }

    private func lookUpInDESP(_ identifier: String, order: Order, workflow: WorkflowDefinition) throws {
        if let username = order.stringOption("desp_source_username") {
            guard let password = order.stringOption("desp_source_password"), logins[username] == password else {
                throw Failure(message: "DESP authentication failed for user '\(username)': Invalid username or password.")
            }
        }
        let collection = order.stringOption("desp_source_collection")
        switch workflow.kind {
        case .harvest:
            guard let collection else { throw Failure(message: "No DESP collection given for '\(identifier)'") }
            guard catalogue.find(identifier, in: collection) != nil else {
                throw Failure(message: "Product '\(identifier)' not found in DESP collection '\(collection)'")
            }
        case .anyInput:
            return
        case let .processing(productTypes):
            guard let item = catalogue.find(identifier, in: collection) else {
                throw Failure(message: "Input product '\(identifier)' not found\(collection.map { " in DESP collection '\($0)'" } ?? "")")
            }
            guard productTypes.contains(item.productType) else {
                throw Failure(
                    message:
                        "Input product '\(identifier)' has product type '\(item.productType)', which workflow '\(workflow.name)' does not accept (accepted: \(workflow.inputProductTypes.joined(separator: ", ")))"
                )
            }
        }
    }

    private func lookUpExternally(_ identifier: String, order: Order) async throws {
        guard let apiURL = order.stringOption("source_catalogue_api_url"), let tokenURL = order.stringOption("source_token_url") else {
            throw Failure(message: "EXTERNAL source options are incomplete")
        }
        guard order.stringOption("source_catalogue_api_type") ?? "STAC" == "STAC" else {
            throw Failure(message: "Catalogue API type '\(order.stringOption("source_catalogue_api_type") ?? "")' is not supported by the sandbox (STAC only)")
        }
        let grant = order.stringOption("source_grant_type") ?? "PASSWORD"
        var form: [(String, String)] = [("client_id", order.stringOption("source_client_id") ?? ""), ("scope", "openid")]
        if let secret = order.stringOption("source_client_secret"), !secret.isEmpty { form.append(("client_secret", secret)) }
        if grant == "CLIENT_CREDENTIALS" {
            form.append(("grant_type", "client_credentials"))
        } else {
            form += [
                ("grant_type", "password"), ("username", order.stringOption("source_username") ?? ""),
                ("password", order.stringOption("source_password") ?? ""),
            ]
        }
        var tokenRequest = HTTPClientRequest(url: tokenURL)
        tokenRequest.method = .POST
        tokenRequest.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        tokenRequest.body = .bytes(ByteBuffer(string: FormData.encode(form)))
        let token: String
        do {
            let response = try await httpClient.execute(tokenRequest, timeout: .seconds(15))
            let body = try await response.body.collect(upTo: 1 << 20)
            let json = try? JSONReader.parse(Array(buffer: body))
            guard response.status.code == 200, let accessToken = json?["access_token"]?.stringValue else {
                let reason = json?["error_description"]?.stringValue ?? json?["error"]?.stringValue ?? "HTTP \(response.status.code)"
                throw Failure(message: "Authentication to the external source failed at \(tokenURL): \(reason)")
            }
            token = accessToken
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(message: "Authentication to the external source failed: cannot reach \(tokenURL) (\(error))")
        }
        let collection = order.stringOption("source_catalogue_collection") ?? ""
        let base = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
        let itemURL = "\(base)/collections/\(FormData.pathEscape(collection))/items/\(FormData.pathEscape(identifier))"
        var itemRequest = HTTPClientRequest(url: itemURL)
        itemRequest.headers.add(name: order.stringOption("source_auth_header_name") ?? "Authorization", value: "Bearer \(token)")
        var downloadURL: String?
        do {
            let response = try await httpClient.execute(itemRequest, timeout: .seconds(15))
            let body = try await response.body.collect(upTo: 4 << 20)
            switch response.status.code {
            case 200: downloadURL = (try? JSONReader.parse(Array(buffer: body)))?["assets"]?["downloadLink"]?["href"]?.stringValue
            case 404: throw Failure(message: "Product '\(identifier)' not found in collection '\(collection)' of \(apiURL)")
            default: throw Failure(message: "External catalogue \(apiURL) answered HTTP \(response.status.code) for '\(identifier)'")
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(message: "Cannot reach the external catalogue \(apiURL) (\(error))")
        }
        // Fetch the product itself when the item names a download asset, as the real hook does.
        guard let downloadURL, downloadURL.hasPrefix("http://") || downloadURL.hasPrefix("https://") else { return }
        var download = HTTPClientRequest(url: downloadURL)
        download.headers.add(name: order.stringOption("source_auth_header_name") ?? "Authorization", value: "Bearer \(token)")
        do {
            let response = try await httpClient.execute(download, timeout: .seconds(60))
            for try await _ in response.body {}  // read through, however large, keeping nothing
            guard response.status.code == 200 else {
                throw Failure(message: "Download of '\(identifier)' from \(downloadURL) failed: HTTP \(response.status.code)")
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(message: "Download of '\(identifier)' from \(downloadURL) failed: \(error)")
        }
    }
}
