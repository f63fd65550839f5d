import HookCore

/// The workflows the sandbox offers: `data-harvest` with its current options (HOOK-API 6.2) and processing hooks of
/// HOOK-API 6.1/6.3 with the options their example orders use.
enum WorkflowCatalogue {
    /// In `Id` order, as `GET Workflows?$orderby=Id asc` lists the real catalogue (HOOK-API 6.1).
    static let all: [WorkflowDefinition] = [cardBS, lai, odpTest, cardCohInf, c2rcc, copdem, helloWorld, dataHarvest, sen2cor, maja]

    static func named(_ name: String) -> WorkflowDefinition? { all.first { $0.name == name } }

    static let secretOptionNames: Set<String> = [
        "output_s3_access_key", "output_s3_secret_key", "desp_source_password", "source_password", "source_client_secret",
    ]

    /// Whether an option's value is a secret (masked in inspection, omitted from listings).
    static func isSecret(_ name: String) -> Bool {
        secretOptionNames.contains(name) || name.contains("password") || name.contains("secret") || name.hasSuffix("access_key")
    }

    static let storageOptions: [WorkflowOptionSpec] = [
        .init(
            name: "output_storage",
            description:
                "Output storage type, with viable values being: 'PRIVATE', 'TEMPORARY'. If equal to 'PRIVATE' then all 'output_s3_*' parameters are required.",
            type: .str, allowed: ["PRIVATE", "TEMPORARY"]),
        .init(
            name: "output_s3_endpoint_url",
            description:
                "S3 endpoint URL of the private output bucket, e.g. 'https://s3.central.data.destination-earth.eu'. Required if 'output_storage' is 'PRIVATE'.",
            type: .str),
        .init(name: "output_s3_access_key", description: "Access key of the private output bucket. Required if 'output_storage' is 'PRIVATE'.", type: .str),
        .init(name: "output_s3_secret_key", description: "Secret key of the private output bucket. Required if 'output_storage' is 'PRIVATE'.", type: .str),
        .init(name: "output_s3_path", description: "Output path in the form 's3://bucket/prefix'. Required if 'output_storage' is 'PRIVATE'.", type: .str),
    ]

    static func despOptions(sourceTypes: [String], defaultSource: JSONValue) -> [WorkflowOptionSpec] {
        [
            .init(
                name: "source_type",
                description:
                    "Source type, with viable values being: \(sourceTypes.map { "'\($0)'" }.joined(separator: ", ")). If equal to 'DESP' then all 'desp_source_*' parameters are required.",
                type: .str, defaultValue: defaultSource, allowed: sourceTypes),
            .init(name: "desp_source_username", description: "DESP username. Required if 'source_type' is 'DESP'.", type: .str),
            .init(name: "desp_source_password", description: "DESP password. Required if 'source_type' is 'DESP'.", type: .str),
            .init(
                name: "desp_source_collection",
                description: "HDA collection id of the input products, e.g. 'EO.ESA.DAT.SENTINEL-2.MSI.L1C'. Required if 'source_type' is 'DESP'.", type: .str),
        ]
    }

    static let externalOptions: [WorkflowOptionSpec] = [
        .init(
            name: "source_catalogue_api_url",
            description:
                "Catalogue API URL of the external source, e.g. 'https://hda.data.destination-earth.eu/stac'. Required if 'source_type' is 'EXTERNAL'.",
            type: .str),
        .init(
            name: "source_catalogue_api_type", description: "Catalogue API type, with viable values being: 'STAC', 'ODATA'.", type: .str,
            allowed: ["STAC", "ODATA"]),
        .init(name: "source_token_url", description: "Full token URL of the external source's identity provider.", type: .str),
        .init(
            name: "source_grant_type", description: "Grant type, with viable values being: 'PASSWORD', 'CLIENT_CREDENTIALS'.", type: .str,
            defaultValue: .string("PASSWORD"), allowed: ["PASSWORD", "CLIENT_CREDENTIALS"]),
        .init(
            name: "source_auth_header_name", description: "Name of the header carrying the bearer token.", type: .str, defaultValue: .string("Authorization")),
        .init(name: "source_username", description: "Username at the external source.", type: .str),
        .init(name: "source_password", description: "Password at the external source.", type: .str),
        .init(name: "source_client_id", description: "Client id at the external source's identity provider.", type: .str),
        .init(name: "source_client_secret", description: "Client secret at the external source's identity provider ('' if none).", type: .str, required: false),
        .init(
            name: "source_catalogue_collection", description: "Collection of the input products; required when 'source_catalogue_api_type' is 'STAC'.",
            type: .str, required: false),
    ]

    static let dataHarvest = WorkflowDefinition(
        id: 11, name: "data-harvest", displayName: "Data harvest", documentation: "",
        description: "Harvests products from a DESP (HDA) or external STAC catalogue and stores them in temporary or private S3 storage.",
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
        inputProductType: "S2MSI2A", inputProductTypes: ["S2MSI2A"], outputProductType: "LAI", outputProductTypes: ["LAI"],
        version: "1.1.1", customInputSource: false,
        options: storageOptions + despOptions(sourceTypes: ["DESP"], defaultSource: .string("DESP")),
        kind: .processing(productTypes: ["S2MSI2A"]))

