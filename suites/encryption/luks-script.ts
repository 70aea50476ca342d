/**
 * The LUKS2 round trip as one POSIX shell script, run on a host (through the transport) or inside a guest (through
 * the guest agent). It is written to a private temp dir (mode 0700) next to its key files (mode 0600), so neither the
 * passphrase nor the wrong one is ever on a command line. It prints one machine-readable line per step
 * (parsed by src/probe/luks.ts):
 *
 *   HWQUAL-LUKS step=<name> result=<ok|fail|skip> rc=<exit code> [key=value …] msg=<text to the end of the line>
 *   HWQUAL-LUKS-DUMP <a line of `cryptsetup luksDump`>
 *
 * Usage: sh luks.sh DIR MODE [DEVICE]. DIR holds `key` and `wrong-key`; the volume is DEVICE (a block device: a
 * guest's second virtio disk, as a customer's volume looks) or else a 32 MiB file in DIR; MODE is
 *   format     luksFormat (pbkdf2, 1000 iterations: fast) + luksDump on a file, right and wrong passphrase tested
 *              without device-mapper (`open --test-passphrase`), remove — works on hosts without device-mapper;
 *   roundtrip  format, open, write a pattern, close, the image holds no clear pattern, open again, verify, a wrong
 *              passphrase cannot open it, close, remove (a device: its LUKS header wiped). Without device-mapper or
 *              loop devices the steps from `open` on are `skip` with cryptsetup's own words.
 * The script always exits 0 when it ran to the end; the steps say what happened. It cleans up after itself (trap).
 */
export const LUKS_SCRIPT_NAME = 'luks.sh';
export const PATTERN_PREFIX = 'HWQUAL-LUKS-PATTERN';

