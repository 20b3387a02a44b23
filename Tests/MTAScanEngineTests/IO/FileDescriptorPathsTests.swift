import Foundation
import Testing
@testable import MTAScanEngine

@Suite struct FileDescriptorPathsTests {
    private func temporaryPath() -> String {
        NSTemporaryDirectory() + "mtascan-paths-\(UInt64.random(in: 0...UInt64.max))"
    }

    @Test func oneFileHasOneIdentityUnderEveryName() throws {
        let path = temporaryPath(), link = temporaryPath(), other = temporaryPath()
        defer { unlink(path); unlink(link); unlink(other) }
        #expect(FileManager.default.createFile(atPath: path, contents: Data("a\n".utf8)))
        #expect(FileManager.default.createFile(atPath: other, contents: Data("a\n".utf8)))
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: path)
        let identity = try #require(FileDescriptor.identity(of: path))
        #expect(identity.isRegularFile)
        #expect(FileDescriptor.identity(of: link) == identity)
        #expect(FileDescriptor.identity(of: other) != identity)
        #expect(FileDescriptor.identity(of: "-") == nil)
        #expect(FileDescriptor.identity(of: path + ".missing") == nil)
        #expect(FileDescriptor.identity(of: "/dev/null")?.isRegularFile == false)
    }

    @Test func truncatesAndReplacesWholeFiles() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        try FileDescriptor.replaceContents(of: path, with: Array("first\nsecond half".utf8))
        try FileDescriptor.truncate(path: path, to: 6)
        #expect(try FileDescriptor.readAll(path: path, maxBytes: 100) == Array("first\n".utf8))
        try FileDescriptor.replaceContents(of: path, with: Array("new\n".utf8))
        #expect(try FileDescriptor.readAll(path: path, maxBytes: 100) == Array("new\n".utf8))
        #expect(FileDescriptor.identity(of: path + ".tmp") == nil)
        #expect(throws: FileError.self) { try FileDescriptor.replaceContents(of: "/nonexistent/dir/file", with: []) }
    }
}
