# windows.mk: the Windows build of the desk app and its installer (included
# by the Makefile); scripts/windows.sh says what the build makes, and
# scripts/windows-check.sh what the check reads.
#
# Fyne needs cgo (GLFW, OpenGL), so the cross-build uses Debian's mingw-w64
# C compiler (package gcc-mingw-w64-x86-64); the installer is made by wixl
# (package wixl, from msitools) and finished by msibuild (package msitools);
# make windows-check reads the result back with wrestool and icotool
# (icoutils), msiinfo and msiextract (msitools) and python3. These targets
# install those packages when missing: no test needs them, so make test
# neither installs them nor runs these targets (the cross-build takes
# minutes). README.md, "Windows desk PCs", says how a Windows desk PC
# prints.

WINDOWS_CC ?= x86_64-w64-mingw32-gcc
GO_WINRES_VERSION ?= v0.3.3

# windows_packages installs the Debian packages of the listed commands
# ("command:package ...") that are missing.
windows_packages = missing=; for c in $(1); do command -v $${c%%:*} >/dev/null || missing="$$missing $${c\#*:}"; done; \
	[ -z "$$missing" ] || PINSEDE_APT_PACKAGES=<(printf '%s\n' $$missing) bash scripts/setup.sh

.PHONY: windows
windows: setup $(TOOLS)/go-winres ## Cross-compile sportello for windows/amd64 into bin/windows/, with its MSI in dist/.
	@$(call windows_packages,$(WINDOWS_CC):gcc-mingw-w64-x86-64 wixl:wixl msibuild:msitools)
	GO_WINRES=$(TOOLS)/go-winres CC=$(WINDOWS_CC) BIN=$(BIN) DIST=$(DIST) TAGS='$(TAGS)' \
		VERSION='$(VERSION)' COMMIT='$(COMMIT)' BUILT='$(BUILT)' bash scripts/windows.sh

.PHONY: windows-check
windows-check: windows ## Build for Windows, then check the .exe's icon, manifest and version, and the MSI's tables.
	@$(call windows_packages,wrestool:icoutils msiinfo:msitools python3:python3)
	BIN=$(BIN) DIST=$(DIST) VERSION='$(VERSION)' bash scripts/windows-check.sh

tools: $(TOOLS)/go-winres

$(TOOLS)/go-winres:
	GOBIN=$(TOOLS) $(GO) install github.com/tc-hib/go-winres@$(GO_WINRES_VERSION)
