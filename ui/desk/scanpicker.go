package desk

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
)

// The bounds of a folder the scan picker lists: at most maxPickEntries
// folders and scans, out of at most maxPickRead entries read, so that a
// folder of a million files fills neither the desk's memory nor its time.
const (
	maxPickEntries = 2000
	maxPickRead    = 50000
)

// scanExtensions are the files the scan picker lists: the images and PDFs
// the identity check accepts.
var scanExtensions = []string{".pdf", ".png", ".jpg", ".jpeg"}

// errNotAFile is a scan chosen that is no regular file: a pipe or a
// device, which would block or never end.
var errNotAFile = errors.New("not a regular file")

// pickItem is a line of the scan picker: a folder or a file.
type pickItem struct {
	name string
	dir  bool
}

// scanPicker is the file picker of the document's scan, one of the desk's
// dialogs made of the desk's widgets: Esc closes it from any of its
// controls, the list of files included, where Fyne's file picker dropped
// it. Space or a click on a folder opens it (".." is the folder above),
// on a file chooses it; Enter chooses and attaches it; Apri attaches the
// file chosen.
type scanPicker struct {
	a      *App
	dir    string
	items  []pickItem
	chosen string // the path of the file chosen, "" for none
	folder *widget.Label
	note   *widget.Label
	list   *pickList
	open   *button
	dlg    *dialog.CustomDialog
	// done gets the scan attached, or why it could not be read.
	done func(*pinsede.Scan, error)
}

// pickList is the scan picker's list: widget.List, whose Esc and F1 reach
// the desk, and whose Enter chooses the line with the keyboard and
// attaches it when it is a file.
type pickList struct {
	widget.List
	deskKey func(*fyne.KeyEvent) bool
	p       *scanPicker
}

// KeyDown tells the desk that a key went down (keyRepeats).
func (l *pickList) KeyDown(k *fyne.KeyEvent) { l.p.a.keys.KeyDown(k) }

// KeyUp tells the desk that a key went up (keyRepeats).
func (l *pickList) KeyUp(k *fyne.KeyEvent) { l.p.a.keys.KeyUp(k) }

// TypedKey gives k to the desk, then to the list; Enter is Space (the
// line chosen) followed, on a file, by Apri.
func (l *pickList) TypedKey(k *fyne.KeyEvent) {
	passKey(l.deskKey, k, func(k *fyne.KeyEvent) {
		if k.Name != fyne.KeyReturn && k.Name != fyne.KeyEnter {
			l.List.TypedKey(k)
			return
		}
		l.List.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
		l.p.attach()
	})
}

// showScanPicker opens the scan picker on folder dir, or on the user's
// home when dir cannot be read; done runs once a file is attached.
func (a *App) showScanPicker(dir string, done func(*pinsede.Scan, error)) {
	p := &scanPicker{a: a, done: done, folder: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		note: widget.NewLabel("")}
	p.folder.Truncation = fyne.TextTruncateEllipsis
	p.note.Wrapping = fyne.TextWrapWord
	p.list = &pickList{deskKey: a.deskKey, p: p}
	p.list.Length = func() int { return len(p.items) }
	p.list.CreateItem = func() fyne.CanvasObject {
		return container.NewHBox(widget.NewIcon(fynetheme.FolderIcon()), widget.NewLabel(""))
	}
	p.list.UpdateItem = func(id widget.ListItemID, o fyne.CanvasObject) {
		objs := o.(*fyne.Container).Objects
		icon := fynetheme.FileIcon()
		if p.items[id].dir {
			icon = fynetheme.FolderIcon()
		}
		objs[0].(*widget.Icon).SetResource(icon)
		objs[1].(*widget.Label).SetText(p.items[id].name)
	}
	p.list.OnSelected = func(id widget.ListItemID) { a.guard("scan", func() { p.pick(id) }) }
	p.list.ExtendBaseWidget(p.list)

	cancel := a.button(lang.L("Cancel"), fynetheme.CancelIcon(), func() { p.dlg.Hide() })
	p.open = a.primaryButton(lang.L("Open"), fynetheme.FolderOpenIcon(), p.attach)
	p.open.Disable()
	body := container.NewBorder(p.folder, p.note, nil, nil, p.list)
	p.dlg = dialog.NewCustomWithoutButtons(lang.L("verify.scan.choose"), body, a.win)
	p.dlg.SetButtons([]fyne.CanvasObject{cancel, p.open})
	p.dlg.Resize(fyne.NewSize(800, 560))
	if err := p.cd(dir); err != nil {
		if home, herr := os.UserHomeDir(); herr == nil && home != dir {
			_ = p.cd(home) // the note says why, if this fails too
		}
	}
	a.showDialogFocus(p.dlg, p.list)
}

