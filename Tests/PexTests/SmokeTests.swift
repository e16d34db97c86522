import Testing
import TestSupport

@Test func testInterpreterIsAvailable() throws {
    #expect(try python("import sys; print(sys.version_info[0])").hasPrefix("3"))
}
