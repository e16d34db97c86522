import ZipArchive

/// An archive ready to be written: its entries, what goes before them, and what the summary reports.
public struct PreparedArchive: Sendable {
    public var plan: ArchivePlan
    /// Bytes before the zip (a PEX's shebang line); empty for Lambda layouts.
    public var prefix: [UInt8]
    /// Mode of the output file (0o755 for an executable PEX).
    public var permissions: UInt16
    public var handler: String?
    public var entryPoint: String?
    /// Uncompressed size of all files.
    public var unzippedBytes: UInt64
    /// Each owner's unzipped size, for the Lambda budget (empty for layouts that are not for Lambda).
    public var budgetParts: [LambdaBudget.Part]
    public var warnings: [String]

    public init(plan: ArchivePlan, prefix: [UInt8] = [], permissions: UInt16 = 0o644, handler: String? = nil,
                entryPoint: String? = nil, unzippedBytes: UInt64, budgetParts: [LambdaBudget.Part] = [],
                warnings: [String] = []) {
        self.plan = plan
        self.prefix = prefix
        self.permissions = permissions
        self.handler = handler
        self.entryPoint = entryPoint
        self.unzippedBytes = unzippedBytes
        self.budgetParts = budgetParts
        self.warnings = warnings
    }
}
