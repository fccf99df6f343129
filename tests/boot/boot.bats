#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# Real boots of the Debian kernel under QEMU q35 (software emulation) with
# initramfs images built by dracut (systemd and shell /init) and
# mkinitramfs from the installed files of this tree. See lib.sh and build.
#
# setup_file builds what is missing and runs every boot side by side; the
# tests read the serial logs. For each image there are three boots:
#   IMAGE           vfio-bind in the image, IOMMU on, then unbind+reprobe
#   IMAGE-control   the same image without vfio-bind (dracut --omit
#                   vfio-bind; mkinitramfs without our files): the host
#                   drivers must win, so every positive check can fail
#   IMAGE-noiommu   vfio-bind in the image, no IOMMU

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

IMAGES="dracut-systemd dracut-shell mkinitramfs"

setup_file() {
	# shellcheck source=lib.sh
	. "$BATS_TEST_DIRNAME/lib.sh"
	# held by this bats process, and so by its tests, until the file is done
	vb_lock
	if ! "$BATS_TEST_DIRNAME/build" >"$VB_CACHE/build.log" 2>&1; then
		tail -n 40 "$VB_CACHE/build.log" >&3
		return 1
	fi
	local image
	local -a boots=()
	for image in $IMAGES; do
		boots+=("$image" "$image-control" "$image-noiommu")
	done
	vb_boot_all boot_one "${boots[@]}"
}

# boot_one NAME: the boots described at the top.
boot_one() {
	local name=$1 image=${1%-noiommu} cmdline
	vb_kernel_vars
	vb_devices
	cmdline=$(vb_cmdline)
	if [[ $name == *-noiommu ]]; then
		vb_boot "$name" "$VB_IMAGES/$image.img" "$cmdline" \
			"${VB_DEV_GPU[@]}" "${VB_DEV_ROOT[@]}"
	else
		vb_boot "$name" "$VB_IMAGES/$image.img" \
			"$cmdline intel_iommu=on vfiotest.action=reprobe:$VB_GPU,$VB_AUDIO" \
			"${VB_DEV_IOMMU[@]}" "${VB_DEV_GPU[@]}" "${VB_DEV_ROOT[@]}"
	fi
}

setup() {
	# shellcheck source=lib.sh
	. "$BATS_TEST_DIRNAME/lib.sh"
}

