#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# Fault-injection boots (see boot.bats for the machines): each boot has one
# fault, and must log its line, reach the real root, and leave no function
# without a driver: the pair on its host drivers, every other function with
# the driver it has in the control. Every boot has the GPU and audio pair
# selected by vfio-pci.ids=, the IOMMU on, the root disk, and a PCI-PCI
# bridge (QEMU's pci-bridge, 1b36:0001) in slot 0d:
#   dracut-systemd-no-vfio-pci   an image without vfio-pci.ko (dracut
#                           --omit-drivers vfio-pci)
#   mkinitramfs-no-libkmod  an image without libkmod.so.2 where the helper
#                           looks for it (udev alone is given it, see build)
#   mkinitramfs-no-helper   an image without usr/sbin/vfio-bind
#   dracut-shell-crash      an image whose helper aborts on start
#   mkinitramfs-bridge      the normal image, with the bridge selected too
#                           (vfio-bind.addrs=): vfio-pci takes no bridge
#                           (vfio_pci_core_register_device() refuses a
#                           header type other than normal), and vfio-bind
#                           refuses it before it writes anything. In the
#                           real root, driver_override asks vfio-pci
#                           itself: it refuses the bridge, and takes the
#                           audio function back (rootfs-init's override)
# and the controls, the normal images with the same devices and command
# line, which take the pair and log none of those lines, booted under names
# of their own (boot.bats boots the same images):
#   dracut-systemd-healthy, dracut-shell-healthy, mkinitramfs-healthy
# The images are described in build.

# shellcheck source=common.bash
. "$BATS_TEST_DIRNAME/common.bash"

BRIDGE=0000:00:0d.0
BRIDGE_ID=1b36:0001

setup_file() {
	boot_setup_file -healthy -- dracut-systemd-no-vfio-pci mkinitramfs-no-libkmod \
		mkinitramfs-no-helper dracut-shell-crash mkinitramfs-bridge
}

# boot_one NAME: the boots described at the top.
boot_one() {
	local name=$1 image=${1%-bridge} cmdline
	image=${image%-healthy}
	vb_kernel_vars
	vb_devices
	cmdline="$(vb_cmdline) intel_iommu=on"
	[[ $name == *-bridge ]] &&
		cmdline+=" vfio-bind.addrs=$BRIDGE vfiotest.action=override:vfio-pci:$VB_AUDIO vfiotest.action=override:vfio-pci:$BRIDGE"
	vb_boot "$name" "$VB_IMAGES/$image.img" "$cmdline" \
		"${VB_DEV_IOMMU[@]}" "${VB_DEV_GPU[@]}" "${VB_DEV_ROOT[@]}" \
		-device "pci-bridge,chassis_nr=1,bus=pcie.0,addr=${BRIDGE#0000:00:}"
}

# kmsg_re TEXT: the regular expression of vfio-bind's kernel log line TEXT,
# as the real root prints it
kmsg_re() {
	local text
	# shellcheck disable=SC2016 # sed's $, not the shell's
	text=$(printf '%s' "$1" | sed 's/[][\\.*^$(){}?+|/]/\\&/g')
	printf '^VFIOTEST kmsg \\[[ 0-9.]+\\] vfio-bind: %s$' "$text"
}

# taken: the pair is on vfio-pci, the disk on its driver.
taken() {
	pci initial "$VB_GPU" "$VB_GPU_ID" vfio-pci vfio-pci
	pci initial "$VB_AUDIO" "$VB_AUDIO_ID" vfio-pci vfio-pci
	pci initial "$VB_DISK" "$VB_DISK_ID" virtio-pci -
}

# others NAME: the functions of the boot NAME but the pair, one a line
others() {
	grep -a '^VFIOTEST pci initial ' "$VB_LOGS/$1.log" | tr -d '\r' |
		grep -v -e " $VB_GPU " -e " $VB_AUDIO "
}

# check_fault NAME CONTROL LINE: the boot NAME logged LINE, reached the
# real root and kept every function on its host driver, every function but
# the pair as in CONTROL; the boot CONTROL, the normal image of the same
# integration, took the pair and did not log LINE.
check_fault() {
	run_boot "$1"
	assert_line --regexp "$(kmsg_re "$3")"
	host_drivers_on
	assert_equal "$(others "$1")" "$(others "$2")"
	run_boot "$2"
	taken
	refute_line --regexp "$(kmsg_re "$3")"
}

@test "dracut-systemd-no-vfio-pci: the image has no vfio-pci.ko; control: the normal image has it" {
	run -0 list_image dracut-systemd-no-vfio-pci
	assert_line --regexp "Arguments: .*--omit-drivers"
	refute_line --regexp '/vfio-pci\.ko(\.[a-z]+)?$'
	assert_line --regexp ' usr/sbin/vfio-bind$'
	assert_line --regexp '/vfio_iommu_type1\.ko(\.[a-z]+)?$'
	run -0 list_image dracut-systemd
	assert_line --regexp '/vfio-pci\.ko(\.[a-z]+)?$'
}

