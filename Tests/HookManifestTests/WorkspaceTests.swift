import Foundation
import Testing

@testable import HookManifest

struct WorkspaceTests {
    static let project = """
        apiVersion: hookctl/v1
        kind: Project
        defaultProfile: sandbox
        profiles:
          sandbox: {sandbox: true}
          dedl:
            serviceUrl: https://odp.data.destination-earth.eu/odata/v1/
            auth: {type: desp, username: "${env:DESP_USERNAME}", password: "${env:DESP_PASSWORD}"}
          robot:
            serviceUrl: https://odp.data.destination-earth.eu/odata/v1/
            auth: {type: service-account, clientId: bot, clientSecret: "${env:BOT_SECRET}"}
        defaults:
          source: {type: DESP, collection: EO.ESA.DAT.SENTINEL-2.MSI.L1C}
          storage: {type: TEMPORARY}
          options: {format: GeoTIFF, resolution: 10}
          wait: {timeout: 2h}

        """

    static let minimal = """
        apiVersion: hookctl/v1
        kind: Order
        metadata: {name: NAME}
        spec:
          workflow: data-harvest
          identifiers: [a, b, c]

        """

    func option(_ order: Order?, _ name: String) -> OptionValue? { order?.body.options.first { $0.name == name }?.value }

    @Test func `project defaults are merged under each spec and the manifest wins`() throws {
        let root = try temporaryFolder([
            "hookctl.yaml": Self.project,
            "m/one.yaml": Self.minimal.replacingOccurrences(of: "NAME", with: "one") + "  options: {resolution: 20}\n  wait: {timeout: 5m}\n",
        ])
        let workspace = loadWorkspace(paths: [root + "/m"])
        #expect(workspace.diagnostics.isEmpty, "\(workspace.diagnostics)")
        #expect(workspace.projectFile == root + "/hookctl.yaml")
        let order = try #require(workspace.orders.first)
        #expect(order.waitTimeout == .seconds(300))
        #expect(order.body.options.suffix(2).map(\.name) == ["resolution", "format"])
        #expect(option(order, "resolution") == .integer(20))
        #expect(option(order, "desp_source_collection") == .string(Template(literal: "EO.ESA.DAT.SENTINEL-2.MSI.L1C")))
    }

    @Test func `more identifiers than the service takes in one order is an error that suggests batchSize`() throws {
        let many = (1...1001).map { "ID-\($0)" }.joined(separator: "\n")
        let manifest = Self.minimal.replacingOccurrences(of: "NAME", with: "big").replacingOccurrences(
            of: "  identifiers: [a, b, c]\n", with: "  identifiersFile: ids.txt\n")
        let root = try temporaryFolder(["hookctl.yaml": Self.project, "big.yaml": manifest, "ids.txt": many])
        let refused = loadWorkspace(paths: [root + "/big.yaml"])
        let error = try #require(refused.errors.first)
        #expect(error.message.contains("1001 identifiers in one order; the service takes at most 1000"), "\(error.message)")
        #expect(error.message.contains("batchSize: 1000"))
        #expect(error.location?.line == 6)

        try (manifest + "  batchSize: 1000\n").write(toFile: root + "/big.yaml", atomically: true, encoding: .utf8)
        let split = loadWorkspace(paths: [root + "/big.yaml"])
        #expect(split.errors.isEmpty, "\(split.errors)")
        #expect(split.orders.map(\.key) == ["big#1", "big#2"])

        try (manifest + "  batchSize: 5000\n").write(toFile: root + "/big.yaml", atomically: true, encoding: .utf8)
        #expect(loadWorkspace(paths: [root + "/big.yaml"]).errors.first?.message.contains("above the service's limit of 1000") == true)
    }