export const LUKS_SCRIPT = String.raw`#!/bin/sh
set -u
dir=$1; mode=roundtrip; [ $# -ge 2 ] && mode=$2
img="$dir/luks.img"; isdev=0; [ $# -ge 3 ] && { img=$3; isdev=1; }
key="$dir/key"; wrong="$dir/wrong-key"; err="$dir/stderr"
name="hwqual-$(basename "$dir" | tr -cd 'A-Za-z0-9' | cut -c1-24)"
step() { printf 'HWQUAL-LUKS step=%s result=%s rc=%s %s\n' "$1" "$2" "$3" "$4"; }
errtext() { awk 'NF && !seen[$0]++' "$err" | tr '\n' ' ' | sed 's/  */ /g; s/ *$//' | cut -c1-400; }
cleanup() {
  for m in "$name" "$name-w"; do [ -e "/dev/mapper/$m" ] && cryptsetup close "$m" 2>/dev/null; done
  [ $isdev = 1 ] || rm -f "$img"
  rm -f "$dir/pattern" "$err"
}
trap cleanup EXIT
# A file volume is deleted; a device keeps its data but loses its LUKS header (the first 16 MiB, LUKS2's default).
remove() {
  if [ $isdev = 1 ]; then
    dd if=/dev/zero of="$img" bs=1M count=16 conv=fsync 2>/dev/null
    if cryptsetup isLuks "$img" 2>/dev/null; then step remove fail 1 "msg=LUKS header still on $img"
    else step remove ok 0 "msg=LUKS header wiped from $img"; fi
    return
  fi
  rm -f "$img"
  if [ -e "$img" ]; then step remove fail 1 'msg=image still there'; else step remove ok 0 'msg='; fi
}

if ! command -v cryptsetup >/dev/null 2>&1; then step tool fail 127 'msg=cryptsetup: command not found'; exit 0; fi
step tool ok 0 "version=$(cryptsetup --version | awk '{print $2}') msg="

if [ $isdev = 1 ]; then
  if [ ! -b "$img" ]; then step format fail 1 "msg=$img is not a block device"; exit 0; fi
elif ! truncate -s 32M "$img" 2>"$err"; then step format fail 1 "msg=cannot create $img: $(errtext)"; exit 0; fi
cryptsetup luksFormat -q --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 \
  --key-file "$key" "$img" 2>"$err"; rc=$?
if [ $rc -ne 0 ]; then step format fail $rc "msg=$(errtext)"; exit 0; fi
step format ok 0 "volume=$img msg="
cryptsetup luksDump "$img" > "$dir/dump" 2>"$err"; rc=$?
sed 's/^/HWQUAL-LUKS-DUMP /' "$dir/dump"; rm -f "$dir/dump"
if [ $rc -eq 0 ]; then step dump ok 0 'msg='; else step dump fail $rc "msg=$(errtext)"; fi

if [ "$mode" = format ]; then
  cryptsetup open --test-passphrase --key-file "$key" "$img" 2>"$err"; rc=$?
  if [ $rc -eq 0 ]; then step right-passphrase ok 0 'msg='; else step right-passphrase fail $rc "msg=$(errtext)"; fi
  cryptsetup open --test-passphrase --key-file "$wrong" "$img" 2>"$err"; rc=$?
  if [ $rc -ne 0 ]; then step wrong-passphrase ok $rc "msg=refused: $(errtext)"
  else step wrong-passphrase fail 0 'msg=the wrong passphrase was accepted'; fi
  remove
  exit 0
fi

skipall() {
  for s in "$@"; do step "$s" skip "$rc" "msg=$why"; done
}
ctl=present
if [ ! -e /dev/mapper/control ]; then ctl=missing; modprobe -q dm_crypt 2>/dev/null; fi
cryptsetup open --type luks2 --key-file "$key" "$img" "$name" 2>"$err"; rc=$?
if [ $rc -ne 0 ]; then
  why=$(errtext)
  if grep -q 'Cannot initialize device-mapper' "$err"; then
    [ $ctl = present ] || why="$why (/dev/mapper/control was missing)"
    step open skip $rc "msg=no device-mapper: $why"; why="no device-mapper: $why"
  elif grep -qi 'loop' "$err"; then
    step open skip $rc "msg=no loop device: $why"; why="no loop device: $why"
  else
    step open fail $rc "msg=$why"; why="open failed: $why"
  fi
  skipall write close ciphertext reopen verify wrong-open close-again
  remove
  exit 0
fi
step open ok 0 "device=/dev/mapper/$name msg="

yes "${PATTERN_PREFIX}-$(basename "$dir")" | head -c 1048576 > "$dir/pattern"
want=$(sha256sum < "$dir/pattern" | cut -c1-64)
dd if="$dir/pattern" of="/dev/mapper/$name" bs=1M count=1 conv=fsync 2>"$err"; rc=$?
if [ $rc -eq 0 ]; then step write ok 0 "sha256=$want msg="; else step write fail $rc "msg=$(errtext)"; fi
cryptsetup close "$name" 2>"$err"; rc=$?
if [ $rc -eq 0 ]; then step close ok 0 'msg='; else step close fail $rc "msg=$(errtext)"; fi
n=$(grep -c "${PATTERN_PREFIX}" "$img"); rc=$?
if [ "$n" = 0 ]; then step ciphertext ok $rc 'msg=no clear pattern in the image'
else step ciphertext fail $rc "msg=$n lines of the clear pattern in the image"; fi
cryptsetup open --type luks2 --key-file "$key" "$img" "$name" 2>"$err"; rc=$?
if [ $rc -eq 0 ]; then step reopen ok 0 'msg='; else step reopen fail $rc "msg=$(errtext)"; fi
got=$(dd if="/dev/mapper/$name" bs=1M count=1 2>/dev/null | sha256sum | cut -c1-64)
if [ "$got" = "$want" ]; then step verify ok 0 "sha256=$got msg="
else step verify fail 1 "sha256=$got msg=read back differs from the pattern written"; fi
cryptsetup open --type luks2 --key-file "$wrong" "$img" "$name-w" 2>"$err"; rc=$?
if [ $rc -ne 0 ] && [ ! -e "/dev/mapper/$name-w" ]; then step wrong-open ok $rc "msg=refused: $(errtext)"
else step wrong-open fail $rc 'msg=the wrong passphrase opened the device'; fi
cryptsetup close "$name" 2>"$err"; rc=$?
if [ $rc -eq 0 ]; then step close-again ok 0 'msg='; else step close-again fail $rc "msg=$(errtext)"; fi
remove
exit 0
`;
