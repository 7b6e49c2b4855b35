package boltstore

// AuditEntriesRead returns how many audit entries the searches of s read
// since it opened: what a search costs, counted.
func (s *Store) AuditEntriesRead() int64 { return s.auditRead.Load() }
