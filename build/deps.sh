#!/usr/bin/env bash
# Installs what Concierge needs on Debian 12, idempotently: only what is
# missing is installed. Usage: build/deps.sh run|test
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:-run}
# Build: Wails (GTK + WebKitGTK 4.1), PortAudio and Opus for the softphone (libopusfile:
# gopkg.in/hraban/opus links it unless built with the nolibopusfile tag).
pkgs=(build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.1-dev portaudio19-dev libopus-dev libopusfile-dev)
if [[ $what == test ]]; then
  # The test rig: real browser, X server, SIP peers, PBX, audio server, notification daemon, CalDAV server,
  # SMTP server (callback e-mails).
  pkgs+=(chromium xvfb xauth x11-utils imagemagick sip-tester baresip kamailio kamailio-presence-modules slapd radicale
         pulseaudio pulseaudio-utils libasound2-plugins dbus gnome-keyring xdotool openbox fonts-dejavu-core fonts-noto-core
         dunst python3-aiosmtpd)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "deps: installing Debian packages: ${missing[*]}"
  sudo=""
  if [[ $(id -u) != 0 ]]; then
    command -v sudo >/dev/null || { echo "deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=sudo
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Kamailio, slapd and Radicale are started by the tests themselves, never as system services.
if [[ $what == test ]] && command -v systemctl >/dev/null; then
  for svc in kamailio slapd radicale; do
    systemctl is-active --quiet "$svc" 2>/dev/null && { systemctl stop "$svc" || true; }
  done
fi

# npm packages: reinstall only when the lock file changed.
npm_ci() {
  local dir=$1
  if [[ ! -f $dir/node_modules/.package-lock.json ]] || [[ $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ]]; then
    echo "deps: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
npm_ci frontend
[[ $what == test ]] && npm_ci test/e2e

# Go modules and the Wails CLI (a tool of the module: `go tool wails`).
go mod download
exit 0