// pick opens the folder of line id, or chooses its file.
func (p *scanPicker) pick(id widget.ListItemID) {
	if id < 0 || id >= len(p.items) {
		return
	}
	it := p.items[id]
	if !it.dir {
		p.chosen = filepath.Join(p.dir, it.name)
		p.open.Enable()
		return
	}
	_ = p.cd(filepath.Join(p.dir, it.name)) // the note says why it failed
}

// cd lists folder dir, or says in the note why it cannot, keeping the
// folder shown before.
func (p *scanPicker) cd(dir string) error {
	dir = filepath.Clean(dir)
	items, more, err := readPickFolder(dir)
	if err != nil {
		p.note.SetText(lang.L("verify.scan.picker.unreadable", map[string]any{"Dir": dir, "Err": err.Error()}))
		p.list.UnselectAll()
		return err
	}
	if parent := filepath.Dir(dir); parent != dir {
		items = append([]pickItem{{name: "..", dir: true}}, items...)
	}
	p.dir, p.items, p.chosen = dir, items, ""
	p.a.scanFolder = dir
	p.folder.SetText(dir)
	switch {
	case more:
		p.note.SetText(lang.L("verify.scan.picker.more", map[string]any{"N": maxPickEntries}))
	case len(items) == 0 || len(items) == 1 && items[0].name == "..":
		p.note.SetText(lang.L("verify.scan.picker.empty"))
	default:
		p.note.SetText("")
	}
	p.open.Disable()
	p.list.UnselectAll()
	p.list.ScrollToTop()
	p.list.Refresh()
	return nil
}

// attach reads the file chosen, if any, bounded by pinsede.MaxScanBytes (the
// identity check refuses a larger one, saying so), closes the picker and
// gives the scan to done. A pipe or a device is refused in the note.
func (p *scanPicker) attach() {
	if p.chosen == "" {
		return
	}
	data, err := readScan(p.chosen)
	if errors.Is(err, errNotAFile) {
		p.note.SetText(lang.L("verify.scan.picker.notfile", map[string]any{"Name": filepath.Base(p.chosen)}))
		return
	}
	p.dlg.Hide()
	if err != nil {
		p.done(nil, err)
		return
	}
	p.done(&pinsede.Scan{Name: filepath.Base(p.chosen), Data: data}, nil)
}

// readScan reads the file at path, at most one byte past
// pinsede.MaxScanBytes, refusing what is not a regular file.
// It looks before it opens: opening a pipe waits for a writer.
func readScan(path string) ([]byte, error) {
	if fi, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("scan %s: %w", path, err)
	} else if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("scan %s: %w", path, errNotAFile)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, pinsede.MaxScanBytes+1))
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", path, err)
	}
	return data, nil
}

// readPickFolder returns the folders and scans of dir that are not
// hidden, folders first, each sorted by name, and whether it left some
// out past the bounds.
func readPickFolder(dir string) (items []pickItem, more bool, err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, false, fmt.Errorf("folder %s: %w", dir, err)
	}
	defer f.Close()
	for read := 0; ; {
		entries, err := f.ReadDir(256)
		for _, e := range entries {
			read++
			if it, ok := pickEntry(dir, e); ok {
				if len(items) == maxPickEntries {
					return sortPick(items), true, nil
				}
				items = append(items, it)
			}
		}
		switch {
		case errors.Is(err, io.EOF) || err == nil && len(entries) == 0:
			return sortPick(items), false, nil
		case err != nil:
			return nil, false, fmt.Errorf("folder %s: %w", dir, err)
		case read >= maxPickRead:
			return sortPick(items), true, nil
		}
	}
}

// pickEntry returns the line of entry e of folder dir, and false for an
// entry the picker does not list: hidden, or a file that is no scan.
func pickEntry(dir string, e os.DirEntry) (pickItem, bool) {
	name := e.Name()
	if strings.HasPrefix(name, ".") {
		return pickItem{}, false
	}
	isDir := e.IsDir()
	if e.Type()&os.ModeSymlink != 0 {
		fi, err := os.Stat(filepath.Join(dir, name))
		isDir = err == nil && fi.IsDir()
	}
	if isDir {
		return pickItem{name: name, dir: true}, true
	}
	return pickItem{name: name}, slices.Contains(scanExtensions, strings.ToLower(filepath.Ext(name)))
}

// sortPick sorts items, folders first, then by name regardless of case.
func sortPick(items []pickItem) []pickItem {
	slices.SortFunc(items, func(x, y pickItem) int {
		if x.dir != y.dir {
			if x.dir {
				return -1
			}
			return 1
		}
		return cmp.Compare(strings.ToLower(x.name), strings.ToLower(y.name))
	})
	return items
}
