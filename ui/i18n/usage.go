package main

import (
	"flag"
	"fmt"
	"io"

	"fyne.io/fyne/v2/lang"
)

// usage writes sportello -h to w in the clerk's language: the synopsis,
// then each option of fs with its text (the translations' key
// usage.sportello.NAME, the argument's name between backquotes) and its
// default.
func usage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintln(w, lang.L("usage.sportello"))
	fs.VisitAll(func(f *flag.Flag) {
		arg, text := flag.UnquoteUsage(&flag.Flag{Name: f.Name, Usage: lang.L("usage.sportello." + f.Name), Value: f.Value})
		line := "  -" + f.Name
		if arg != "" {
			line += " " + arg
		}
		fmt.Fprintf(w, "%s\n    \t%s", line, text)
		switch f.DefValue {
		case "", "0", "0s", "false":
		default:
			fmt.Fprint(w, " "+lang.L("usage.default", map[string]any{"Value": f.DefValue}))
		}
		fmt.Fprintln(w)
	})
}