# run_boot NAME: $output/$lines are the real root's VFIOTEST lines of that
# boot; fails (with the end of the console) when it did not get there.
run_boot() {
	local log=$VB_LOGS/$1.log
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

# The checks, one function each, shared by the three images.

check_claimed() {
	run_boot "$1"
	pci initial "$VB_GPU" "$VB_GPU_ID" vfio-pci vfio-pci
	pci initial "$VB_AUDIO" "$VB_AUDIO_ID" vfio-pci vfio-pci
	pci initial "$VB_DISK" "$VB_DISK_ID" virtio-pci -
	# The host drivers were there, loaded by udev in the initramfs, and lost.
	assert_line "VFIOTEST module bochs"
	assert_line "VFIOTEST module snd_hda_intel"
}

check_kmsg() {
	run_boot "$1"
	# one decision line per function, whatever it had to do
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: ${VB_GPU//./\\.} \\[$VB_GPU_ID\\] .*vfio-pci"
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: ${VB_AUDIO//./\\.} \\[$VB_AUDIO_ID\\] .*vfio-pci"
	refute_line --partial "IOMMU is off"
}

check_control() {
	run_boot "$1-control"
	pci initial "$VB_GPU" "$VB_GPU_ID" bochs-drm -
	pci initial "$VB_AUDIO" "$VB_AUDIO_ID" snd_hda_intel -
	pci initial "$VB_DISK" "$VB_DISK_ID" virtio-pci -
	refute_line --partial "VFIOTEST kmsg"
	# and the reprobe check can fail: the host driver takes it back
	pci reprobe "$VB_GPU" "$VB_GPU_ID" bochs-drm -
	pci reprobe "$VB_AUDIO" "$VB_AUDIO_ID" snd_hda_intel -
}

check_noiommu() {
	run_boot "$1-noiommu"
	assert_line --partial "VFIOTEST root "
	# Nothing taken, nothing left without a driver.
	pci initial "$VB_GPU" "$VB_GPU_ID" bochs-drm -
	pci initial "$VB_AUDIO" "$VB_AUDIO_ID" snd_hda_intel -
	pci initial "$VB_DISK" "$VB_DISK_ID" virtio-pci -
	refute_line --regexp "^VFIOTEST pci initial .* vfio-pci$"
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: .*IOMMU is off"
}

check_reprobe() {
	run_boot "$1"
	assert_line "VFIOTEST action reprobe:$VB_GPU,$VB_AUDIO"
	pci unbound "$VB_GPU" "$VB_GPU_ID" - vfio-pci
	pci reprobe "$VB_GPU" "$VB_GPU_ID" vfio-pci vfio-pci
	pci unbound "$VB_AUDIO" "$VB_AUDIO_ID" - vfio-pci
	pci reprobe "$VB_AUDIO" "$VB_AUDIO_ID" vfio-pci vfio-pci
}

# What the images hold.

# list_image NAME: the file list of an image
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

@test "dracut-systemd: both functions are on vfio-pci in the real root, the disk kept its driver" {
	check_claimed dracut-systemd
}
@test "dracut-systemd: the helper's decisions are in the kernel log" {
	check_kmsg dracut-systemd
}
@test "dracut-systemd: control: without vfio-bind the host drivers win" {
	check_control dracut-systemd
}
@test "dracut-systemd: without an IOMMU nothing is taken and the log says why" {
	check_noiommu dracut-systemd
}
@test "dracut-systemd: unbind and reprobe put the functions back on vfio-pci" {
	check_reprobe dracut-systemd
}

@test "dracut-shell: both functions are on vfio-pci in the real root, the disk kept its driver" {
	check_claimed dracut-shell
}
@test "dracut-shell: the helper's decisions are in the kernel log" {
	check_kmsg dracut-shell
}
@test "dracut-shell: control: without vfio-bind the host drivers win" {
	check_control dracut-shell
}
@test "dracut-shell: without an IOMMU nothing is taken and the log says why" {
	check_noiommu dracut-shell
}
@test "dracut-shell: unbind and reprobe put the functions back on vfio-pci" {
	check_reprobe dracut-shell
}

@test "mkinitramfs: both functions are on vfio-pci in the real root, the disk kept its driver" {
	check_claimed mkinitramfs
}
@test "mkinitramfs: the helper's decisions are in the kernel log" {
	check_kmsg mkinitramfs
}
@test "mkinitramfs: control: without vfio-bind the host drivers win" {
	check_control mkinitramfs
}
@test "mkinitramfs: without an IOMMU nothing is taken and the log says why" {
	check_noiommu mkinitramfs
}
@test "mkinitramfs: unbind and reprobe put the functions back on vfio-pci" {
	check_reprobe mkinitramfs
}

@test "dracut: the systemd image ran systemd in the initramfs, the shell image did not" {
	# (a host without systemd would quietly give dracut-systemd a shell /init)
	run_boot dracut-systemd
	run grep -ac 'systemd\[1\]: .*[Ii]nitrd' "$VB_LOGS/dracut-systemd.log"
	assert [ "$output" -gt 0 ]
	run_boot dracut-shell
	run grep -ac 'systemd\[1\]' "$VB_LOGS/dracut-shell.log"
	assert_output 0
}

@test "dracut: the module is in by default, with the helper, hook and vfio modules; --omit leaves it out" {
	local name
	for name in dracut-systemd dracut-shell; do
		run -0 list_image "$name"
		assert_line --regexp ' usr/sbin/vfio-bind$'
		assert_line --regexp ' usr/share/vfio-bind/vfio-bind\.sh$'
		assert_line --regexp ' usr/lib/dracut/hooks/pre-udev/[0-9]+-vfio-bind-pre-udev\.sh$'
		assert_line --regexp '/vfio-pci\.ko(\.[a-z]+)?$'
		assert_line --regexp '/vfio_iommu_type1\.ko(\.[a-z]+)?$'
		run -0 list_image "$name-control"
		refute_line --regexp ' usr/sbin/vfio-bind$'
		refute_line --regexp '/hooks/pre-udev/.*vfio-bind'
		refute_line --regexp ' usr/share/vfio-bind/'
	done
}

@test "dracut: host-only images get the vfio modules although the host has not loaded them" {
	run -0 list_image dracut-hostonly
	assert_line --regexp "Arguments: .*--hostonly"
	assert_line --regexp ' usr/sbin/vfio-bind$'
	assert_line --regexp '/vfio-pci\.ko(\.[a-z]+)?$'
	assert_line --regexp '/vfio_iommu_type1\.ko(\.[a-z]+)?$'
	# control: without the module, a host-only image has no vfio
	run -0 list_image dracut-hostonly-control
	refute_line --regexp '/vfio-pci\.ko(\.[a-z]+)?$'
}

@test "mkinitramfs: 00-vfio-bind runs before udev in init-top" {
	run -0 list_image mkinitramfs
	assert_line --regexp '(^|/)usr/sbin/vfio-bind$'
	assert_line --regexp '(^|/)usr/share/vfio-bind/vfio-bind\.sh$'
	assert_line --regexp '/vfio-pci\.ko(\.[a-z]+)?$'
	# (an image with early microcode unpacks into early/ and main/)
	local order
	order=$(find "$BATS_TEST_TMPDIR/unpacked" -path '*/scripts/init-top/ORDER')
	[[ -f $order ]] || fail "no scripts/init-top/ORDER in the image"
	run -0 grep -n -e '/scripts/init-top/00-vfio-bind ' -e '/scripts/init-top/udev ' "$order"
	assert_equal "${#lines[@]}" 2
	assert_line --index 0 --partial /00-vfio-bind
	assert_line --index 1 --partial /udev
	# control: the image without our files has no such script
	run -0 list_image mkinitramfs-control
	refute_line --partial vfio-bind
}