    @Test(arguments: ["odp.data.destination-earth.eu/odata/v1/", "ftp://host/odata/v1/", "https:///odata/v1/", "https://host/a b"])
    func `a profile's service and identity URLs must be absolute http(s)`(_ bad: String) throws {
        let root = try temporaryFolder([
            "hookctl.yaml": Self.project.replacingOccurrences(
                of: "serviceUrl: https://odp.data.destination-earth.eu/odata/v1/\n    auth: {type: desp", with: "serviceUrl: \"\(bad)\"\n    auth: {type: desp"),
            "one.yaml": Self.minimal.replacingOccurrences(of: "NAME", with: "one"),
        ])
        let workspace = loadWorkspace(paths: [root])
        let error = try #require(workspace.errors.first)
        #expect(error.message.contains("must be an absolute http(s) URL"), "\(error.message)")
        #expect(error.location?.file == root + "/hookctl.yaml")
    }

    @Test func `policy sizes read decimal and binary units, and a bad policy is an error at its line`() throws {
        #expect(Policy.bytes("500GB") == 500_000_000_000)
        #expect(Policy.bytes("2TiB") == 2 << 40)
        #expect(Policy.bytes("1.5 GiB") == 1_610_612_736)
        #expect(Policy.bytes("2048") == 2048)
        for bad in ["lots", "-1GB", "GB", "1e400"] { #expect(Policy.bytes(bad) == nil, "\(bad)") }
        let root = try temporaryFolder([
            "hookctl.yaml": Self.project.replacingOccurrences(
                of: "  sandbox: {sandbox: true}", with: "  sandbox: {sandbox: true, policy: {maxOrders: 0, maxBytes: plenty}}"),
            "one.yaml": Self.minimal.replacingOccurrences(of: "NAME", with: "one"),
        ])
        let messages = loadWorkspace(paths: [root]).errors.map(\.message)
        #expect(messages.contains { $0.contains("policy.maxOrders` must be at least 1") }, "\(messages)")
        #expect(messages.contains { $0.contains("policy.maxBytes` must be a size such as `500GB`") }, "\(messages)")
    }

    @Test func `a project file named by --project inside the scanned folder is not read as a manifest`() throws {
        let root = try temporaryFolder(["m/team.yaml": Self.project, "m/one.yaml": Self.minimal.replacingOccurrences(of: "NAME", with: "one")])
        let workspace = loadWorkspace(paths: [root + "/m"], projectFile: root + "/m/team.yaml")
        #expect(workspace.errors.isEmpty, "\(workspace.errors)")
        #expect(workspace.manifestFiles == [root + "/m/one.yaml"])
        #expect(workspace.orders.map(\.key) == ["one"])
    }

    @Test func `a problem in the project defaults is reported once, in the project file`() throws {
        let project = Self.project.replacingOccurrences(of: "wait: {timeout: 2h}", with: "wait: {timeout: 2 hours}")
        let root = try temporaryFolder([
            "hookctl.yaml": project,
            "one.yaml": Self.minimal.replacingOccurrences(of: "NAME", with: "one"),
            "two.yaml": Self.minimal.replacingOccurrences(of: "NAME", with: "two"),
        ])
        let workspace = loadWorkspace(paths: [root])
        #expect(workspace.errors.count == 1)
        let error = try #require(workspace.errors.first)
        #expect(error.location == SourceLocation(file: root + "/hookctl.yaml", line: 16, column: 19))
        #expect(error.sourceLine == "  wait: {timeout: 2 hours}")
        #expect(workspace.orders.isEmpty)
    }

    @Test func `the sandbox profile gives the demo login, a desp profile its own references`() throws {
        let root = try temporaryFolder(["hookctl.yaml": Self.project, "one.yaml": Self.minimal.replacingOccurrences(of: "NAME", with: "one")])
        let sandbox = loadWorkspace(paths: [root])
        #expect(sandbox.profileName == "sandbox" && sandbox.profile?.sandbox == true)
        #expect(option(sandbox.orders.first, "desp_source_username") == .string(Template(literal: "demo")))
        #expect(option(sandbox.orders.first, "desp_source_password").map { "\($0)" }?.contains("${env:DESP_PASSWORD:-demo}") == true)
        let dedl = loadWorkspace(paths: [root], profile: "dedl")
        #expect(option(dedl.orders.first, "desp_source_username").map { "\($0)" }?.contains("${env:DESP_USERNAME}") == true)
        #expect(dedl.orders.first?.body.digest != sandbox.orders.first?.body.digest)
        let viaEnvironment = loadWorkspace(paths: [root], environment: ["HOOKCTL_PROFILE": "robot"])
        #expect(viaEnvironment.profileName == "robot")
        #expect(
            viaEnvironment.profile?.auth
                == .serviceAccount(clientID: Template(literal: "bot"), clientSecret: try TemplateParser.parse("${env:BOT_SECRET}").get()))
    }

