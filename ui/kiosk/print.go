package kiosk

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// LPPrinter returns a Config.Print that sends each ticket to the CUPS
// queue dest with lp (the receipt printer of the kiosk).
func LPPrinter(dest string) func(pdf []byte) error {
	return func(pdf []byte) error {
		cmd := exec.Command("lp", "-d", dest, "-t", "ticket", "-")
		cmd.Stdin = bytes.NewReader(pdf)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("print ticket on %s: %w: %s", dest, err, bytes.TrimSpace(stderr.Bytes()))
		}
		return nil
	}
}

// FolderPrinter returns a Config.Print that writes each ticket as a PDF
// file in dir, named after the time now gives: for development, and for
// the screenshots.
func FolderPrinter(dir string, now func() time.Time) func(pdf []byte) error {
	return func(pdf []byte) error {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("ticket folder: %w", err)
		}
		name := filepath.Join(dir, "ticket-"+now().Format("20060102-150405.000")+".pdf")
		return os.WriteFile(name, pdf, 0o600)
	}
}
