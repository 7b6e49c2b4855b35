package server

// Routes exposes the route table to the tests.
var Routes = routes

// SetCheckHook sets f to be called with +1 when a PIN check starts, in its
// slot, and with -1 when it ends.
func (s *Server) SetCheckHook(f func(delta int)) { s.onCheck.Store(&f) }

// SetWaitHook sets f to be called with the number of requests waiting for
// a slot each time one starts to wait.
func (s *Server) SetWaitHook(f func(waiting int)) {
	g := s.guard.Load().gate
	g.mu.Lock()
	defer g.mu.Unlock()
	g.onWait = f
}

// CFBuckets returns how many codici fiscali have a bucket.
func (s *Server) CFBuckets() int { return s.guard.Load().cfs.len() }

// SetPushWaitHook sets f to be called with the number of pushes waiting
// for a slot each time one starts to wait.
func (s *Server) SetPushWaitHook(f func(waiting int)) {
	g := s.pushes.Load().gate
	g.mu.Lock()
	defer g.mu.Unlock()
	g.onWait = f
}

// SetPushHook sets f to be called with +1 when a push takes its slot and
// with -1 when it gives it back.
func (s *Server) SetPushHook(f func(delta int)) { s.onPush.Store(&f) }

// CloseAfterAlert exposes closeAfterAlert to the tests.
var CloseAfterAlert = closeAfterAlert
