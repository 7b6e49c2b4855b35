package shutdown

import (
	"sync"
	"testing"
)

// Ensure that a Gate's guarded functions run while it is open and never
// once it is closed, closed from another goroutine as they run (go test
// -race).
func TestGate(t *testing.T) {
	var g Gate
	n := 0
	g.Live(func() { n++ })()
	if n != 1 {
		t.Fatalf("open gate: ran %d times, want 1", n)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		g.Close()
	}()
	wg.Wait()
	g.Live(func() { n++ })()
	if n != 1 {
		t.Errorf("closed gate: ran %d times, want still 1", n)
	}
}
