#!/bin/bash
# Set up a Raspberry Pi (Raspberry Pi OS Lite, Bookworm) as a Pano screen.
#
#   sudo deploy/kiosk/setup-pi.sh --controller https://pano.example.vn \
#        --screen phu-bai-arrivals --token - \
#        --package ./pano_signage-0.1.0-py3-none-any.whl
#
# Run it from a copy of the repository's deploy/ folder (it installs the unit files next
# to it). Safe to run again: it changes only what differs, so the same command also
# upgrades the player (give the new wheel) or moves the screen to a new credential.
#
# Options:
#   --controller URL   the controller's base URL (required)
#   --screen ID        this screen's id, as in sites.yaml (required)
#   --token T|-        its credential from `pano-controller screens token ID`; "-" reads
#                      it from standard input (keeps it out of the shell history).
#                      May be omitted on a re-run: the token already in the file is kept.
#   --package P        a pano-signage wheel or source folder (required the first time)
#   --wheelhouse DIR   install with no index, from wheels in DIR (sites without internet)
#   --http-port N      the player's local port for the kiosk page and /status (8090)
#   --no-kiosk         headless: no Chromium, no display (a test bench or a spare)
set -euo pipefail

PREFIX=/opt/pano
VENV=$PREFIX/venv
CONF_DIR=/etc/pano
PLAYER_CONF=$CONF_DIR/player.yaml
TOKEN_FILE=$CONF_DIR/player.token  # the credential alone, mode 0600 (never in ps)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DEPLOY=$(cd "$HERE/.." && pwd)

controller="" screen="" token="" package="" wheelhouse="" http_port=8090 kiosk=1

die() { echo "setup-pi: $*" >&2; exit 1; }
say() { echo "==> $*"; }

while [ $# -gt 0 ]; do
    case "$1" in
        --controller) controller=${2:-}; shift 2 ;;
        --screen) screen=${2:-}; shift 2 ;;
        --token) token=${2:-}; shift 2 ;;
        --package) package=${2:-}; shift 2 ;;
        --wheelhouse) wheelhouse=${2:-}; shift 2 ;;
        --http-port) http_port=${2:-}; shift 2 ;;
        --no-kiosk) kiosk=0; shift ;;
        -h|--help) sed -n '2,/^set -e/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done

