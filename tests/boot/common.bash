# shellcheck shell=bash
# shellcheck source-path=SCRIPTDIR
# What the boot tests (tests/boot/*.bats) share, on top of the harness
# (lib.sh), each file sourcing it at its top: each file boots its own
# machines in setup_file, with boot_setup_file (package.bats: its own
# packages' images), and its tests read the serial logs with run_boot.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The three images that every boot test runs with; a kernel matrix run
# (tests/run) names fewer in VB_BOOT_IMAGES, and runs only their tests.
VB_BOOT_IMAGES=${VB_BOOT_IMAGES:-dracut-systemd dracut-shell mkinitramfs}

# CHECK_ALL_BOOTS: glob patterns of a file's boots that make check leaves
# to make check-all (VB_ALL=1), set by the file after sourcing this one:
# another image's boot of a scenario that runs past the hooks the same way
# in both dracut images (the hooks themselves are boot.bats' and
# storage.bats'). The boot does not run, and its tests skip, saying so.
CHECK_ALL_BOOTS=()

# check_all_only NAME: NAME is one of CHECK_ALL_BOOTS and this is not
# make check-all
check_all_only() {
	local pattern
	[[ ${VB_ALL-} != 1 ]] || return 1
	for pattern in "${CHECK_ALL_BOOTS[@]}"; do
		# shellcheck disable=SC2053 # (a glob pattern)
		[[ $1 == $pattern ]] && return 0
	done
	return 1
}

# image_boots SUFFIX...: the boot names IMAGESUFFIX, for each image of
# VB_BOOT_IMAGES and each SUFFIX.
image_boots() {
	local image suffix
	for image in $VB_BOOT_IMAGES; do
		for suffix in "$@"; do
			echo "$image$suffix"
		done
	done
}

# single_boots NAME...: the NAMEs that start with an image of
# VB_BOOT_IMAGES
single_boots() {
	local name image
	for name in "$@"; do
		for image in $VB_BOOT_IMAGES; do
			[[ $name == "$image"* ]] && echo "$name"
		done
	done
	return 0
}

# logged LOG COMMAND...: run COMMAND with its output in LOG; when it fails,
# show the end of LOG where bats shows what setup_file says (fd 3), and fail.
logged() {
	local log=$1
	shift
	"$@" >"$log" 2>&1 && return 0
	tail -n 40 "$log" >&3
	return 1
}

# boot_setup_file SUFFIX... [-- NAME...]: a boot file's setup_file: build
# what is missing, then run the file's "boot_one NAME" for every NAME of
# image_boots SUFFIX... and of single_boots NAME..., side by side
# (vb_boot_all). The cache's lock is held by this bats process, and so by
# the file's tests, until the file is done.
boot_setup_file() {
	local -a suffixes=()
	while (($#)) && [[ $1 != -- ]]; do
		suffixes+=("$1")
		shift
	done
	(($#)) && shift
	vb_lock
	logged "$VB_CACHE/build.log" "$VB_DIR/build" || return 1
	local -a boots=()
	local name
	while read -r name; do
		check_all_only "$name" || boots+=("$name")
	done < <(image_boots "${suffixes[@]}" && single_boots "$@")
	vb_boot_all boot_one "${boots[@]}"
}

# run_boot NAME: $output/$lines are the real root's VFIOTEST lines of that
# boot; fails (with the end of the console) when it did not get there.
run_boot() {
	local log=$VB_LOGS/$1.log
	! check_all_only "$1" || skip "make check-all (VB_ALL=1) boots $1"
	if [[ ! -s $log ]]; then
		cat "$VB_LOGS/$1.qemu" >&2 2>/dev/null || :
		fail "no serial log $log: the boot $1 did not run"
	fi
	run grep -a '^VFIOTEST ' "$log"
	output=${output//$'\r'/}
	lines=("${lines[@]//$'\r'/}")
	if ! grep -aq '^VFIOTEST done' "$log"; then
		tail -n 40 "$log" | tr -d '\r' >&2
		fail "boot $1 did not reach the end of the real root's init (log: $log)"
	fi
}

# pci PHASE ADDR ID DRIVER OVERRIDE: assert one function's line.
pci() {
	assert_line "VFIOTEST pci $*"
}

# re TEXT: TEXT with the dots of PCI addresses escaped, for --regexp
re() {
	printf '%s' "${1//./\\.}"
}

# line_index REGEXP: the index in $lines of the first line that matches
line_index() {
	local i
	for i in "${!lines[@]}"; do
		if [[ ${lines[i]} =~ $1 ]]; then
			echo "$i"
			return 0
		fi
	done
	fail "no line matches: $1"
}

# list_image NAME: the file list of an image (mkinitramfs images are
# unpacked into $BATS_TEST_TMPDIR/unpacked)
list_image() {
	local img=$VB_IMAGES/$1.img
	[[ -s $img ]] || fail "no image $img"
	case $1 in
	dracut-*) lsinitrd "$img" ;;
	mkinitramfs*)
		rm -rf "$BATS_TEST_TMPDIR/unpacked"
		unmkinitramfs "$img" "$BATS_TEST_TMPDIR/unpacked" &&
			(cd "$BATS_TEST_TMPDIR/unpacked" && find . | sed 's|^\./||')
		;;
	esac
}

# image_vfio_bind_files NAME: the paths in an image that name vfio-bind
# (vb_vfio_bind_files). A control image must have none, whatever the host
# has installed (build hides it).
image_vfio_bind_files() {
	local img=$VB_IMAGES/$1.img
	[[ -s $img ]] || fail "no image $img"
	vb_vfio_bind_files "$img"
}

# refute_vfio_bind_files NAME: fail, naming them, if the image has any
refute_vfio_bind_files() {
	local found
	found=$(image_vfio_bind_files "$1") || fail "cannot list the image $1"
	[[ -z $found ]] || fail "the control image $1 has vfio-bind files (a vfio-bind installed on the host leaked in?): $found"
}

# host_drivers_on: the GPU, its audio function and the disk are on their
# host drivers in the real root.
host_drivers_on() {
	pci initial "$VB_GPU" "$VB_GPU_ID" bochs-drm -
	pci initial "$VB_AUDIO" "$VB_AUDIO_ID" snd_hda_intel -
	pci initial "$VB_DISK" "$VB_DISK_ID" virtio-pci -
}

# host_drivers_kept: the booted control left them there (host_drivers_on),
# and vfio-bind logged nothing.
host_drivers_kept() {
	host_drivers_on
	refute_line --partial "VFIOTEST kmsg"
}

# first_parts N VERSION: the first N dot-separated parts of a Debian
# version's upstream part (no epoch, no Debian revision): 106-6 -> 106 (1),
# 0.148.4 -> 0.148 (2), 6.12.117+deb13-amd64 -> 6.12 (2)
first_parts() {
	local v=${2#*:}
	v=${v%%-*}
	v=${v%%[+~]*}
	cut -d. -f"1-$1" <<<"$v"
}

# assert_readme_row LABEL KERNELS DRACUT INITRAMFS-TOOLS SYSTEMD: README.md's
# table of what the tests boot has this row, the versions cut as it gives
# them (Debian versions: dracut 106-6 is 106, initramfs-tools 0.148.4 is
# 0.148, systemd 257.13-1 is 257)
assert_readme_row() {
	local row
	row="| $1 | $2 | $(first_parts 1 "$3") | $(first_parts 2 "$4") | $(first_parts 1 "$5") |"
	grep -qFx -- "$row" "$VB_TOP/README.md" ||
		fail "README.md's table has no row $row: change it to what the tests boot now"
}