    static let cardCohInf = WorkflowDefinition(
        id: 5, name: "card_cohinf", displayName: "Sentinel-1 Coherence/Interferometry", documentation: "",
        description: "Sentinel-1 CARD COH/INF processor: interferometric coherence or interferogram from a pair of Level-1 SLC products.",
        inputProductType: "SLC",
        inputProductTypes: [
            "SLC", "S1_SLC__1S", "S2_SLC__1S", "S3_SLC__1S", "S4_SLC__1S", "S5_SLC__1S", "S6_SLC__1S", "IW_SLC__1S", "EW_SLC__1S", "WV_SLC__1S",
        ],
        outputProductType: "CARD-COH", outputProductTypes: ["CARD-COH", "CARD-INF"], version: "1.0.0", customInputSource: false,
        options: storageOptions + despOptions(sourceTypes: ["DESP"], defaultSource: .string("DESP")) + [
            .init(
                name: "card_producttype", description: "Output product type, with viable values being: 'CARD_COH', 'CARD_INF'.", type: .str,
                defaultValue: .string("CARD_COH"), allowed: ["CARD_COH", "CARD_INF"]),
            .init(name: "timespan", description: "Search window in days for the secondary SLC product.", type: .int, defaultValue: .integer(24)),
        ],
        kind: .processing(productTypes: ["SLC", "IW_SLC__1S", "EW_SLC__1S", "WV_SLC__1S"]))

    static let c2rcc = WorkflowDefinition(
        id: 6, name: "c2rcc", displayName: "Sentinel-2: C2RCC", documentation: "",
        description: "Case-2 Regional CoastColour water-quality processor for Sentinel-2 Level-1C products.",
        inputProductType: "S2MSI1C", inputProductTypes: ["S2MSI1C", "OL_2_LFR___", "OL_2_LRR___", "OL_2_WFR___", "OL_2_WRR___"],
        outputProductType: "C2RCC", outputProductTypes: ["C2RCC"], version: "1.1.1", customInputSource: false,
        options: storageOptions + despOptions(sourceTypes: ["DESP"], defaultSource: .string("DESP")),
        kind: .processing(productTypes: ["S2MSI1C"]))

    static let odpTest = WorkflowDefinition(
        id: 3, name: "odp-test", displayName: "ODP Test", documentation: "", description: "Test workflow of the OnDemand Processing service.",
        inputProductType: nil, inputProductTypes: [], outputProductType: nil, outputProductTypes: [], version: "1.0.0", customInputSource: false,
        options: storageOptions, kind: .anyInput)

    static let copdem = WorkflowDefinition(
        id: 8, name: "copdem", displayName: "Copernicus DEM Mosaic", documentation: "",
        description:
            "The workflow searches the catalogue for products that intersect the input product geometry and are of product type DGE_30, mosaics them and writes the output dem.tif.",
        inputProductType: "*", inputProductTypes: ["*"], outputProductType: "DEM", outputProductTypes: ["DEM"], version: "1.0", customInputSource: false,
        options: storageOptions, kind: .anyInput)

    static let helloWorld = WorkflowDefinition(
        id: 10, name: "dedl_hello_world", displayName: "DEDL Hello World", documentation: "",
        description: "Custom-hook example: reads example.data from an S3 location and writes it upper-cased.",
        inputProductType: "*", inputProductTypes: ["*"], outputProductType: nil, outputProductTypes: [], version: "1.1.0", customInputSource: true,
        options: storageOptions + [
            .init(name: "source_s3_path", description: "S3 location of the input, in the form 's3://bucket/prefix' (must contain example.data).", type: .str),
            .init(name: "source_s3_endpoint_url", description: "S3 endpoint URL of the input.", type: .str),
            .init(name: "source_s3_access_key", description: "Access key of the input bucket.", type: .str),
            .init(name: "source_s3_secret_key", description: "Secret key of the input bucket.", type: .str),
        ],
        kind: .anyInput)

    static let maja = WorkflowDefinition(
        id: 46, name: "maja", displayName: "Sentinel-2: MAJA Atmospheric Correction", documentation: "",
        description: "MAJA multi-temporal atmospheric correction of Sentinel-2 Level-1C time series.",
        inputProductType: "S2MSI1C", inputProductTypes: ["S2MSI1C"], outputProductType: "S2MSI2A-MAJA", outputProductTypes: ["S2MSI2A-MAJA"],
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
        id: 45, name: "sen2cor", displayName: "Sentinel-2: Sen2Cor", documentation: "",
        description: "Sen2Cor atmospheric correction: Sentinel-2 Level-1C to Level-2A.",
        inputProductType: "S2MSI1C", inputProductTypes: ["S2MSI1C"], outputProductType: "S2MSI2A", outputProductTypes: ["S2MSI2A"],
        version: "2.10.0", customInputSource: false,
        options: storageOptions + despOptions(sourceTypes: ["DESP"], defaultSource: .string("DESP")),
        kind: .processing(productTypes: ["S2MSI1C"]))
}