@test "dracut-systemd-no-vfio-pci: vfio-pci missing is logged, the boot goes on, the host drivers keep the pair" {
	check_fault dracut-systemd-no-vfio-pci dracut-systemd-healthy \
		"vfio-pci is not in this initramfs: install vfio-bind's dracut or initramfs-tools integration and rebuild it (dracut -f, update-initramfs -u); nothing changed"
}

@test "mkinitramfs-no-libkmod: the image has no libkmod.so.2 on the loader's path; control: the normal image has it" {
	list_image mkinitramfs-no-libkmod >"$BATS_TEST_TMPDIR/files"
	grep -qx 'usr/sbin/vfio-bind' "$BATS_TEST_TMPDIR/files"
	# only in the directory that udevadm alone is pointed to
	run -0 grep 'libkmod\.so' "$BATS_TEST_TMPDIR/files"
	assert_equal "$(LC_ALL=C sort <<<"$output")" "usr/lib/vfio-bind-test/libkmod.so.2
usr/lib/vfio-bind-test/libkmod.so.2.4.0"
	run -0 list_image mkinitramfs
	assert_line --regexp '^usr/lib/[^/]+/libkmod\.so\.2$'
}

@test "mkinitramfs-no-libkmod: libkmod.so.2 missing is logged, the boot goes on, the host drivers keep the pair" {
	check_fault mkinitramfs-no-libkmod mkinitramfs-healthy \
		"cannot open libkmod.so.2 to load vfio-pci (not found): install vfio-bind's initramfs integration and rebuild the initramfs; nothing changed"
}

@test "mkinitramfs-no-helper: the image has the hooks but no helper; control: the normal image has it" {
	run -0 list_image mkinitramfs-no-helper
	refute_line --partial 'sbin/vfio-bind'
	assert_line 'usr/share/vfio-bind/vfio-bind.sh'
	assert_line 'scripts/init-top/00-vfio-bind'
	run -0 list_image mkinitramfs
	assert_line 'usr/sbin/vfio-bind'
}

@test "mkinitramfs-no-helper: the missing helper is logged, the boot goes on, the host drivers keep the pair" {
	check_fault mkinitramfs-no-helper mkinitramfs-healthy \
		"/usr/sbin/vfio-bind is missing from the initramfs; nothing done"
}

@test "dracut-shell-crash: only that image's helper aborts; control: the normal image's and the stage's run" {
	local helper=$BATS_TEST_TMPDIR/helper
	lsinitrd -f usr/sbin/vfio-bind "$VB_IMAGES/dracut-shell-crash.img" >"$helper"
	chmod 0755 "$helper"
	run -134 "$helper" --version
	lsinitrd -f usr/sbin/vfio-bind "$VB_IMAGES/dracut-shell.img" >"$helper"
	run -0 "$helper" --version
	assert_output --partial vfio-bind
	run -0 "$VB_CACHE/stage/usr/sbin/vfio-bind" --version
	assert_output --partial vfio-bind
}

@test "dracut-shell-crash: the crash is logged, the boot goes on, the host drivers keep the pair" {
	check_fault dracut-shell-crash dracut-shell-healthy \
		"/usr/sbin/vfio-bind --defer-storage was killed by SIGABRT; boot continues"
	# once: the crash left no storage controller for a pass once the root
	# device is there, so there is none (storage.bats shows that pass)
	run_boot dracut-shell-crash
	assert_equal "$(grep -cE '^VFIOTEST kmsg .*vfio-bind: .* was killed by SIGABRT; boot continues$' <<<"$output")" 1
}

@test "mkinitramfs-bridge: the bridge is refused and logged, the pair is taken, the bridge keeps its state" {
	local line
	run_boot mkinitramfs-bridge
	assert_line --regexp "$(kmsg_re "$BRIDGE [$BRIDGE_ID] not taken: it is a bridge (header type 1): vfio-pci takes only endpoints")"
	taken
	line=$(vb_pci_line "$VB_LOGS/mkinitramfs-bridge.log" initial "$BRIDGE")
	assert [ -n "$line" ]
	assert_equal "$(others mkinitramfs-bridge)" "$(others mkinitramfs-healthy)"
	refute_line --regexp "^VFIOTEST pci initial $(re "$BRIDGE") .* vfio-pci$"
	# control: the same boot without the bridge selected leaves it just so,
	# and logs no line about it
	run_boot mkinitramfs-healthy
	assert_line "$line"
	refute_line --partial "$BRIDGE"" ["
}

@test "mkinitramfs-bridge: asked by driver_override in the real root, vfio-pci itself refuses the bridge; control: it takes the audio function" {
	run_boot mkinitramfs-bridge
	assert_line "VFIOTEST action override:vfio-pci:$BRIDGE"
	pci override "$BRIDGE" "$BRIDGE_ID" - vfio-pci
	assert_line --regexp "^VFIOTEST probe \[[ 0-9.]+\] vfio-pci: probe of $(re "$BRIDGE") failed with error -22$"
	# control: the same action on an endpoint
	assert_line "VFIOTEST action override:vfio-pci:$VB_AUDIO"
	pci override "$VB_AUDIO" "$VB_AUDIO_ID" vfio-pci vfio-pci
	refute_line --regexp "^VFIOTEST probe .* $(re "$VB_AUDIO") "
}
