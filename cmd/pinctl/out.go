package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/pinsede/pinsede/internal/diskerr"
)

// outFolder checks, before anything is done, that the folder of path,
// a file pinctl is to make as the flag name says (-out), exists and is a
// folder: if not, a failure that says so once, in Italian, with what to
// do.
func outFolder(name, path string) error {
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case err == nil && fi.IsDir():
		return nil
	case err == nil:
		err = syscall.ENOTDIR
	}
	why, todo := writeProblem(name, dir, err)
	return &failure{msg: fmt.Sprintf("%s: %s: non è stato scritto nulla; %s", name, why, todo)}
}

// writeProblem says in Italian why a file could not be made in the
// folder dir, err from making it (the disk full, no permission, the folder
// gone), and what to do, for a file named with the flag name.
func writeProblem(name, dir string, err error) (why, todo string) {
	elsewhere := "indica con " + name + " un file in una cartella che esiste"
	switch diskerr.Of(err) {
	case diskerr.Full:
		return "il disco è pieno", "libera spazio o indica con " + name + " un'altra cartella"
	case diskerr.Quota:
		return "la quota di disco dell'utente è esaurita", "libera spazio o indica con " + name + " un'altra cartella"
	case diskerr.TooLarge:
		return "il file supera la dimensione massima che il sistema consente", "indica con " + name + " una cartella su un altro disco"
	case diskerr.ReadOnly:
		return "la cartella " + dir + " è su un disco di sola lettura", "indica con " + name + " una cartella in cui si può scrivere"
	case diskerr.Denied:
		return "nella cartella " + dir + " non si può scrivere (permesso negato)",
			"indica con " + name + " una cartella in cui l'utente che esegue pinctl può scrivere"
	}
	switch {
	case errors.Is(err, fs.ErrExist):
		return "nel frattempo un altro programma ha creato un file con quel nome", "indica con " + name + " un altro nome"
	case errors.Is(err, fs.ErrNotExist):
		return "la cartella " + dir + " non esiste", "creala (mkdir -p " + dir + ") o " + elsewhere
	case errors.Is(err, syscall.ENOTDIR):
		return dir + " non è una cartella", elsewhere
	}
	return err.Error(), "controlla il percorso di " + name + " e riprova"
}