    @Test func `an unknown profile is an error with a suggestion`() throws {
        let root = try temporaryFolder(["hookctl.yaml": Self.project, "one.yaml": Self.minimal.replacingOccurrences(of: "NAME", with: "one")])
        let workspace = loadWorkspace(paths: [root], profile: "dedll")
        #expect(workspace.errors.map(\.message).contains { $0.contains("profile `dedll`") && $0.contains("did you mean `dedl`?") })
    }

    @Test func `without a project file a manifest checks on its own with DESP and TEMPORARY`() throws {
        let root = try temporaryFolder([
            "alone.yaml": Self.minimal.replacingOccurrences(of: "NAME", with: "alone") + "  source: {collection: C}\n"
        ])
        let workspace = loadWorkspace(paths: [root + "/alone.yaml"])
        #expect(workspace.project == nil && !workspace.hasErrors)
        let order = try #require(workspace.orders.first)
        #expect(order.storage == .temporary && order.sourceType == "DESP")
        #expect(option(order, "desp_source_username").map { "\($0)" }?.contains("${env:DESP_USERNAME}") == true)
        #expect(workspace.diagnostics.contains { $0.severity == .warning && $0.message.contains("DESP_USERNAME") })
    }

    @Test func `names must be unique across files and the duplicate is reported at the second`() throws {
        let root = try temporaryFolder([
            "hookctl.yaml": Self.project,
            "a.yaml": Self.minimal.replacingOccurrences(of: "NAME", with: "same"),
            "b.yml": Self.minimal.replacingOccurrences(of: "NAME", with: "same"),
        ])
        let workspace = loadWorkspace(paths: [root])
        let error = try #require(workspace.errors.first)
        #expect(error.id == "metadata.duplicate-name")
        #expect(error.location == SourceLocation(file: root + "/b.yml", line: 3, column: 18))
        #expect(error.notes.first?.location?.file == root + "/a.yaml")
        #expect(workspace.orders.map(\.manifestPath) == [root + "/a.yaml"])
    }

