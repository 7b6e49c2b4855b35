# windows.mk: the Windows build of the desk app (included by the Makefile).
#
# Fyne needs cgo (GLFW, OpenGL), so the cross-build uses Debian's mingw-w64
# C compiler (package gcc-mingw-w64-x86-64), installed by this target when
# missing: no test needs it, so make test does not install it.
# README.md, "Printing", says how a Windows desk PC prints.

WINDOWS_CC ?= x86_64-w64-mingw32-gcc

.PHONY: windows
windows: setup ## Cross-compile sportello for windows/amd64 into bin/windows/.
	@command -v $(WINDOWS_CC) >/dev/null || \
		PINSEDE_APT_PACKAGES=<(echo gcc-mingw-w64-x86-64) bash scripts/setup.sh
	@mkdir -p $(BIN)/windows
	CGO_ENABLED=1 CC=$(WINDOWS_CC) GOOS=windows GOARCH=amd64 \
		$(GO) build -tags '$(TAGS)' -ldflags "-H=windowsgui" -o $(BIN)/windows/sportello.exe ./cmd/sportello
