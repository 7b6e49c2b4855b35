// Command fonts writes the typeface that the desk and the kiosk embed:
// Titillium Web (SIL Open Font License 1.1), the typeface of the Italian
// public administration's design kit (Designers Italia, Bootstrap Italia),
// into assets/fonts.
//
// It runs at generation time only (go generate ./assets), and needs npm: it
// fetches the npm package @expo-google-fonts/titillium-web at a pinned
// version with npm pack (Fyne reads TrueType and OpenType, and this is the
// npm package that ships TrueType files; @fontsource ships only WOFF2),
// checks the tarball against the integrity pinned here, and copies out the
// regular, italic, semibold and semibold italic TrueType files and the
// font's licence, each checked against its pinned SHA-256. A new version is
// a deliberate change of this file: its pins and the NOTICE. The built
// programs need neither npm nor a network.
//
// The files are copied as shipped, not cut down: they hold Latin only
// (55 to 64 KB each), and an unmodified copy keeps its name
// under the licence. Characters they lack (Greek, Cyrillic...) are drawn
// from Fyne's own font, glyph by glyph.
//
// Usage:
//
//	go run ./gen/fonts [-o fonts]
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The package and its pins.
const (
	pkg     = "@expo-google-fonts/titillium-web"
	version = "0.4.1"
	// integrity is the tarball's npm integrity (npm view <pkg>@<version>
	// dist.integrity).
	integrity = "sha512-IpDZqvgfsC7L9U17GMIs6vhTedhrDXmNpFVxx4DtXTVZFjLsGZyjQtaIk/BB+jHP4VCyqFXeTpqe/K0Sabt6KA=="
)

// files maps the files taken from the tarball to their names in the output
// folder and their SHA-256.
var files = []struct{ from, to, sha256 string }{
	{"package/400Regular/TitilliumWeb_400Regular.ttf", "TitilliumWeb-Regular.ttf", "486e78be7ca7596376418b5120443ee1a359e95488da17f7a88282d82f34d51c"},
	{"package/400Regular_Italic/TitilliumWeb_400Regular_Italic.ttf", "TitilliumWeb-Italic.ttf", "d2bb5f00f1b7ff1265c88872e37e3859b5a7fc5e9492c3d8a556fc2db571fcce"},
	{"package/600SemiBold/TitilliumWeb_600SemiBold.ttf", "TitilliumWeb-SemiBold.ttf", "3a285881faadbb793538867d008dc972ec70a7244099b6ed84bb5691c519be28"},
	{"package/600SemiBold_Italic/TitilliumWeb_600SemiBold_Italic.ttf", "TitilliumWeb-SemiBoldItalic.ttf", "f9a81b17cca11ea77793751ad4d2d4c863bb7b3ccf6d554f8ff39b81d44e6fde"},
	{"package/LICENSE_FONT", "OFL.txt", "c0562e066174197902a4a10606673d189f067970ef89c6013943b9cf182aadbc"},
}

func main() {
	out := flag.String("o", "fonts", "output folder")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("fonts: ")

	dir, err := os.MkdirTemp("", "fonts-gen-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	tgz, err := pack(dir)
	if err != nil {
		log.Fatal(err)
	}
	got, err := extract(tgz)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(*out, f.to), got[f.to], 0o644); err != nil {
			log.Fatal(err)
		}
	}
	log.Printf("%s@%s: %d files in %s", pkg, version, len(files), *out)
}

// pack fetches the package's tarball into dir with npm pack and returns it,
// checked against integrity.
func pack(dir string) ([]byte, error) {
	cmd := exec.Command("npm", "pack", "--silent", "--pack-destination", dir, pkg+"@"+version)
	cmd.Stderr = os.Stderr
	name, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("npm pack %s@%s: %w", pkg, version, err)
	}
	tgz, err := os.ReadFile(filepath.Join(dir, strings.TrimSpace(string(name))))
	if err != nil {
		return nil, err
	}
	sum := sha512.Sum512(tgz)
	if got := "sha512-" + base64.StdEncoding.EncodeToString(sum[:]); got != integrity {
		return nil, fmt.Errorf("%s@%s: integrity %s, want %s", pkg, version, got, integrity)
	}
	return tgz, nil
}

// extract returns the files of the tarball tgz, by their output names,
// each checked against its SHA-256.
func extract(tgz []byte) (map[string][]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, err
	}
	want := map[string]int{}
	for i, f := range files {
		want[f.from] = i
	}
	got := map[string][]byte{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", pkg, err)
		}
		i, ok := want[h.Name]
		if !ok {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", h.Name, err)
		}
		sum := sha256.Sum256(b)
		if s := hex.EncodeToString(sum[:]); s != files[i].sha256 {
			return nil, fmt.Errorf("%s: SHA-256 %s, want %s", h.Name, s, files[i].sha256)
		}
		got[files[i].to] = b
	}
	for _, f := range files {
		if got[f.to] == nil {
			return nil, fmt.Errorf("%s@%s has no %s", pkg, version, f.from)
		}
	}
	return got, nil
}
