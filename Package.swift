// swift-tools-version:6.1
import PackageDescription

// The module map, bottom to top; each target may use only those listed before it (docs/ARCHITECTURE.md).
let package = Package(
    name: "pexify",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "pexify", targets: ["pexify"]),
        .library(name: "ZipArchive", targets: ["ZipArchive"]),
        .library(name: "Resolver", targets: ["Resolver"]),
        .library(name: "Pex", targets: ["Pex"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // libcurl's easy interface for the HTTP transport, opened with dlopen on the first request.
        .target(name: "CCurl", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        // fallocate(2) and renameat2(2), which the Swift Glibc module does not export.
        .target(name: "CFileSystem"),
        // What several modules need and none owns: HTTP types and transports, retries, hashing, atomic
        // file replacement and partial files, byte formatting, Lambda's quotas.
        .target(name: "Basics", dependencies: ["CCurl", "CFileSystem", .product(name: "Crypto", package: "swift-crypto")]),
        // ZIP reading and writing, deflate and the ordered worker pipeline; knows nothing about Python.
        .target(name: "ZipArchive", dependencies: ["CZlib", "CFileSystem", "Basics"]),
        // Target data: one complete-platform JSON per named target, embedded into the binary.
        .target(
            name: "Platforms",
            path: "platforms",
            exclude: ["README.md", "generate.py"],
            resources: [.embedInCode("lambda")]
        ),
        // The packaging model (PEPs 440/503/508/425/600/656/427/751) and resolution against indexes.
        .target(
            name: "Resolver",
            dependencies: [
                "Basics", "ZipArchive", "Platforms",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        // Wheel installation (install plans, RECORD, schemes) and the native-code facts of wheels.
        .target(name: "Installer", dependencies: ["Basics", "ZipArchive", "Resolver"]),
        // The archive layouts (Lambda zip and layer, PEX) and the stages every layout shares.
        .target(
            name: "Pex",
            dependencies: ["Basics", "ZipArchive", "Resolver", "Installer"],
            resources: [.embedInCode("Resources/bootstrap")]
        ),
        // The PEP 517 build frontend: sdists and local projects into wheels, in isolated build environments
        // resolved and installed by the modules below; its driver is a `.py` embedded into the binary.
        .target(
            name: "BuildFrontend",
            dependencies: ["Basics", "ZipArchive", "Resolver", "Installer", .product(name: "TOMLKit", package: "TOMLKit")],
            resources: [.embedInCode("Resources/driver")]
        ),
        // One build end to end: request → resolution → install plans → layout → one atomic write.
        .target(name: "Orchestration", dependencies: ["Basics", "ZipArchive", "Resolver", "Installer", "Pex", "BuildFrontend"]),
        // `pexify invoke`: a built function run locally the way AWS Lambda runs it (real runtime client,
        // loopback Runtime API); the Python side is embedded like the PEX bootstrap.
        .target(
            name: "Invoke",
            dependencies: ["Basics", "ZipArchive", "Resolver", "Installer", "Pex"],
            resources: [.embedInCode("Resources/runtime")]
        ),
        // `pexify deploy`: SigV4-signed Lambda and S3 calls over the shared HTTP seam.
        .target(name: "Deploy", dependencies: ["Basics", "ZipArchive", .product(name: "Crypto", package: "swift-crypto")]),
        .executableTarget(
            name: "pexify",
            dependencies: [
                "Basics", "Resolver", "Pex", "Orchestration", "Invoke", "Deploy",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "TestSupport", dependencies: ["Basics", "ZipArchive", "Resolver"], path: "Tests/TestSupport"),
        .testTarget(name: "ZipArchiveTests", dependencies: ["ZipArchive", "Basics", "TestSupport"]),
        .testTarget(name: "ResolverTests", dependencies: ["Resolver", "ZipArchive", "Basics", "TestSupport"]),
        .testTarget(name: "InstallerTests", dependencies: ["Installer", "ZipArchive", "Resolver", "TestSupport"]),
        .testTarget(name: "PexTests", dependencies: ["Pex", "Installer", "ZipArchive", "Resolver", "TestSupport"]),
        .testTarget(
            name: "OrchestrationTests",
            dependencies: ["Orchestration", "BuildFrontend", "Pex", "Installer", "ZipArchive", "Resolver", "TestSupport"]
        ),
        .testTarget(name: "DeployTests", dependencies: ["Deploy", "Basics", "TestSupport"]),
        .testTarget(
            name: "pexifyTests",
            dependencies: ["pexify", "Orchestration", "Pex", "Installer", "ZipArchive", "Resolver", "TestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
