// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "pexify",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "pexify", targets: ["pexify"]),
        .library(name: "Pex", targets: ["Pex"]),
        .library(name: "Resolver", targets: ["Resolver"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // Target data: one complete-platform JSON per named target, embedded into the binary.
        .target(
            name: "Platforms",
            path: "platforms",
            exclude: ["README.md", "generate.py"],
            resources: [.embedInCode("lambda")]
        ),
        .target(
            name: "Resolver",
            dependencies: [
                "Platforms", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        .target(
            name: "Pex",
            dependencies: [
                "Resolver", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.embedInCode("Resources/bootstrap")]
        ),
        .target(name: "Deploy", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .executableTarget(
            name: "pexify",
            dependencies: [
                "Pex", "Resolver", "Deploy",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "TestSupport", dependencies: ["Pex", "Resolver"], path: "Tests/TestSupport"),
        .testTarget(name: "ResolverTests", dependencies: ["Resolver", "TestSupport"]),
        .testTarget(name: "PexTests", dependencies: ["Pex", "Resolver", "TestSupport"]),
        .testTarget(name: "pexifyTests", dependencies: ["pexify", "Pex", "Resolver", "Deploy", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
