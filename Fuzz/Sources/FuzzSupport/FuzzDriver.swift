import CFuzzerDriver

/// Runs libFuzzer with the process's arguments (corpus directories, -max_total_time, ...)
/// on `target`, which sees each input as raw bytes.
public enum FuzzDriver {
    nonisolated(unsafe) private static var target: (UnsafeRawBufferPointer) -> Void = { _ in }

    public static func run(_ body: @escaping (UnsafeRawBufferPointer) -> Void) -> Int32 {
        target = body
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            FuzzDriver.target(UnsafeRawBufferPointer(start: data, count: size))
            return 0
        }
    }
}
