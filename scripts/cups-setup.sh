#!/usr/bin/env bash
# cups-setup.sh makes this machine print PIN slips and kiosk tickets through
# CUPS for real, into PDF files: the test printer of `make test`
# (ui/cups/cupstest, used by TestCUPS* in ui/cups and ui/slip and by
# TestTicketPrintsForReal in ui/kiosk).
#
# It installs CUPS and Debian's printer-driver-cups-pdf when missing, makes
# cupsd keep no documents (see "Printing" in README.md), starts cupsd when it
# is not running (directly: CI containers have no systemd), and creates the
# queue pinsede-pdf, whose PDF files go to $PINSEDE_CUPS_PDF_OUT/<user>/.
# Every step is skipped when already done, so a second run takes a fraction
# of a second. Run it as root.
#
# Environment:
#   PINSEDE_CUPS_QUEUE    the queue to create (default pinsede-pdf)
#   PINSEDE_CUPS_PDF_OUT  where cups-pdf writes (default /var/spool/cups-pdf/pinsede)
set -euo pipefail

queue=${PINSEDE_CUPS_QUEUE:-pinsede-pdf}
out=${PINSEDE_CUPS_PDF_OUT:-/var/spool/cups-pdf/pinsede}
conf=/etc/cups/cupsd.conf
pdfconf=/etc/cups/cups-pdf.conf

say() { printf 'cups-setup: %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
	say "run as root (it installs packages, edits /etc/cups and starts cupsd)"
	exit 1
fi

# --- Packages -----------------------------------------------------------------
missing=()
for p in cups cups-client printer-driver-cups-pdf; do
	[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	say "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null ||
		{ apt-get update >/dev/null && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
fi

# --- cupsd.conf: keep no document, and job history for 10 minutes -----------
# CUPS keeps each document (the d* files in /var/spool/cups) for a day after
# printing by default (PreserveJobFiles 86400): a slip's PDF holds a PIN.
# The job history (the c* files: job number, title, user, printer, state; no
# document) is kept 10 minutes, time enough for the desk to follow the job.
changed=0
setting() { # setting NAME VALUE: set a top-level directive of cupsd.conf
	if ! grep -qx "$1 $2" "$conf"; then
		sed -i "/^$1 /d" "$conf"
		echo "$1 $2" >>"$conf"
		changed=1
	fi
}
setting PreserveJobFiles No
setting PreserveJobHistory 600

# --- cups-pdf: one folder per user under $out, files named by job title ------
pdfsetting() { # pdfsetting NAME VALUE: set a key of cups-pdf.conf
	if ! grep -qx "$1 $2" "$pdfconf"; then
		sed -i "/^$1 /d" "$pdfconf"
		echo "$1 $2" >>"$pdfconf"
	fi
}
pdfsetting Out "$out/\${USER}"
pdfsetting TitlePref 1
mkdir -p "$out"
chmod 0755 "$out"

# --- cupsd --------------------------------------------------------------------
running() { lpstat -r 2>/dev/null | grep -q 'scheduler is running'; }
if running && [ $changed -eq 1 ]; then
	say "restarting cupsd for the new settings"
	if command -v systemctl >/dev/null && systemctl is-active --quiet cups 2>/dev/null; then
		systemctl restart cups
	else
		kill "$(cat /run/cups/cupsd.pid 2>/dev/null || pgrep -xo cupsd)" 2>/dev/null || true
		for _ in $(seq 50); do running || break; sleep 0.1; done
	fi
fi
if ! running; then
	if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
		systemctl start cups
	else
		mkdir -p /run/cups
		cupsd # forks into the background
	fi
	for _ in $(seq 100); do running && break; sleep 0.1; done
	running || { say "cupsd did not start: see /var/log/cups/error_log"; exit 1; }
fi

# --- The PDF queue ----------------------------------------------------------
# pdftops-renderer=pdftops: cups-pdf takes PostScript, and the default
# converter (Ghostscript) loses the text of the embedded fonts, so the test
# could not read the printed page back; poppler's pdftops keeps it.
if ! lpoptions -p "$queue" 2>/dev/null | grep -q 'pdftops-renderer=pdftops'; then
	ppd=/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd
	[ -f "$ppd" ] || ppd=$(find /usr/share/ppd/cups-pdf -name 'CUPS-PDF*.ppd' 2>/dev/null | sort | head -1)
	[ -n "$ppd" ] || { say "no cups-pdf PPD under /usr/share/ppd/cups-pdf"; exit 1; }
	say "creating queue $queue ($ppd)"
	# abort-job: a job that fails is dropped, never retried later.
	# (lpadmin warns that PPD drivers are deprecated: CUPS 2.4 still uses them.)
	lpadmin -p "$queue" -E -v cups-pdf:/ -P "$ppd" -o printer-error-policy=abort-job \
		-o pdftops-renderer-default=pdftops 2>&1 | grep -v 'drivers are deprecated' >&2 || true
fi
