/// `.git/cmem/index/swept`: `cmem-swept 1 SIZE MTIME_NS INODE AT_MS`, the delta file's signature and the time of a
/// sweep that found nothing to change. It applies only while the delta file is that same file.
struct SweepRecord: Equatable {
    var delta: FileIO.Signature
    var at: Int64

    static func read(_ path: String) -> SweepRecord? {
        guard let bytes = try? FileIO.read(path, limit: 256) else { return nil }
        let fields = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count == 6, fields[0] == "cmem-swept", fields[1] == "1",
              let size = Int64(fields[2]), let mtime = Int64(fields[3]), let inode = UInt64(fields[4]), let at = Int64(fields[5])
        else { return nil }
        return SweepRecord(delta: FileIO.Signature(size: size, mtimeNanoseconds: mtime, inode: inode), at: at)
    }

    /// Atomic; losing it only means the next answer sweeps again.
    func write(to path: String) {
        try? FileIO.write(path, "cmem-swept 1 \(delta.size) \(delta.mtimeNanoseconds) \(delta.inode) \(at)\n")
    }
}
