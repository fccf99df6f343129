# shellcheck shell=bash
# What the unit tests (tests/unit/*.bats) share: `load common` at the top.
# run's -N, ! and --separate-stderr need bats 1.5.0; bats-support and
# bats-assert are found in BATS_LIB_PATH (bats' default, /usr/lib/bats, is
# where Debian's bats-support and bats-assert put them).
bats_require_minimum_version 1.5.0

bats_load_library bats-support
bats_load_library bats-assert
load fake-sysfs

# The GPU and its HDMI audio function, where fake_workstation puts them and
# where most tests put them.
GPU=0000:0b:00.0
AUDIO=0000:0b:00.1

# A workstation with a GPU and its HDMI audio, a NIC, an NVMe drive and a
# PCI bridge; vfio-pci loaded, the IOMMU on.
fake_workstation() {
	fake_root "$1"
	fake_vfio_loaded
	fake_function 0000:00:1c.0 8086:a110 class=0x060400 header=1 driver=pcieport
	fake_function 0000:02:00.0 144d:a808 class=0x010802 driver=nvme subsys=144d:a801
	fake_function 0000:03:00.0 8086:1533 class=0x020000 driver=igb subsys=8086:0001
	fake_function "$GPU" 10de:1c30 class=0x030000 driver=nouveau subsys=1028:11b3
	fake_function "$AUDIO" 10de:10f1 class=0x040300 driver=snd_hda_intel subsys=1028:11b3
}

# plan [-N|!] [ARG...]: run the dry run, vfio-bind --root $ROOT --dry-run
# ARG..., with its stdout and stderr apart; -N or ! as run takes them: the
# status expected.
plan() {
	local -a expect=()
	if [[ $# -gt 0 && ($1 == -[0-9]* || $1 == '!') ]]; then
		expect=("$1")
		shift
	fi
	run "${expect[@]}" --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run "$@"
}

# The addresses of the dry-run plan, one per line.
planned() {
	"$VFIO_BIND" --root "$ROOT" --dry-run 2>/dev/null | cut -d' ' -f1
}

# Debian 12's bats-assert predates assert_stderr; these check $stderr from
# `run --separate-stderr` and show it when they fail.
stderr_has() {
	[[ "$stderr" == *"$1"* ]] && return 0
	printf 'stderr does not contain: %s\n-- stderr --\n%s\n--\n' "$1" "$stderr" >&2
	return 1
}

stderr_lacks() {
	[[ "$stderr" != *"$1"* ]] && return 0
	printf 'stderr contains: %s\n-- stderr --\n%s\n--\n' "$1" "$stderr" >&2
	return 1
}

stderr_is() {
	[[ "$stderr" == "$1" ]] && return 0
	printf 'stderr is not: %s\n-- stderr --\n%s\n--\n' "$1" "$stderr" >&2
	return 1
}
