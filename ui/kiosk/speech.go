package kiosk

import (
	"os/exec"
	"strings"
	"sync"
)

// Speaker reads a text aloud in a language.
type Speaker interface {
	// Say stops what is being read and starts reading text with voice.
	Say(voice, text string)
	// Stop stops reading.
	Stop()
}

// Espeak is a [Speaker] that runs espeak-ng (Debian package espeak-ng)
// through the PC's speaker or headset.
type Espeak struct {
	path string
	mu   sync.Mutex
	cmd  *exec.Cmd
}

// NewEspeak returns a Speaker with espeak-ng, or nil when espeak-ng is not
// installed (the kiosk then hides its audio button).
func NewEspeak() *Espeak {
	p, err := exec.LookPath("espeak-ng")
	if err != nil {
		return nil
	}
	return &Espeak{path: p}
}

// Say stops the text being read and reads text with espeak-ng's voice.
func (e *Espeak) Say(voice, text string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stopLocked()
	cmd := e.command(voice, text)
	if err := cmd.Start(); err != nil {
		return
	}
	e.cmd = cmd
	go cmd.Wait()
}

// command returns espeak-ng reading text with voice from its standard
// input: on its command line the text showed to every user of the PC
// (ps, /proc), a ticket's code among them.
func (e *Espeak) command(voice, text string) *exec.Cmd {
	cmd := exec.Command(e.path, "-v", voice, "-s", "150", "--stdin")
	cmd.Stdin = strings.NewReader(text)
	return cmd
}

// Stop stops reading.
func (e *Espeak) Stop() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stopLocked()
}

func (e *Espeak) stopLocked() {
	if e.cmd != nil && e.cmd.Process != nil {
		e.cmd.Process.Kill()
	}
	e.cmd = nil
}
