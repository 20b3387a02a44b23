#if canImport(Glibc)
import Glibc
#endif

// libFuzzer's two entry points. libFuzzer owns `main`; it calls
// `LLVMFuzzerInitialize` once, then `LLVMFuzzerTestOneInput` for every input.

/// Picks the target named by `MTASCAN_FUZZ_TARGET` before the first input, so
/// a typo fails at once instead of fuzzing nothing. `list` prints the targets.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    let name = getenv("MTASCAN_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    if name == "list" {
        for target in FuzzTargets.all { print("\(target.name)\t\(target.summary)") }
        exit(0)
    }
    guard FuzzTargets.named(name) != nil else {
        let names = FuzzTargets.all.map(\.name).joined(separator: ", ")
        Invariant.report("MTASCAN_FUZZ_TARGET=\"\(name)\" is no target; one of: \(names)")
        exit(2)
    }
    return 0
}

/// One input for the selected target. Returns 0 always: libFuzzer reserves
/// other values, and a failed invariant aborts (`Invariant.require`).
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    selectedTarget.run(FuzzInput(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

/// Resolved once; `initialize` has already rejected an unknown name.
private let selectedTarget: FuzzTarget = {
    let name = getenv("MTASCAN_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = FuzzTargets.named(name) else { exit(2) }
    return target
}()
