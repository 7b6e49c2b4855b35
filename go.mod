module github.com/pinsede/pinsede

go 1.26.0

require (
	fyne.io/fyne/v2 v2.7.1 // indirect
	github.com/go-pdf/fpdf v0.9.0 // indirect
	go.etcd.io/bbolt v1.5.0 // indirect
	golang.org/x/crypto v0.58.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
)
