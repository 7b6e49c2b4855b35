// Package shutdown bounds how long the Fyne programs take to end once
// told to: Fyne's desktop driver quits the app on SIGINT and SIGTERM
// itself (its catchTerm), and the program must not call Quit as well.
//
// # Caveats
//
// A Quit of the program's own, run after the driver had shut GLFW down,
// closed a window of a terminated GLFW: the desk panicked on its way
// out, and the kiosk, its Fyne calls then refused ("should have been
// called in fyne.Do") and waiting on a loop that had ended, never
// ended. ExitIfStuck is the bound should anything else hold the exit.
package shutdown

import (
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Grace is how long after SIGINT or SIGTERM the process may take to end
// by itself: Run returning and main's deferred calls done.
const Grace = 5 * time.Second

// ExitIfStuck ends the process with status 1, Grace after SIGINT or
// SIGTERM, should it not have ended by then.
func ExitIfStuck() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ch
		time.AfterFunc(Grace, func() { os.Exit(1) })
	}()
}