[ "$(id -u)" -eq 0 ] || die "run as root (sudo $0 …)"
[[ $controller =~ ^https?://[^/[:space:]\"\\]+[^[:space:]\"\\]*$ ]] \
    || die "--controller must be an http(s) URL such as https://pano.example.vn"
[[ $screen =~ ^[a-z0-9][a-z0-9-]{1,62}$ ]] || die "--screen must be a screen id like phu-bai-arrivals"
[[ $http_port =~ ^[0-9]+$ ]] && [ "$http_port" -ge 1 ] && [ "$http_port" -le 65535 ] \
    || die "--http-port must be a port number"
if [ "$token" = "-" ]; then
    IFS= read -r token || true
fi
if [ -z "$token" ] && [ -f "$TOKEN_FILE" ]; then
    token=$(head -n1 "$TOKEN_FILE" | tr -d '[:space:]')
    [ -n "$token" ] && say "keeping the token already in $TOKEN_FILE"
fi
if [ -z "$token" ] && [ -f "$PLAYER_CONF" ]; then  # set up by an older setup-pi.sh
    token=$(sed -n 's/^token: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$PLAYER_CONF" | head -n1)
    [ -n "$token" ] && say "moving the token in $PLAYER_CONF to $TOKEN_FILE"
fi
[ -n "$token" ] || die "--token is required the first time (pano-controller screens token $screen)"
[[ $token =~ ^[A-Za-z0-9_.~-]+$ ]] || die "the token has unexpected characters; paste it again"
if [ -z "$package" ] && [ ! -x "$VENV/bin/pano-player" ]; then
    die "--package is required the first time (a pano-signage wheel or source folder)"
fi
if [ -n "$package" ] && [ ! -e "$package" ]; then
    die "--package $package does not exist"
fi

say "system packages"
# polkitd: lets the pano user reboot the device through logind (the "reboot" command).
packages=(python3-venv curl ca-certificates polkitd)
if [ "$kiosk" -eq 1 ]; then
    # fonts-noto-core has Noto Sans Lao (A Đớt screens show Lao); cage is the compositor.
    packages+=(chromium cage fonts-noto-core fonts-dejavu-core)
fi
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

say "users"
if ! id pano >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/pano-player --no-create-home \
        --shell /usr/sbin/nologin --user-group pano
fi
if [ "$kiosk" -eq 1 ]; then
    if ! id pano-kiosk >/dev/null 2>&1; then
        useradd --system --home-dir /var/lib/pano-kiosk --no-create-home \
            --shell /usr/sbin/nologin --user-group pano-kiosk
    fi
    for g in video render input; do
        getent group "$g" >/dev/null && usermod -a -G "$g" pano-kiosk
    done
fi

say "player software in $VENV"
install -d -m 0755 "$PREFIX"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
if [ -n "$package" ]; then
    spec="$(realpath "$package")[player]"
    if [ -n "$wheelhouse" ]; then
        "$VENV/bin/pip" install --no-index --find-links "$(realpath "$wheelhouse")" "$spec"
    else
        "$VENV/bin/pip" install --upgrade "$spec"
    fi
fi
"$VENV/bin/pano-player" --help >/dev/null || die "pano-player does not run from $VENV"
if [ -d "$DEPLOY/../docs" ]; then
    install -d -m 0755 "$PREFIX/docs"
    install -m 0644 "$DEPLOY"/../docs/*.md "$PREFIX/docs/"
fi

say "configuration in $CONF_DIR"
install -d -m 0755 "$CONF_DIR"
tmp=$(mktemp "$CONF_DIR/.player.yaml.XXXXXX")
trap 'rm -f "$tmp" "${tok:-}"' EXIT
chmod 0600 "$tmp"
cat >"$tmp" <<EOF
# Written by setup-pi.sh; run it again rather than editing by hand.
controller: "$controller"
screen: "$screen"
token_file: $TOKEN_FILE
cache_dir: /var/lib/pano-player
display: $([ "$kiosk" -eq 1 ] && echo kiosk || echo headless)
http_port: $http_port
EOF
if [ "$kiosk" -eq 1 ]; then
    # The "screenshot" command: Chromium's DevTools, opened on 127.0.0.1:9222 by
    # pano-kiosk.service (docs/operations.md, 2.2).
    echo "devtools_url: http://127.0.0.1:9222" >>"$tmp"
fi
chown pano:pano "$tmp"
changed_conf=0
if ! cmp -s "$tmp" "$PLAYER_CONF" 2>/dev/null; then
    mv -f "$tmp" "$PLAYER_CONF"
    changed_conf=1
fi
chown pano:pano "$PLAYER_CONF"
chmod 0600 "$PLAYER_CONF"
tok=$(mktemp "$CONF_DIR/.player.token.XXXXXX")
chmod 0600 "$tok"
printf '%s\n' "$token" >"$tok"
chown pano:pano "$tok"
if ! cmp -s "$tok" "$TOKEN_FILE" 2>/dev/null; then
    mv -f "$tok" "$TOKEN_FILE"
    changed_conf=1
else
    rm -f "$tok"
fi
chown pano:pano "$TOKEN_FILE"
chmod 0600 "$TOKEN_FILE"
printf 'PANO_KIOSK_URL=http://127.0.0.1:%s/\n' "$http_port" >"$CONF_DIR/kiosk.env"
chmod 0644 "$CONF_DIR/kiosk.env"

say "systemd units"
install -m 0644 "$DEPLOY/pano-player.service" /etc/systemd/system/pano-player.service
if [ "$kiosk" -eq 1 ]; then
    install -m 0644 "$DEPLOY/pano-kiosk.service" /etc/systemd/system/pano-kiosk.service
    # A minimal PAM stack: the kiosk gets a logind session (and so the seat) on tty1.
    cat >/etc/pam.d/pano-kiosk <<'EOF'
auth     required pam_unix.so nodelay
account  required pam_unix.so
session  required pam_unix.so
session  required pam_systemd.so
EOF
fi
systemctl daemon-reload
systemctl enable pano-player.service
if [ "$kiosk" -eq 1 ]; then
    systemctl disable getty@tty1.service 2>/dev/null || true
    systemctl enable pano-kiosk.service
else
    systemctl disable --now pano-kiosk.service 2>/dev/null || true
fi

say "remote reboot"
# The "reboot" command runs `/usr/bin/systemctl reboot` as pano (the player's default
# reboot_command); logind asks polkit, and this rule lets pano (and only pano) reboot,
# also while the kiosk user has a session. Not sudo: the unit sets NoNewPrivileges=yes,
# which stops sudo (docs/operations.md 2.2).
[ -d /etc/polkit-1/rules.d ] || install -d -m 0755 /etc/polkit-1/rules.d  # polkitd makes it (0700)
cat >/etc/polkit-1/rules.d/50-pano-reboot.rules <<'EOF'
// Written by Pano's setup-pi.sh: the player (user pano) may reboot this device.
polkit.addRule(function (action, subject) {
    if (subject.user === "pano" &&
        (action.id === "org.freedesktop.login1.reboot" ||
         action.id === "org.freedesktop.login1.reboot-multiple-sessions" ||
         action.id === "org.freedesktop.login1.reboot-ignore-inhibit")) {
        return polkit.Result.YES;
    }
});
EOF
chmod 0644 /etc/polkit-1/rules.d/50-pano-reboot.rules

say "no screen blanking"
# The console blanks after 10 minutes unless told not to; cage itself never blanks
# (nothing here runs an idle daemon). Bookworm keeps cmdline.txt in /boot/firmware.
cmdline=/boot/firmware/cmdline.txt
[ -f "$cmdline" ] || cmdline=/boot/cmdline.txt
if [ -f "$cmdline" ] && ! grep -qw "consoleblank=0" "$cmdline"; then
    sed -i '1 s/$/ consoleblank=0/' "$cmdline"
    say "added consoleblank=0 to $cmdline (takes effect at the next boot)"
fi
if [ -w /sys/module/kernel/parameters/consoleblank ]; then
    echo 0 >/sys/module/kernel/parameters/consoleblank 2>/dev/null || true
fi

say "starting"
if [ "$changed_conf" -eq 1 ] || [ -n "$package" ]; then
    systemctl restart pano-player.service
else
    systemctl start pano-player.service
fi
if [ "$kiosk" -eq 1 ]; then
    systemctl restart pano-kiosk.service
fi
sleep 3
if curl -fsS --max-time 5 "http://127.0.0.1:$http_port/status"; then
    echo
    say "done: the player answers on http://127.0.0.1:$http_port/status"
else
    echo "setup-pi: the player does not answer yet; see: journalctl -u pano-player -e" >&2
    exit 1
fi
