#if canImport(Glibc)
import Glibc
#endif
import MTAScanCore
import MTAScanEngine

/// `mtascan lint --batch` (`BatchLinter` over `Linter`): the payload is the
/// request stream, read from a file as the command reads stdin, the verdicts
/// written to another.
///
/// Checks: exactly one verdict line per request line (the command's promise
/// to pipelines), in order; each is a JSON object, and is what
/// `Linter.verdict(forRequestLine:)` says for that line as split here,
/// independently of the batch reader's own line assembly.
///
/// The batch reader reads 256 KiB at a time, more than any fuzz input, so
/// its chunk boundaries are not reached here; its line assembly is.
enum LintBatchTarget {
    /// A few rules of each kind, enough for `mx-consistency` to find
    /// registrable domains; the real list is a file, and loading it is I/O.
    private static let linter: Linter = {
        let list = "com\nnet\norg\nuk\nco.uk\n*.ck\n!www.ck\n// ===BEGIN PRIVATE DOMAINS===\ngithub.io\n"
        let psl: Result<PublicSuffixList, Linter.RequestError>
        do {
            psl = .success(try PublicSuffixList(listText: Array(list.utf8)))
        } catch {
            psl = .failure(Linter.RequestError("\(error)"))
        }
        return Linter(publicSuffixList: { psl })
    }()

    /// Two unlinked temporary files, reused for every input (creating files
    /// per input would make the target measure the file system).
    private static let files: (requests: Int32, verdicts: Int32) = (scratchFile(), scratchFile())

    private static func scratchFile() -> Int32 {
        var template = Array("/tmp/mtascan-fuzz-lint-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            let fd = mkstemp(base)
            if fd >= 0 { unlink(base) }  // gone when the process ends, however it ends
            return fd
        }
        Invariant.require(fd >= 0, "cannot create a scratch file in /tmp")
        return fd
    }

    static let target = FuzzTarget(
        name: "lint-batch",
        summary: "lint --batch: one verdict line per request line, each = Linter.verdict of that line"
    ) { input in
        let requests = input.rest
        let (requestsFD, verdictsFD) = files
        Invariant.require(ftruncate(requestsFD, 0) == 0 && ftruncate(verdictsFD, 0) == 0, "ftruncate")
        let written = requests.withUnsafeBytes { pwrite(requestsFD, $0.baseAddress, $0.count, 0) }
        Invariant.require(written == requests.count, "pwrite")
        Invariant.require(lseek(requestsFD, 0, SEEK_SET) == 0 && lseek(verdictsFD, 0, SEEK_SET) == 0, "lseek")

        do {
            try BatchLinter(linter: linter).run(
                input: FileDescriptor(rawValue: requestsFD, path: "<requests>"),
                output: FileDescriptor(rawValue: verdictsFD, path: "<verdicts>"))
        } catch {
            Invariant.require(false, "lint --batch failed: \(error)")
        }
        let size = Int(lseek(verdictsFD, 0, SEEK_END))
        var output = [UInt8](repeating: 0, count: size)
        let read = output.withUnsafeMutableBytes { pread(verdictsFD, $0.baseAddress, size, 0) }
        Invariant.require(read == size, "pread")

        var verdicts = output.split(separator: 0x0A, omittingEmptySubsequences: false)
        Invariant.require(verdicts.last?.isEmpty ?? true, "output does not end in a line break")
        verdicts = verdicts.dropLast()
        var lines = requests.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        Invariant.require(verdicts.count == lines.count, "\(verdicts.count) verdicts for \(lines.count) requests")
        for (line, verdict) in zip(lines, verdicts) {
            let request = line.last == 0x0D ? line.dropLast() : line
            let expected = linter.verdict(forRequestLine: request)
            Invariant.require(expected.objectValue != nil, "a verdict that is not an object")
            let text = JSONCheck.requireRoundTrip(expected, "verdict")
            Invariant.require(text[...] == verdict, "batch verdict differs from Linter.verdict for the line")
        }
    }
}
