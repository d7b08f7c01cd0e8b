import Foundation

/// Lets go of a file that has just been replaced, on a thread of its own.
///
/// When the last reference to a replaced file goes, the kernel frees its pages and blocks in that very
/// call: 1.7 ms for a 2.3 MB git index, 0.6 ms for a 1.2 MB day file on ext4 here. A write still has
/// work to do after that point (the tree, the commit, the reference), so the release runs beside it.
/// Nothing depends on when it finishes: the file is already unlinked and only read from.
public enum DeferredRelease {
    /// Closes `fd` (and unmaps `map`, when given) on a detached thread; synchronously if no thread starts.
    public static func close(_ fd: Int32, unmapping map: UnsafeMutableRawPointer? = nil, length: Int = 0) {
        let job = Job(fd: fd, map: map, length: length)
        let context = Unmanaged.passRetained(job).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        // A small stack: the thread makes two system calls.
        pthread_attr_setstacksize(&attributes, 64 * 1024)
        defer { pthread_attr_destroy(&attributes) }
        var thread = pthread_t()
        if pthread_create(&thread, &attributes, { raw in
            Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, context) != 0 {
            Unmanaged<Job>.fromOpaque(context).takeRetainedValue().run()
        }
    }

    private final class Job {
        let fd: Int32
        let map: UnsafeMutableRawPointer?
        let length: Int

        init(fd: Int32, map: UnsafeMutableRawPointer?, length: Int) {
            self.fd = fd
            self.map = map
            self.length = length
        }

        func run() {
            if let map { munmap(map, length) }
            if fd >= 0 { Glibc.close(fd) }
        }
    }
}
