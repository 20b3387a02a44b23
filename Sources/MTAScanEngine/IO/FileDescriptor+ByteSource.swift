import MTAScanCore

/// Files and stdin feed the core's streaming input readers directly.
extension FileDescriptor: ByteSource {}
