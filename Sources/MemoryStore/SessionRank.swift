import MemoryModel

/// How sessions of one project compare for "the current session": an active session beats any ended one;
/// active sessions rank by their last activity, ended ones by when they ended (a late edit to an ended
/// session changes its activity, not its end, so it never climbs back).
enum SessionRank {
    static func key(_ s: Session) -> Timestamp { s.endedAt ?? s.lastActivity }

    static func qualifies(_ s: Session, cutoff: Timestamp) -> Bool { key(s) >= cutoff }

    static func better(_ a: Session, _ b: Session?) -> Session {
        guard let b else { return a }
        if a.isActive != b.isActive { return a.isActive ? a : b }
        let (ka, kb) = (key(a), key(b))
        if ka != kb { return ka > kb ? a : b }
        return a.id >= b.id ? a : b
    }
}
