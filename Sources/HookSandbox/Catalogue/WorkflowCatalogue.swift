import HookCore

/// The workflows the sandbox offers: `data-harvest` with its current options (HOOK-API 6.2) and processing hooks of
/// HOOK-API 6.1/6.3 with the options their example orders use. Field values are the 2024-09-02 recording's where it
/// has them (HOOK-API 6.1: output types only for card_bs, `Documentation` `""` for card_bs and lai and null for the
/// rest, odp-test's null `Description`, `CustomInputSource` false everywhere; data-harvest's option texts verbatim,
/// trailing spaces and "to to" included); the other workflows' long descriptions and options not in an example order
/// are written here (inferred, docs/sandbox.md).
enum WorkflowCatalogue {
    /// In `Id` order, as `GET Workflows?$orderby=Id asc` lists the real catalogue (HOOK-API 6.1).
    static let all: [WorkflowDefinition] = [cardBS, lai, odpTest, cardCohInf, c2rcc, copdem, helloWorld, dataHarvest, sen2cor, maja]

    static func named(_ name: String) -> WorkflowDefinition? { all.first { $0.name == name } }

    static let secretOptionNames: Set<String> = [
        "output_s3_access_key", "output_s3_secret_key", "desp_source_password", "source_password", "source_client_secret",
    ]

    /// Whether an option's value is a secret (masked in inspection, omitted from listings).
    static func isSecret(_ name: String) -> Bool {
        if secretOptionNames.contains(name) { return true }
        // Option names are ASCII: compared as bytes, without Foundation's `contains` (which went through
        // `NSString` and cost more than the rest of an order's answer). Any other name is compared as text.
        guard name.utf8.allSatisfy({ $0 < 0x80 }) else {
            return name.contains("password") || name.contains("secret") || name.hasSuffix("access_key")
        }
        return contains(name, Self.password) || contains(name, Self.secret) || name.hasSuffix("access_key")
    }

    private static let password = Array("password".utf8)
    private static let secret = Array("secret".utf8)

