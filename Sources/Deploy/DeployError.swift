import Basics

/// Everything that can stop a deploy, each described as a full sentence that names the function,
/// bucket or file involved and what to do next. No description ever contains a secret.
public enum DeployError: Error, CustomStringConvertible, Sendable {
    /// Credentials, region or endpoint could not be determined.
    case configuration(String)
    /// The archive could not be read.
    case archive(path: String, reason: String)
    /// The archive is larger than a direct upload allows and no bucket was given.
    case needsBucket(path: String, size: Int64, limit: Int64)
    /// The function does not exist in this account and region.
    case functionNotFound(function: String, region: String)
    /// The function's runtime, architecture or handler does not fit the archive (``FunctionCheck``).
    case mismatch(archive: String, function: String, problems: [String])
    /// The function is packaged as a container image, which takes no zip.
    case imageFunction(function: String)
    /// A function or layer cannot be set up from this archive (no stamp, no handler, no role).
    case cannotCreate(function: String, reason: String)
    /// The function and its layers unzip to more than Lambda allows.
    case overBudget(function: String, total: Int64, parts: [String])
    /// The service refused the code as too large (direct upload or unzipped size).
    case codeTooLarge(function: String, size: Int64, message: String)
    /// The service kept throttling after all retries.
    case throttled(operation: String, attempts: Int)
    /// A `RevisionId`/`CodeSha256` precondition failed: somebody else changed the function meanwhile.
    case preconditionFailed(operation: String, function: String, message: String)
    /// The service reports a different SHA-256 for the code than the archive has.
    case checksumMismatch(function: String, expected: String, actual: String)
    /// The function's update ended in `Failed`, or did not finish in time.
    case updateFailed(function: String, status: String, reason: String)
    /// An S3 upload failed (a part or the whole object).
    case upload(bucket: String, key: String, message: String)
    /// Any other refusal by the service.
    case service(operation: String, status: Int, code: String, message: String)
    /// No response at all (connection refused, DNS, TLS).
    case transport(operation: String, endpoint: String, message: String)
    /// The TLS connection failed over certificates (final, not retried).
    case certificate(operation: String, endpoint: String, failure: TLSFailure, reason: String)

    public var description: String {
        switch self {
        case .configuration(let message):
            return message
        case .archive(let path, let reason):
            return "Cannot read the archive '\(path)': \(reason)."
        case .needsBucket(let path, let size, let limit):
            return "The archive '\(path)' is \(ByteCount.format(size)), above the \(ByteCount.format(limit)) limit of a direct upload; pass --s3-bucket NAME to upload it through S3."
        case .functionNotFound(let function, let region):
            return "The Lambda function '\(function)' does not exist in region \(region); pass --create --role ARN to create it (or check --function-name, --region and the account of your credentials)."
        case .mismatch(let archive, let function, let problems):
            return "Refusing to deploy '\(archive)' to '\(function)': \(problems.joined(separator: "; ")). Nothing was uploaded; rebuild the archive to match (--layout, --runtime, --architecture, --handler), or pass --force to deploy anyway."
        case .imageFunction(let function):
            return "The Lambda function '\(function)' is packaged as a container image (PackageType Image) and cannot take a zip; deploy to a zip-packaged function, or build and push an image instead."
        case .cannotCreate(let function, let reason):
            return "Cannot create '\(function)': \(reason)."
        case .overBudget(let function, let total, let parts):
            return "'\(function)' and its layers would unzip to \(ByteCount.format(total)), above Lambda's \(ByteCount.format(Int64(LambdaQuotas.unzippedBytes))) limit (\(parts.joined(separator: ", "))); nothing was uploaded: slim the archive (--exclude) or drop a layer."
        case .codeTooLarge(let function, let size, let message):
            return "Lambda refused the \(ByteCount.format(size)) code for '\(function)' as too large (\(message)); slim the archive (unzipped code must stay under 250 MiB) or upload through --s3-bucket."
        case .throttled(let operation, let attempts):
            return "AWS kept throttling \(operation) after \(attempts) attempts; wait a minute and run the deploy again, or ask for a higher request quota."
        case .preconditionFailed(let operation, let function, let message):
            return "\(operation) on '\(function)' failed its precondition (\(message)): the function was changed by someone else during this deploy; check its current code and run the deploy again."
        case .checksumMismatch(let function, let expected, let actual):
            return "Lambda reports CodeSha256 \(actual) for '\(function)' but the archive's SHA-256 is \(expected): the code was altered in transit or replaced by a concurrent deploy; nothing was published, run the deploy again."
        case .updateFailed(let function, let status, let reason):
            return "The code update of '\(function)' ended with LastUpdateStatus \(status) (\(reason)); check the function's configuration and run the deploy again."
        case .upload(let bucket, let key, let message):
            return "Uploading to s3://\(bucket)/\(key) failed: \(message); check that the bucket exists in this region and that your credentials may write to it."
        case .service(let operation, let status, let code, let message):
            return "\(operation) was refused with HTTP \(status) \(code): \(message)."
        case .transport(let operation, let endpoint, let message):
            return "\(operation) could not reach \(endpoint): \(message); check --endpoint-url / --region and your network."
        case .certificate(let operation, let endpoint, let failure, let reason):
            switch failure {
            case .serverNotTrusted:
                return "\(operation) could not verify the server certificate of \(endpoint) (\(reason)); if the endpoint, or a proxy in between, uses a certificate of your own or your company's CA, point AWS_CA_BUNDLE (or `ca_bundle` in the profile) at that CA's PEM bundle."
            case .trustUnusable:
                return "\(operation) could not load the CA certificates for \(endpoint) (\(reason)); AWS_CA_BUNDLE and the profile's `ca_bundle` need a PEM file of CA certificates."
            case .clientCertificateUnusable, .clientCertificateRefused:
                return "\(endpoint) asks \(operation) for a client certificate (\(reason)), which pexify deploy does not send; deploy through an endpoint that does not require one."
            }
        }
    }
}
