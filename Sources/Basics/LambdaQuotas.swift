/// AWS Lambda's size quotas for deployment packages ("Lambda quotas" in the AWS documentation, where
/// "MB" means 1,048,576 bytes; see docs/formats/lambda-layout.md).
public enum LambdaQuotas {
    /// A zip above this cannot be sent in the request itself, only through S3: 50 MiB.
    public static let directUploadBytes = 52_428_800
    /// A function and all its layers may not unzip to more than this: 250 MiB.
    public static let unzippedBytes = 262_144_000
}
