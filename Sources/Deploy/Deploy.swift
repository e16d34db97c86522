// Shipping a built archive to AWS Lambda: SigV4 signing (SigV4.swift), credentials and region the way
// the AWS tools find them (AWSConfiguration.swift), a signed, retrying client over an HTTPTransport
// (AWSClient.swift; the transport itself is Basics'), the Lambda and S3 operations a deploy needs (LambdaAPI.swift,
// S3Upload.swift) and the flow that ties them together with its checks (LambdaDeployer.swift).
// Entry point: `LambdaDeployer.deploy(archive:options:)`.
