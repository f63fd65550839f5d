// swift-tools-version:6.2
import Foundation
import PackageDescription

/// gperftools' tcmalloc as a static archive (Debian's libgoogle-perftools-dev, which `.ci/run` installs), if this
/// machine has it: then the `TCMalloc` trait is on by default (see there). Without it the build uses glibc's malloc.
let tcmallocArchive = ["x86_64", "aarch64"].map { "/usr/lib/\($0)-linux-gnu/libtcmalloc_minimal.a" }
    .contains { FileManager.default.fileExists(atPath: $0) }

/// Under `TCMalloc`, the malloc family is tcmalloc's. lld, because the static Swift runtime's link flags keep every
/// symbol of an archive out of the dynamic symbol table: the `--defsym` names are the linker's own, so they are
/// exported, and the C library and libyaml allocate and free through them too (a pointer from one malloc freed by
/// the other aborts). The binary still needs only the C library, libstdc++, zlib and libyaml (SPEC 10).
let tcmallocLinking: [LinkerSetting] = [
    .unsafeFlags(
        ["-use-ld=lld", "-Xlinker", "-l:libtcmalloc_minimal.a"]
            + [
                "malloc=tc_malloc", "free=tc_free", "cfree=tc_cfree", "calloc=tc_calloc", "realloc=tc_realloc", "memalign=tc_memalign",
                "aligned_alloc=tc_memalign", "posix_memalign=tc_posix_memalign", "valloc=tc_valloc", "pvalloc=tc_pvalloc",
                "malloc_usable_size=tc_malloc_size",
            ].flatMap { ["-Xlinker", "--defsym=\($0)"] },
        .when(platforms: [.linux], traits: ["TCMalloc"])),
    .linkedLibrary("stdc++", .when(platforms: [.linux], traits: ["TCMalloc"])),
]

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "hookctl",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hookctl", targets: ["hookctl"])
    ],
    traits: [
        .trait(
            name: "TCMalloc",
            description:
                "Link gperftools' tcmalloc into hookctl, statically: its thread caches make the many small allocations of reading thousands of manifests (libyaml's and Swift's) about 10% cheaper in wall time than glibc's malloc (docs/manifests.md, render benchmark). On by default where Debian's libgoogle-perftools-dev is installed."
        ),
        .default(enabledTraits: tcmallocArchive ? ["TCMalloc"] : []),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Naming the traits keeps Swift 6.3 from rebuilding Hummingbird on every build (and skips swift-configuration).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        // Reads downloaded archives to check every entry's CRC (stored and deflated alike).
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // libyaml from the system (Debian's libyaml-dev): the event parser gives exact marks and lets us bound aliases.
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        // CRC-32: carry-less multiplication where the processor has it, else the system's zlib (Debian's zlib1g-dev;
        // the release binary links zlib anyway), which also combines CRCs.
        .target(name: "CRC32Kernel", linkerSettings: [.linkedLibrary("z")]),
        // What every library shares: Secret, one JSON value with its reader and canonical writer, atomic files, file locks.
        .target(name: "HookCore", dependencies: ["CRC32Kernel"], swiftSettings: swiftSettings),
        .target(
            name: "HookManifest", dependencies: ["HookCore", "CYAML", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HookS3",
            dependencies: [
                "HookCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HookClient",
            dependencies: [
                "HookCore", "HookS3",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HookSandbox",
            dependencies: [
                "HookCore", "HookS3",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HookRunner",
            dependencies: [
                "HookCore", "HookManifest", "HookClient", "HookS3", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "hookctl",
            dependencies: [
                "HookCore", "HookManifest", "HookRunner", "HookClient", "HookS3", "HookSandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            linkerSettings: tcmallocLinking
        ),
        // bench/client/run.sh: sequential status calls through HookClient.
        .executableTarget(
            name: "client-bench", dependencies: ["HookCore", "HookClient", "HookS3", .product(name: "Logging", package: "swift-log")],
            path: "bench/client/Sources", swiftSettings: swiftSettings
        ),
        .testTarget(name: "HookManifestTests", dependencies: ["HookCore", "HookManifest"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "HookS3Tests", dependencies: ["HookCore", "HookS3"], swiftSettings: swiftSettings),
        .testTarget(
            name: "HookClientTests", dependencies: ["HookCore", "HookClient", "HookS3", "HookSandbox", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "HookSandboxTests",
            dependencies: [
                "HookCore", "HookSandbox", "HookS3",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HookRunnerTests", dependencies: ["HookCore", "HookRunner", "HookSandbox", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "hookctlTests", dependencies: ["hookctl", "HookCore", "HookRunner", "HookS3", "HookSandbox"], swiftSettings: swiftSettings),
    ]
)
