import ArgumentParser

/// SPEC section 3's exit codes, defined once.
extension ExitCode {
    /// All orders completed, or nothing to do.
    static let done = ExitCode(0)
    /// Invalid input (a malformed command line included), auth failure, unreachable service.
    static let error = ExitCode(1)
    /// `plan --detailed-exitcode`: the plan has changes.
    static let planHasChanges = ExitCode(2)
    /// One or more orders failed.
    static let orderFailed = ExitCode(3)
    /// Waiting timed out.
    static let timedOut = ExitCode(4)
    /// SIGINT/SIGTERM; state is saved.
    static let interrupted = ExitCode(130)
}
