#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# The selection the operator wrote outside the kernel command line, in real
# boots (see boot.bats for the machines):
#   IMAGE-modprobe          built with options vfio-pci ids= of the GPU and
#                           audio pair in /etc/modprobe.d (a generic image
#                           for dracut, which copies /etc/modprobe.d only
#                           into host-only ones); no vfio-pci.ids= on the
#                           command line
#   IMAGE-modprobe-control  the same build root without vfio-bind: the host
#                           drivers win (mkinitramfs copies the options
#                           line all the same; nothing loads vfio-pci)
#   mkinitramfs-driverctl   built with a driverctl override of the second
#                           of two identical GPUs to vfio-pci: that one is
#                           taken, the first keeps its driver

# shellcheck source=common.bash
. "$BATS_TEST_DIRNAME/common.bash"

# dracut's module puts the same modprobe.d lines into both dracut images
# (common.bash): make check builds and boots the shell's only under
# check-all
CHECK_ALL_BOOTS=('dracut-shell-*')

setup_file() {
	boot_setup_file -modprobe -modprobe-control -- mkinitramfs-driverctl
}

# boot_one NAME: the boots described at the top.
boot_one() {
	local name=$1 cmdline
	vb_kernel_vars
	vb_devices
	cmdline="$(VB_IDS='' vb_cmdline) intel_iommu=on"
	if [[ $name == *-driverctl ]]; then
		vb_boot "$name" "$VB_IMAGES/$name.img" "$cmdline" \
			"${VB_DEV_IOMMU[@]}" "${VB_DEV_GPU[@]}" "${VB_DEV_GPU2[@]}" "${VB_DEV_ROOT[@]}"
	else
		vb_boot "$name" "$VB_IMAGES/$name.img" "$cmdline" \
			"${VB_DEV_IOMMU[@]}" "${VB_DEV_GPU[@]}" "${VB_DEV_ROOT[@]}"
	fi
}


check_modprobe() {
	run_boot "$1-modprobe"
	# nothing on the command line: the selection came from modprobe.d
	assert_line --regexp "^VFIOTEST root .*intel_iommu=on"
	refute_line --regexp "^VFIOTEST root .*vfio.pci\.ids="
	pci initial "$VB_GPU" "$VB_GPU_ID" vfio-pci vfio-pci
	pci initial "$VB_AUDIO" "$VB_AUDIO_ID" vfio-pci vfio-pci
	pci initial "$VB_DISK" "$VB_DISK_ID" virtio-pci -
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_GPU") \\[$VB_GPU_ID\\] selected by options vfio-pci ids= in /etc/modprobe\\.d/zz-vfio-bind\\.conf line [0-9]+$"
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_AUDIO") \\[$VB_AUDIO_ID\\] .*-> vfio-pci$"
	# the host drivers were there and lost
	assert_line "VFIOTEST module bochs"
	assert_line "VFIOTEST module snd_hda_intel"
}

check_modprobe_control() {
	! check_all_only "$1-modprobe-control" || skip "make check-all (VB_ALL=1) builds and boots $1-modprobe-control"
	refute_vfio_bind_files "$1-modprobe-control"
	run_boot "$1-modprobe-control"
	host_drivers_kept
}

@test "dracut-systemd: options vfio-pci ids= in /etc/modprobe.d, nothing on the command line" {
	check_modprobe dracut-systemd
}

@test "dracut-systemd control: without vfio-bind the host drivers win" {
	check_modprobe_control dracut-systemd
}

@test "dracut-shell: options vfio-pci ids= in /etc/modprobe.d, nothing on the command line" {
	check_modprobe dracut-shell
}

@test "dracut-shell control: without vfio-bind the host drivers win" {
	check_modprobe_control dracut-shell
}

@test "mkinitramfs: options vfio-pci ids= in /etc/modprobe.d, nothing on the command line" {
	check_modprobe mkinitramfs
}

@test "mkinitramfs control: the options line is in the image, yet the host drivers win" {
	list_image mkinitramfs-modprobe-control >"$BATS_TEST_TMPDIR/files"
	grep -qx 'etc/modprobe.d/vfio.conf' "$BATS_TEST_TMPDIR/files"
	check_modprobe_control mkinitramfs
}

# check_generic_modprobe NAME: NAME-modprobe carries vfio-pci's lines;
# control: NAME-modprobe-control none
check_generic_modprobe() {
	local name=$1
	! check_all_only "$name-modprobe" || skip "make check-all (VB_ALL=1) builds $name-modprobe"
	# lsinitrd lists as ls -l does: the path is the last field
	list_image "$name-modprobe" >"$BATS_TEST_TMPDIR/files"
	run -0 grep -o ' etc/modprobe\.d/[^ ]*\.conf$' "$BATS_TEST_TMPDIR/files"
	assert_output " etc/modprobe.d/zz-vfio-bind.conf"
	run -0 lsinitrd -f etc/modprobe.d/zz-vfio-bind.conf "$VB_IMAGES/$name-modprobe.img"
	assert_line "options vfio_pci ids=$VB_IDS"
	# control: without vfio-bind, dracut leaves the options out
	list_image "$name-modprobe-control" >"$BATS_TEST_TMPDIR/files"
	run -1 grep -o ' etc/modprobe\.d/[^ ]*\.conf$' "$BATS_TEST_TMPDIR/files"
}

@test "dracut-systemd: a generic image carries vfio-pci's lines, not the host's modprobe.d" {
	check_generic_modprobe dracut-systemd
}

@test "dracut-shell: a generic image carries vfio-pci's lines, not the host's modprobe.d" {
	check_generic_modprobe dracut-shell
}

@test "mkinitramfs-driverctl: a driverctl override takes one of two identical GPUs" {
	run_boot mkinitramfs-driverctl
	pci initial "$VB_GPU2" "$VB_GPU_ID" vfio-pci vfio-pci
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_GPU2") \\[$VB_GPU_ID\\] selected by driverctl's /etc/driverctl\\.d/pci-$(re "$VB_GPU2")$"
	# control: its twin, with the same IDs, keeps its host driver
	pci initial "$VB_GPU" "$VB_GPU_ID" bochs-drm -
	refute_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_GPU") "
}
