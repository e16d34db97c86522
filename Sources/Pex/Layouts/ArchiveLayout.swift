import Installer
import Resolver
import ZipArchive

/// The archive layouts pexify writes.
public enum Layout: String, Sendable, CaseIterable, Codable {
    /// The flat AWS Lambda function zip: dependencies and sources at the root, `lambda_function.py`.
    case zip
    /// An AWS Lambda layer: the same content under `python/` (extracted to `/opt/python`).
    case layer
    /// A runnable PEX zipapp.
    case pex
}

/// A distribution ready to be laid out: its install plan and the sha256 of its wheel file, which
/// identifies it (PEX-INFO fingerprints, cache keys).
public struct InstalledDistribution: Sendable {
    public var plan: WheelInstallPlan
    public var sha256: String

    public init(plan: WheelInstallPlan, sha256: String) {
        self.plan = plan
        self.sha256 = sha256
    }
}

/// What every layout receives: the same prepared input, whichever layout it is.
public struct LayoutInput: Sendable {
    public var distributions: [InstalledDistribution]
    /// `-D` directories, whose contents go to the layout's root.
    public var sources: [SourcesDirectory]
    /// The requirement strings the archive was built from.
    public var requirements: [String]
    public var target: TargetPlatform

    public init(distributions: [InstalledDistribution], sources: [SourcesDirectory], requirements: [String],
                target: TargetPlatform) {
        self.distributions = distributions
        self.sources = sources
        self.requirements = requirements
        self.target = target
    }
}

/// An archive laid out by one layout, before the shared stages (``ArchiveStages``) run over it.
public struct LaidOutArchive: Sendable {
    /// Every entry with its owner (a distribution, a sources directory, a generated file).
    public var assembly: ArchiveAssembly
    /// Bytes before the zip (a PEX's shebang line); empty for Lambda layouts.
    public var prefix: [UInt8]
    /// Mode of the output file (0o755 for an executable PEX).
    public var permissions: UInt16
    /// The AWS handler string, for a Lambda function zip built with a handler.
    public var handler: String?
    /// The PEX entry point.
    public var entryPoint: String?
    /// Whether AWS Lambda's size quotas apply to the archive (Lambda function zips and layers).
    public var countsAgainstLambdaQuotas: Bool

    public init(assembly: ArchiveAssembly, prefix: [UInt8] = [], permissions: UInt16 = 0o644, handler: String? = nil,
                entryPoint: String? = nil, countsAgainstLambdaQuotas: Bool) {
        self.assembly = assembly
        self.prefix = prefix
        self.permissions = permissions
        self.handler = handler
        self.entryPoint = entryPoint
        self.countsAgainstLambdaQuotas = countsAgainstLambdaQuotas
    }
}

/// One way of arranging distributions and sources into an archive. A layout only arranges: the checks
/// and additions that every archive gets (bytecode, size budget, native code) are ``ArchiveStages``.
public protocol ArchiveLayout: Sendable {
    func layOut(_ input: LayoutInput) throws -> LaidOutArchive
    /// Warnings about the final plan, after the shared stages added to it.
    func warnings(for plan: ArchivePlan, target: TargetPlatform) -> [String]
}

extension ArchiveLayout {
    public func warnings(for plan: ArchivePlan, target: TargetPlatform) -> [String] { [] }
}