    @Test func `the duplicate name error and its note quote their source lines with a caret`() throws {
        let root = try temporaryFolder([
            "hookctl.yaml": Self.project,
            "a.yaml": Self.minimal.replacingOccurrences(of: "NAME", with: "same"),
            "b.yml": Self.minimal.replacingOccurrences(of: "NAME", with: "same"),
        ])
        let error = try #require(loadWorkspace(paths: [root]).errors.first)
        let note = try #require(error.notes.first)
        #expect(
            error.rendered() == """
                \(root)/b.yml:3:18: error: order name `same` is already used; names must be unique in a run
                metadata: {name: same}
                                 ^
                \(root)/a.yaml:3:18: note: first used here
                metadata: {name: same}
                                 ^

                """)
        #expect(error.sourceLine != nil && note.sourceLine != nil)
        #expect(Diagnostic.jsonArray([error]).contains("\"sourceLine\": \"metadata: {name: same}\""))
    }

    @Test func `identifiersFile is read relative to the manifest and its problems point into it`() throws {
        let root = try temporaryFolder([
            "hookctl.yaml": Self.project,
            "m/ids/list.txt": "# products\nid-1\n\n  id-2   # trailing comment\nid-1\n",
            "m/o.yaml": "apiVersion: hookctl/v1\nkind: Order\nmetadata: {name: o}\nspec:\n  workflow: data-harvest\n  identifiersFile: ids/list.txt\n",
        ])
        let workspace = loadWorkspace(paths: [root + "/m"])
        let error = try #require(workspace.errors.first)
        #expect(error.location == SourceLocation(file: root + "/m/ids/list.txt", line: 5, column: 1))
        #expect(error.message.contains("duplicate identifier `id-1`"))
        #expect(error.sourceLine == "id-1")
        try Data("id-1\n  id-2 # c\n".utf8).write(to: URL(fileURLWithPath: root + "/m/ids/list.txt"))
        #expect(loadWorkspace(paths: [root + "/m"]).orders.first?.body.identifiers == ["id-1", "id-2"])
    }

    @Test(arguments: ["absolute", "dotdot", "symlink", "symlinked folder"])
    func `an identifiers file outside the project is refused unread`(_ way: String) throws {
        let secret = "DESP_PASSWORD=hunter2-not-for-you"
        let outside = try temporaryFolder(["secret.txt": secret + "\n"])
        let root = try temporaryFolder([
            "hookctl.yaml": Self.project,
            "m/ids.txt": "id-1\n",
        ])
        let named: String
        switch way {
        case "absolute": named = outside + "/secret.txt"
        case "dotdot": named = "../../" + (outside as NSString).lastPathComponent + "/secret.txt"
        case "symlink":
            try FileManager.default.createSymbolicLink(atPath: root + "/m/link.txt", withDestinationPath: outside + "/secret.txt")
            named = "link.txt"
        default:
            try FileManager.default.createSymbolicLink(atPath: root + "/m/elsewhere", withDestinationPath: outside)
            named = "elsewhere/secret.txt"
        }
        try Data("apiVersion: hookctl/v1\nkind: Order\nmetadata: {name: o}\nspec:\n  workflow: data-harvest\n  identifiersFile: \(named)\n".utf8)
            .write(to: URL(fileURLWithPath: root + "/m/o.yaml"))
        let workspace = loadWorkspace(paths: [root + "/m"])
        let error = try #require(workspace.errors.first)
        #expect(error.location == SourceLocation(file: root + "/m/o.yaml", line: 6, column: 20))
        #expect(error.message.contains("must stay inside the project folder"), "\(error.message)")
        #expect(workspace.errors.count == 1)
        #expect(!Diagnostic.jsonArray(workspace.diagnostics).contains("hunter2"))
        #expect(!workspace.diagnostics.map { $0.rendered(color: false) }.joined().contains("hunter2"))
        // Inside the project, `..` from a subfolder is fine.
        try Data("apiVersion: hookctl/v1\nkind: Order\nmetadata: {name: o}\nspec:\n  workflow: data-harvest\n  identifiersFile: ../m/ids.txt\n".utf8)
            .write(to: URL(fileURLWithPath: root + "/m/o.yaml"))
        #expect(loadWorkspace(paths: [root + "/m"]).orders.first?.body.identifiers == ["id-1"])
    }

    @Test(arguments: ["fifo", "folder", "/proc/self/environ", "/dev/zero"])
    func `an identifiers file that is no regular file inside the project is an error at its key, never a hang`(_ named: String) throws {
        let root = try temporaryFolder(["hookctl.yaml": Self.project, "m/folder/ids.txt": "id-1\n"])
        // A FIFO with no writer: reading it would block for ever.
        #expect(mkfifo(root + "/m/fifo", 0o600) == 0)
        try Data("apiVersion: hookctl/v1\nkind: Order\nmetadata: {name: o}\nspec:\n  workflow: data-harvest\n  identifiersFile: \(named)\n".utf8)
            .write(to: URL(fileURLWithPath: root + "/m/o.yaml"))
        let workspace = loadWorkspace(paths: [root + "/m"])
        let error = try #require(workspace.errors.first)
        #expect(error.location == SourceLocation(file: root + "/m/o.yaml", line: 6, column: 20))
        let expected = [
            "fifo": "is not a regular file", "folder": "is a directory", "/proc/self/environ": "must stay inside the project folder",
            "/dev/zero": "must stay inside the project folder",
        ]
        #expect(error.message.contains(expected[named] ?? "?"), "\(error.message)")
        #expect(workspace.orders.isEmpty)
    }

    @Test func `references in identifiers and label values are checked and resolved like other strings`() throws {
        let root = try temporaryFolder([
            "hookctl.yaml": Self.project,
            "ids.txt": "id-1\n  ${env:TILE}-x\n",
            "bad.txt": "id-1\n  id-${nope:X}\n",
            "inline.yaml":
                "apiVersion: hookctl/v1\nkind: Order\nmetadata:\n  name: inline\n  labels: {campaign: \"${env:CAMPAIGN}\"}\nspec:\n  workflow: data-harvest\n  identifiers:\n    - ${env:TILE}\n    - plain\n",
            "file.yaml": "apiVersion: hookctl/v1\nkind: Order\nmetadata: {name: file}\nspec:\n  workflow: data-harvest\n  identifiersFile: ids.txt\n",
        ])
        let set = loadWorkspace(paths: [root], environment: ["TILE": "T47VLH", "CAMPAIGN": "demo"])
        #expect(set.errors.isEmpty, "\(set.errors)")
        let byName = Dictionary(uniqueKeysWithValues: set.orders.map { ($0.name, $0) })
        #expect(byName["inline"]?.body.identifiers == ["T47VLH", "plain"])
        #expect(byName["inline"]?.labels == ["campaign": "demo"])
        #expect(byName["file"]?.body.identifiers == ["id-1", "T47VLH-x"])
        #expect(byName["file"]?.body.identifierVariables == [])

        // Unset: shown as written with a warning, and the body cannot be submitted until the variable is set.
        let unset = loadWorkspace(paths: [root])
        #expect(unset.errors.isEmpty, "\(unset.errors)")
        let warnings = unset.diagnostics.filter { $0.id == "reference.unset" }
        #expect(warnings.contains { $0.location == SourceLocation(file: root + "/ids.txt", line: 2, column: 3) })
        #expect(warnings.contains { $0.location == SourceLocation(file: root + "/inline.yaml", line: 9, column: 7) })
        #expect(warnings.contains { $0.message.hasPrefix("`metadata.labels.campaign`") })
        let inline = try #require(unset.orders.first { $0.name == "inline" })
        #expect(inline.body.identifiers == ["${env:TILE}", "plain"])
        #expect(inline.labels == ["campaign": "${env:CAMPAIGN}"])
        #expect(inline.body.unsetVariables(environment: ["TILE": "late"]).contains("TILE"))
        #expect(throws: UnresolvedVariables.self) { try inline.body.submissionJSON(environment: ["DESP_USERNAME": "u", "DESP_PASSWORD": "p"]) }

        // Without warnings (`--quiet`): the same orders and bodies, and no warning built.
        let quiet = loadWorkspace(paths: [root], warnings: false)
        #expect(!warnings.isEmpty)
        #expect(quiet.diagnostics.isEmpty, "\(quiet.diagnostics)")
        #expect(quiet.orders == unset.orders)

        // A malformed reference in an identifiers file is an error at its `$`.
        try Data("apiVersion: hookctl/v1\nkind: Order\nmetadata: {name: file}\nspec:\n  workflow: data-harvest\n  identifiersFile: bad.txt\n".utf8)
            .write(to: URL(fileURLWithPath: root + "/file.yaml"))
        let bad = try #require(loadWorkspace(paths: [root], environment: ["TILE": "T"]).errors.first)
        #expect(bad.location == SourceLocation(file: root + "/bad.txt", line: 2, column: 6))
        #expect(bad.message.contains("unknown reference `${nope:...}`"))
    }

    @Test func `the cached workflow catalogue checks extra options offline`() throws {
        let catalogue = """
            {"@odata.context": "$metadata#Workflows/$entity", "value": [
              {"Id": "1", "Name": "card_bs", "WorkflowOptions": [
                {"Name": "resolution", "Type": "int", "Default": null, "Value": null, "Required": true},
                {"Name": "format", "Type": "str", "Value": [{"value": "COG", "condition": null}], "Required": false}]},
              {"Id": "11", "Name": "data-harvest", "WorkflowOptions": [{"Name": "output_storage", "Type": "str", "Required": true}]}]}
            """
        let root = try temporaryFolder([
            "hookctl.yaml": "apiVersion: hookctl/v1\nkind: Project\n",
            "hookctl.workflows.json": catalogue,
            "a.yaml":
                "apiVersion: hookctl/v1\nkind: Order\nmetadata: {name: a}\nspec:\n  workflow: card_bs\n  identifiers: [x]\n  source: {collection: c}\n  options:\n    resolutin: 20\n    format: GTiff\n",
            "b.yaml":
                "apiVersion: hookctl/v1\nkind: Order\nmetadata: {name: b}\nspec:\n  workflow: card_bs\n  identifiers: [x]\n  source: {collection: c}\n  options:\n    resolution: \"20\"\n",
            "c.yaml": "apiVersion: hookctl/v1\nkind: Order\nmetadata: {name: c}\nspec:\n  workflow: card-bs\n  identifiers: [x]\n  source: {collection: c}\n",
            "d.yaml":
                "apiVersion: hookctl/v1\nkind: Order\nmetadata: {name: d}\nspec:\n  workflow: card_bs\n  identifiers: [x]\n  source: {collection: c}\n  options: {resolution: 20, format: COG}\n",
            "e.yaml": "apiVersion: hookctl/v1\nkind: Order\nmetadata: {name: e}\nspec:\n  workflow: card_bs\n  identifiers: [x]\n  source: {collection: c}\n",
            "f.yaml":
                "apiVersion: hookctl/v1\nkind: Order\nmetadata: {name: f}\nspec:\n  workflow: data-harvest\n  identifiers: [x]\n  source: {collection: c}\n",
        ])
        let workspace = loadWorkspace(paths: [root])
        let messages = workspace.errors.map { "\(FileSystem.fileName(of: $0.location?.file ?? "")):\($0.location?.line ?? 0) \($0.message)" }
        #expect(messages.contains { $0.hasPrefix("a.yaml:9 ") && $0.contains("no option `resolutin`") && $0.contains("did you mean `resolution`?") })
        #expect(messages.contains { $0.hasPrefix("a.yaml:10 ") && $0.contains("must be one of COG") })
        #expect(messages.contains { $0.hasPrefix("b.yaml:9 ") && $0.contains("takes type `int`") })
        #expect(messages.contains { $0.hasPrefix("c.yaml:5 ") && $0.contains("unknown workflow `card-bs`") && $0.contains("did you mean `card_bs`?") })
        #expect(workspace.orders.map(\.key) == ["d", "e", "f"])
        let warnings = workspace.diagnostics.filter { $0.severity == .warning }
        #expect(warnings.map { FileSystem.fileName(of: $0.location?.file ?? "") } == ["e.yaml"])
        #expect(warnings.first?.message == "workflow `card_bs` marks `resolution` as required (service catalogue)")
    }

    @Test func `the shipped manifests are valid with an empty environment`() {
        let workspace = loadWorkspace(paths: [packageRoot.appendingPathComponent("manifests").path])
        #expect(workspace.diagnostics.isEmpty, "\(workspace.diagnostics.map(\.description))")
        #expect(workspace.orders.count >= 3)
        #expect(workspace.profile?.sandbox == true)
        for order in workspace.orders {
            #expect(order.storage == .temporary && order.sourceType == "DESP")
            #expect(order.body.unsetVariables(environment: [:]).isEmpty, "\(order.key) needs a variable")
            #expect(throws: Never.self) { try order.body.submissionJSON(environment: [:]) }
        }
        #expect(Set(workspace.orders.map(\.workflow)).isSuperset(of: ["data-harvest", "lai", "card_bs"]))
    }

    @Test func `every example is valid with an empty environment`() {
        let workspace = loadWorkspace(paths: [packageRoot.appendingPathComponent("examples").path])
        #expect(!workspace.hasErrors, "\(workspace.errors.map(\.description))")
        #expect(workspace.profileName == "dedl")
        let storages = Set(workspace.orders.map(\.storage.typeName))
        #expect(storages == ["TEMPORARY", "PRIVATE"])
        #expect(Set(workspace.orders.map(\.sourceType)) == ["DESP", "EXTERNAL"])
        #expect(workspace.orders.contains { $0.batchCount > 1 })
    }

    @Test func `folder scans skip the project file and .hookctl and sort orders by key`() throws {
        let root = try temporaryFolder([
            "hookctl.yaml": Self.project,
            ".hookctl/sandbox/x.yaml": "not: [valid",
            "z.yaml": Self.minimal.replacingOccurrences(of: "NAME", with: "alpha"),
            "sub/a.yaml": Self.minimal.replacingOccurrences(of: "NAME", with: "zulu"),
            "notes.txt": "ignored",
        ])
        let workspace = loadWorkspace(paths: [root])
        #expect(workspace.diagnostics.isEmpty)
        #expect(workspace.manifestFiles == [root + "/sub/a.yaml", root + "/z.yaml"])
        #expect(workspace.orders.map(\.key) == ["alpha", "zulu"])
    }

    @Test func `rendered bodies take a variable set after loading, as each body renders alone`() throws {
        let root = try temporaryFolder([
            "a.yaml": Self.minimal.replacingOccurrences(of: "NAME", with: "alpha") + "  source: {collection: C}\n  options: {tag: \"run-${env:RUN_TAG}\"}\n",
            "b.yaml": Self.minimal.replacingOccurrences(of: "NAME", with: "bravo") + "  source: {collection: C}\n",
        ])
        let workspace = loadWorkspace(paths: [root])
        try #require(!workspace.hasErrors && workspace.orders.count == 2)
        let later = ["RUN_TAG": "v1"]
        let bodies = workspace.renderedBodies(environment: later).map { String(decoding: $0, as: UTF8.self) }
        #expect(bodies == workspace.orders.map { $0.body.renderedJSON(environment: later) })
        #expect(bodies[0].contains(#""Value": "run-v1""#))
        let asLoaded = workspace.renderedBodies(environment: [:]).map { String(decoding: $0, as: UTF8.self) }
        #expect(asLoaded[0].contains(#""Value": "run-${env:RUN_TAG}""#))
        #expect(asLoaded[1] == bodies[1])
    }

    @Test func `diagnostics render with source line and caret, as JSON and as GitHub annotations`() throws {
        let outcome = decode("apiVersion: hookctl/v1\nkind: Order\nmetadata: {name: Bad}\n")
        let error = try #require(outcome.diagnostics.first { $0.id == "metadata.name" })
        #expect(
            error.rendered() == """
                m.yaml:3:18: error: `metadata.name` `Bad` must be 1-63 lowercase letters, digits and `-`, starting and ending with a letter or digit
                metadata: {name: Bad}
                                 ^

                """)
        #expect(error.githubAnnotation?.hasPrefix("::error file=m.yaml,line=3,col=18::`metadata.name`") == true)
        let json = Diagnostic.jsonArray([error])
        #expect(json.contains("\"line\": 3") && json.contains("\"column\": 18") && json.contains("\"severity\": \"error\""))
        #expect(json.hasPrefix("[\n  {\n") && json.hasSuffix("]\n"))
    }
}
