// The Go files here build only over a copy of fyne.io/fyne/v2 v2.7.1, as
// scripts/fyne-idle.sh makes it (README.md). This file keeps them out of
// pinsede's module, where they would not compile.
module fyne.io/fyne/v2

go 1.19