    /// Whether `needle`'s bytes occur in `text`'s UTF-8 (a plain loop: the generic `firstRange(of:)` is not
    /// specialised for it and cost as much as the NSString detour it replaced).
    private static func contains(_ text: String, _ needle: [UInt8]) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.count >= needle.count else { return false }
            for start in 0...(bytes.count - needle.count) {
                var matched = 0
                while matched < needle.count, bytes[start + matched] == needle[matched] { matched += 1 }
                if matched == needle.count { return true }
            }
            return false
        }
    }

    static let storageOptions: [WorkflowOptionSpec] = [
        .init(
            name: "output_storage",
            description:
                "Output storage type, with viable values being: 'PRIVATE', 'TEMPORARY'. If equal to 'PRIVATE' then all 'output_s3_*' parameters are required.",
            type: .str, allowed: ["PRIVATE", "TEMPORARY"]),
        .init(
            name: "output_s3_endpoint_url",
            description: "URL to s3endpoint where the output should be stored. Use only when 'output_storage' is equal to 'PRIVATE'.", type: .str),
        .init(
            name: "output_s3_access_key",
            description: "Access key to your s3endpoint provided in 's3_endpoint_url'. Use only when 'output_storage' is equal to 'PRIVATE'.", type: .str),
        .init(
            name: "output_s3_secret_key",
            description: "Secret key to your s3endpoint provided in 's3_endpoint_url'. Use only when 'output_storage' is equal to 'PRIVATE'.", type: .str),
        .init(
            name: "output_s3_path",
            description:
                "The path (with bucket and prefix, in format s3://bucket/prefix) in your s3 storage, where the output should be stored. Use only when 'output_storage' is equal to 'PRIVATE'.",
            type: .str),
    ]

    /// `source_type` and the `desp_source_*` options; the texts are data-harvest's (recorded), and a processing hook's
    /// `source_type`, which takes DESP only here, says so (inferred).
    static func despOptions(sourceTypes: [String], defaultSource: JSONValue) -> [WorkflowOptionSpec] {
        let sourceType =
            sourceTypes.contains("EXTERNAL")
            ? "The type of input source. Available values are: 'DESP' (DESP auth in DEDL, requires 'desp_source_*' options), 'EXTERNAL' (external catalogue, requires 'source_*' options) (default: EXTERNAL)."
            : "The type of input source. Available values are: 'DESP' (DESP auth in DEDL, requires 'desp_source_*' options) (default: DESP)."
        return [
            .init(name: "source_type", description: sourceType, type: .str, defaultValue: defaultSource, allowed: sourceTypes),
            .init(
                name: "desp_source_username",
                description:
                    "Username to DESP service. Usable only in DEDL project. Required with other 'desp_*' options when 'source_type' is equal to 'DESP'. ",
                type: .str),
            .init(
                name: "desp_source_password",
                description:
                    "Password to DESP service. Usable only in DEDL project. Required with other 'desp_*' options when 'source_type' is equal to 'DESP'. ",
                type: .str),
            .init(
                name: "desp_source_collection",
                description:
                    "Collection name to DESP service. Usable only in DEDL project. Required with other 'desp_*' options when 'source_type' is equal to 'DESP'. ",
                type: .str),
        ]
    }

    static let externalOptions: [WorkflowOptionSpec] = [
        .init(
            name: "source_catalogue_api_url",
            description: "Url to the external catalogue. Required with other 'source_*' options when 'source_type' is equal to 'EXTERNAL'. ", type: .str),
        .init(
            name: "source_catalogue_api_type",
            description:
                "API type in external catalogue. Viable values are: . Required with other 'source_*' options when 'source_type' is equal to 'EXTERNAL'. ",
            type: .str, allowed: ["STAC", "ODATA"]),
        .init(
            name: "source_token_url",
            description:
                "Token url used to authenticate in external catalogue. It should be the full url with the realm (e.g. https://identity.data.destination-earth.eu/auth/realms/dedl/protocol/openid-connect/token). Required with other 'source_*' options when 'source_type' is equal to 'EXTERNAL'. ",
            type: .str),
        .init(
            name: "source_grant_type",
            description:
                "Grant type used to authenticate in external catalogue. One of: 'PASSWORD', 'CLIENT_CREDENTIALS'. Required with other 'source_*' options when 'source_type' is equal to 'EXTERNAL'. (default: PASSWORD).",
            type: .str, defaultValue: .string("PASSWORD"), allowed: ["PASSWORD", "CLIENT_CREDENTIALS"]),
        .init(
            name: "source_auth_header_name",
            description:
                "Header used to authenticate in external catalogue. Required with other 'source_*' options when 'source_type' is equal to 'EXTERNAL'. (default: 'Authorization').",
            type: .str, defaultValue: .string("Authorization")),
        .init(
            name: "source_username",
            description:
                "Username used to authenticate in external catalogue. Required with other 'source_*' options when 'source_type' is equal to 'EXTERNAL'. ",
            type: .str),
        .init(
            name: "source_password",
            description:
                "Password used to authenticate in external catalogue. Required with other 'source_*' options when 'source_type' is equal to 'EXTERNAL'. ",
            type: .str),
        .init(
            name: "source_client_id",
            description:
                "Client id used to authenticate in external catalogue. Required with other 'source_*' options when 'source_type' is equal to 'EXTERNAL'. ",
            type: .str),
        .init(
            name: "source_client_secret",
            description:
                "Client secret used to authenticate in external catalogue. Available when 'source_type' is equal to to 'EXTERNAL'. If not provided, usually empty string is used when authenticating.",
            type: .str, required: false),
        .init(
            name: "source_catalogue_collection",
            description:
                "Collection name in external catalogue. Available when 'source_type' is equal to to 'EXTERNAL' and required when'source_catalogue_api_type' is equal to to 'STAC'.",
            type: .str, required: false),
    ]

    static let dataHarvest = WorkflowDefinition(
        id: 11, name: "data-harvest", displayName: "Data harvest", documentation: nil,
        description:
            "Data-harvest is a workflow allows to download data from external sources. It requires URL to the external catalogue, credentials and data to download. The workflow is mainly used to download data from HDA (https://hda.data.destination-earth.eu/) using STAC.",
        inputProductType: nil, inputProductTypes: [], outputProductType: nil, outputProductTypes: [], version: "0.0.1",
        customInputSource: false,
        options: [storageOptions[0]] + Array(storageOptions[1...])
            + despOptions(sourceTypes: ["DESP", "EXTERNAL"], defaultSource: .string("EXTERNAL")).prefix(1)
            + externalOptions + despOptions(sourceTypes: ["DESP", "EXTERNAL"], defaultSource: .string("EXTERNAL")).dropFirst(),
        kind: .harvest)

    static let cardBS = WorkflowDefinition(
        id: 1, name: "card_bs", displayName: "Sentinel-1: Terrain-corrected backscatter", documentation: "",
        description:
            "Sentinel-1 CARD BS (Copernicus Analysis Ready Data Backscatter) processor: radiometric terrain-corrected backscatter from Level-1 GRD products.",
        inputProductType: "GRD",
        inputProductTypes: [
            "GRD", "IW_GRDH_1S", "IW_GRDM_1S", "EW_GRDH_1S", "EW_GRDM_1S", "WV_GRDM_1S", "GRD-COG", "IW_GRDH_1S-COG", "IW_GRDM_1S-COG", "EW_GRDH_1S-COG",
            "EW_GRDM_1S-COG", "WV_GRDM_1S-COG",
        ],
        outputProductType: "CARD-BS", outputProductTypes: ["CARD-BS"], version: "3.6.2", customInputSource: false,
        options: storageOptions + despOptions(sourceTypes: ["DESP"], defaultSource: .string("DESP")) + [
            .init(name: "resolution", description: "Output pixel spacing in metres.", type: .int, defaultValue: .integer(20), allowed: nil, required: false)
        ],
        kind: .processing(productTypes: ["GRD", "IW_GRDH_1S", "IW_GRDM_1S", "EW_GRDH_1S", "EW_GRDM_1S", "WV_GRDM_1S"]))

    static let lai = WorkflowDefinition(
        id: 2, name: "lai", displayName: "Sentinel-2: SNAP-Biophysical", documentation: "",
        description: "Leaf Area Index and other biophysical variables computed with the SNAP Biophysical Processor from Sentinel-2 Level-2A products.",
        inputProductType: "S2MSI2A", inputProductTypes: ["S2MSI2A"], outputProductType: nil, outputProductTypes: [],
        version: "1.1.1", customInputSource: false,
        options: storageOptions + despOptions(sourceTypes: ["DESP"], defaultSource: .string("DESP")),
        kind: .processing(productTypes: ["S2MSI2A"]))

    static let cardCohInf = WorkflowDefinition(
        id: 5, name: "card_cohinf", displayName: "Sentinel-1 Coherence/Interferometry", documentation: nil,
        description: "Sentinel-1 CARD COH/INF processor: interferometric coherence or interferogram from a pair of Level-1 SLC products.",
        inputProductType: "SLC",
        inputProductTypes: [
            "SLC", "S1_SLC__1S", "S2_SLC__1S", "S3_SLC__1S", "S4_SLC__1S", "S5_SLC__1S", "S6_SLC__1S", "IW_SLC__1S", "EW_SLC__1S", "WV_SLC__1S",
        ],
        outputProductType: nil, outputProductTypes: [], version: "1.0.0", customInputSource: false,
        options: storageOptions + despOptions(sourceTypes: ["DESP"], defaultSource: .string("DESP")) + [
            .init(
                name: "card_producttype", description: "Output product type, with viable values being: 'CARD_COH', 'CARD_INF'.", type: .str,
                defaultValue: .string("CARD_COH"), allowed: ["CARD_COH", "CARD_INF"]),
            .init(name: "timespan", description: "Search window in days for the secondary SLC product.", type: .int, defaultValue: .integer(24)),
        ],
        kind: .processing(productTypes: ["SLC", "IW_SLC__1S", "EW_SLC__1S", "WV_SLC__1S"]))

    static let c2rcc = WorkflowDefinition(
        id: 6, name: "c2rcc", displayName: "Sentinel-2: C2RCC", documentation: nil,
        description: "Case-2 Regional CoastColour water-quality processor for Sentinel-2 Level-1C products.",
        inputProductType: "S2MSI1C", inputProductTypes: ["S2MSI1C", "OL_2_LFR___", "OL_2_LRR___", "OL_2_WFR___", "OL_2_WRR___"],
        outputProductType: nil, outputProductTypes: [], version: "1.1.1", customInputSource: false,
        options: storageOptions + despOptions(sourceTypes: ["DESP"], defaultSource: .string("DESP")),
        kind: .processing(productTypes: ["S2MSI1C"]))

    static let odpTest = WorkflowDefinition(
        id: 3, name: "odp-test", displayName: "ODP Test", documentation: nil, description: nil,
        inputProductType: nil, inputProductTypes: [], outputProductType: nil, outputProductTypes: [], version: "1.0.0", customInputSource: false,
        options: storageOptions, kind: .anyInput)

    static let copdem = WorkflowDefinition(
        id: 8, name: "copdem", displayName: "Copernicus DEM Mosaic", documentation: nil,
        description:
            "The CopDEM workflow first searches the catalogue for products that intersect the input product geometry and are of product type DGE_30. The processor then executes SNAP/GDAL methods and generates input products into the output dem.tif file.",
        inputProductType: "*", inputProductTypes: ["*"], outputProductType: nil, outputProductTypes: [], version: "1.0", customInputSource: false,
        options: storageOptions, kind: .anyInput)

    static let helloWorld = WorkflowDefinition(
        id: 10, name: "dedl_hello_world", displayName: "DEDL Hello World", documentation: nil, description: "DEDL Hello World processor",
        inputProductType: "*", inputProductTypes: ["*"], outputProductType: nil, outputProductTypes: [], version: "1.1.0", customInputSource: false,
        options: storageOptions + [
            .init(name: "source_s3_path", description: "S3 location of the input, in the form 's3://bucket/prefix' (must contain example.data).", type: .str),
            .init(name: "source_s3_endpoint_url", description: "S3 endpoint URL of the input.", type: .str),
            .init(name: "source_s3_access_key", description: "Access key of the input bucket.", type: .str),
            .init(name: "source_s3_secret_key", description: "Secret key of the input bucket.", type: .str),
        ],
        kind: .anyInput)

    static let maja = WorkflowDefinition(
        id: 46, name: "maja", displayName: "Sentinel-2: MAJA Atmospheric Correction", documentation: nil,
        description: "MAJA multi-temporal atmospheric correction of Sentinel-2 Level-1C time series.",
        inputProductType: "S2MSI1C", inputProductTypes: ["S2MSI1C"], outputProductType: nil, outputProductTypes: [],
        version: "3.0.1", customInputSource: false,
        options: storageOptions + [
            .init(
                name: "input_type", description: "How the time series is given; 'TIMESPAN': the products of 'timespan' days up to 'timeseries_end_id'.",
                type: .str, defaultValue: .string("TIMESPAN")),
            .init(name: "timeseries_end_id", description: "Identifier of the last Level-1C product of the time series.", type: .str, required: false),
            .init(name: "timespan", description: "Length of the time series in days.", type: .int, defaultValue: .integer(18), required: false),
        ],
        kind: .processing(productTypes: ["S2MSI1C"]))

    static let sen2cor = WorkflowDefinition(
        id: 45, name: "sen2cor", displayName: "Sentinel-2: Sen2Cor", documentation: nil,
        description: "Sen2Cor atmospheric correction: Sentinel-2 Level-1C to Level-2A.",
        inputProductType: "S2MSI1C", inputProductTypes: ["S2MSI1C"], outputProductType: nil, outputProductTypes: [],
        version: "2.10.0", customInputSource: false,
        options: storageOptions + despOptions(sourceTypes: ["DESP"], defaultSource: .string("DESP")),
        kind: .processing(productTypes: ["S2MSI1C"]))
}
