// swift-tools-version:6.1
// The benchmark suite lives in its own package so that CI builds of pexify stay lean.
import PackageDescription

let package = Package(
    name: "pexify-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "pexify", path: "..")],
    targets: [
        .executableTarget(
            name: "pexify-bench",
            dependencies: [
                .product(name: "ZipArchive", package: "pexify"),
                .product(name: "Resolver", package: "pexify"),
            ],
            swiftSettings: [.unsafeFlags(["-Ounchecked"])]
        )
    ],
    swiftLanguageModes: [.v6]
)
