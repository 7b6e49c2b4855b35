package desk

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/ui/i18n"
	"github.com/pinsede/pinsede/ui/internal/uitest"
	"github.com/pinsede/pinsede/ui/theme"
)

// roomChildEnv marks the process of TestFieldRoomAfterCacheClean that
// runs with Fyne's render cache cleaned at its first capture.
const roomChildEnv = "PINSEDE_TEST_ROOM_CHILD"

// Ensure that a field that keeps the room of its foreseen problems
// (keepProblemRoom) keeps it, to the pixel, after Fyne's cache dropped
// the renderer of the label it measures them on, which is in no window
// (the driver's walk that keeps the renderers of a window alive does not
// reach it): a dialog parked behind the lock, or left idle, for longer
// than the cache's lifetime (FYNE_CACHE, a minute), showing a problem
// or not. The fields are
// centred in a card 560 wide, as in a dialog, above a label; each problem
// shows and goes, and neither the input nor the label below may be
// elsewhere than at the opening, nor the problem's text drawn outside
// the field, before the clean and after. In each of the desk's
// languages: the reason of a revocation with its problems
// (revokeReasonProblems, one line each at the dialog's width, whose room
// was right before the clean too), and a field whose problem of two lines
// is foreseen before one of one line (the codice fiscale's invisible
// character, then a field required). Fyne reads FYNE_CACHE when it
// starts, so the test runs again in a child process with the lifetime at
// 1 ns, whose first capture cleans the cache: one clean a process, Fyne
// waiting 10 s between two.
func TestFieldRoomAfterCacheClean(t *testing.T) {
	if os.Getenv(roomChildEnv) == "" {
		testclock.RealDayOnly(t, "a field's room after Fyne's cache")
		cmd := exec.Command(os.Args[0], "-test.run=^TestFieldRoomAfterCacheClean$", "-test.count=1", "-test.timeout=2m")
		cmd.Env = append(os.Environ(), "FYNE_CACHE=1ns", roomChildEnv+"=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("the child with FYNE_CACHE=1ns: %v\n%s", err, out)
		}
		return
	}
	test.NewTempApp(t)
	test.ApplyTheme(t, theme.New())
	win := test.NewWindow(nil)
	defer win.Close()
	win.Resize(fyne.NewSize(1280, 800))
	frames := uitest.NewFrames()
	var rooms []*roomCard
	for _, language := range i18n.Languages {
		if err := i18n.Load(language); err != nil {
			t.Fatal(err)
		}
		rooms = append(rooms,
			newRoomCard(win, frames, language+", the reason of a revocation", revokeReasonProblems()),
			newRoomCard(win, frames, language+", two lines before one", []string{
				lang.L("err.cf.invisible", map[string]any{"Pos": 16, "Char": "U+202E"}),
				lang.L("err.required"),
			}))
	}
	for _, r := range rooms {
		r.check(t, win, frames, "before the clean")
	}
	// Each card parked with a problem shown, as a dialog the lock hid
	// while it showed one: its label's renderer is dropped with the rest,
	// and must lay the text out wrapped again when the card is shown.
	for _, r := range rooms {
		win.SetContent(r.content)
		r.f.setProblem(r.foreseen[0])
		frames.Frame(win)
	}
	cleanFyneCache(t)
	for _, r := range rooms {
		r.check(t, win, frames, "after the clean")
	}
}

// roomCard is a field that keeps the room of its foreseen problems, in a
// card as wide as a dialog's, above a label, shown in turn in one window
// (the test driver's positions are those of its last window): the card
// not shown is not drawn, as a dialog parked behind the lock.
type roomCard struct {
	name     string
	content  fyne.CanvasObject
	f        *field
	below    fyne.CanvasObject
	foreseen []string
	// at is where the input and the label below are at the opening.
	at []fyne.Position
}

// newRoomCard shows in win a roomCard whose field foresees foreseen.
func newRoomCard(win fyne.Window, frames *uitest.Frames, name string, foreseen []string) *roomCard {
	input := widget.NewMultiLineEntry()
	input.SetMinRowsVisible(3)
	r := &roomCard{name: name, foreseen: foreseen, below: widget.NewLabel("Sotto"),
		f: newField("motivo", "Motivo", input).keepProblemRoom(func() []string { return foreseen })}
	r.content = card(560, container.NewVBox(r.f.object, r.below))
	win.SetContent(r.content)
	r.at = uitest.Positions(func() { frames.Frame(win) }, r.f.input, r.below)
	return r
}

// check shows r in win, then each foreseen problem and clears it, each
// time laying the window out as the real driver's next frame would
// (frames), and fails t if the input or the label below are not where
// they were at the opening, or if the problem's text is drawn outside the
// field.
func (r *roomCard) check(t *testing.T, win fyne.Window, frames *uitest.Frames, when string) {
	t.Helper()
	win.SetContent(r.content)
	settle := func() { frames.Frame(win) }
	keep := []fyne.CanvasObject{r.f.input, r.below}
	if got := uitest.Positions(settle, keep...); !slices.Equal(got, r.at) {
		t.Errorf("%s, %s: the input and the label below are at %v, not at %v as at the opening (field %v high)", r.name, when, got, r.at, r.f.object.Size().Height)
	}
	if out := outside(r.f.object, r.f.problem); out != "" {
		t.Errorf("%s, %s: the problem shown when the card was parked drawn outside its field: %s", r.name, when, out)
	}
	for _, p := range r.foreseen {
		r.f.setProblem(p)
		if got := uitest.Positions(settle, keep...); !slices.Equal(got, r.at) {
			t.Errorf("%s, %s: %q moved the input and the label below from %v to %v (field %v high)", r.name, when, p, r.at, got, r.f.object.Size().Height)
		}
		if out := outside(r.f.object, r.f.problem); out != "" {
			t.Errorf("%s, %s: %q drawn outside its field: %s", r.name, when, p, out)
		}
	}
	r.f.setProblem("")
	if got := uitest.Positions(settle, keep...); !slices.Equal(got, r.at) {
		t.Errorf("%s, %s: the problem cleared moved the input and the label below from %v to %v", r.name, when, r.at, got)
	}
}

// outside describes the texts that o draws outside box, "" for none.
func outside(box, o fyne.CanvasObject) string {
	d := fyne.CurrentApp().Driver()
	at, size := d.AbsolutePositionForObject(box), box.Size()
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *canvas.Text:
			p := d.AbsolutePositionForObject(x).Subtract(at)
			if x.Text != "" && (p.X < 0 || p.Y < 0 || p.X+x.Size().Width > size.Width || p.Y+x.Size().Height > size.Height) {
				out = append(out, fmt.Sprintf("%q at %v, %v, in %v", x.Text, p, x.Size(), size))
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		}
	}
	walk(o)
	return strings.Join(out, "; ")
}

// cleanFyneCache has Fyne's cache cleaned, as the driver does after a
// frame, in a process with FYNE_CACHE at 1 ns: every renderer not used
// since is dropped. It fails t unless a label's renderer, made just
// before, was.
func cleanFyneCache(t *testing.T) {
	t.Helper()
	l := widget.NewLabel("")
	made := test.WidgetRenderer(l)
	test.NewCanvas().Capture()
	if test.WidgetRenderer(l) == made {
		t.Fatal("Fyne's cache kept a renderer past its lifetime of 1 ns: not cleaned (FYNE_CACHE not read, or cleaned less than 10 s before)")
	}
}
