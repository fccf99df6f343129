#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# Real boots of the Debian kernel under QEMU q35 (software emulation) with
# initramfs images built by dracut (systemd and shell /init) and
# mkinitramfs from the installed files of this tree. See lib.sh and build.
#
# setup_file builds what is missing and runs every boot side by side; the
# tests read the serial logs. For each image there are three boots:
#   IMAGE           vfio-bind in the image, IOMMU on; in the real root
#                   `vfio-bind check` and `vfio-bind nova-config`, then
#                   unbind+reprobe
#   IMAGE-control   the same image without vfio-bind (dracut --omit
#                   vfio-bind; mkinitramfs without our files): the host
#                   drivers must win, so every positive check can fail
#   IMAGE-noiommu   vfio-bind in the image, no IOMMU; `vfio-bind check`
# and two more, on one image each, for what no integration changes:
#   mkinitramfs-many   twelve functions selected, more lines than the kernel
#                   lets one open file of /dev/kmsg write
#   dracut-systemd-builtin  a PCI serial port, held by a driver built into
#                   the kernel (8250_pci) before any initramfs runs, selected
#                   by vfio-pci.ids=; the control boots have it too, named
#                   in their vfio-pci.ids=
# The storage guard's boots are in storage.bats, the operator commands'
# other boots in commands.bats, the fault-injection boots in faults.bats.

# shellcheck source=common.bash
. "$BATS_TEST_DIRNAME/common.bash"

setup_file() {
	boot_setup_file "" -control -noiommu -- mkinitramfs-many dracut-systemd-builtin
}

# boot_one NAME: the boots described at the top.
boot_one() {
	local name=$1 image=${1%-noiommu} cmdline
	vb_kernel_vars
	vb_devices
	cmdline=$(vb_cmdline)
	if [[ $name == *-many ]]; then
		cmdline=$(VB_IDS=$VB_TESTDEV_ID vb_cmdline)
		vb_boot "$name" "$VB_IMAGES/${name%-many}.img" \
			"$cmdline intel_iommu=on vfiotest.action=kmsgflood:15" \
			"${VB_DEV_IOMMU[@]}" "${VB_DEV_TESTDEVS[@]}" "${VB_DEV_ROOT[@]}"
	elif [[ $name == *-builtin ]]; then
		cmdline=$(VB_IDS=$VB_SERIAL_ID vb_cmdline)
		vb_boot "$name" "$VB_IMAGES/${name%-builtin}.img" "$cmdline intel_iommu=on" \
			"${VB_DEV_IOMMU[@]}" "${VB_DEV_SERIAL[@]}" "${VB_DEV_ROOT[@]}"
	elif [[ $name == *-noiommu ]]; then
		vb_boot "$name" "$VB_IMAGES/$image.img" \
			"$cmdline $(vb_action check check)" \
			"${VB_DEV_GPU[@]}" "${VB_DEV_ROOT[@]}"
	else
		local ids=$VB_IDS
		local -a serial=()
		# the controls are the -builtin boot's control as well
		if [[ $name == *-control ]]; then
			ids+=",$VB_SERIAL_ID"
			serial=("${VB_DEV_SERIAL[@]}")
		fi
		# check asks the kernel for a type1 IOMMU, which vfio_iommu_type1
		# refuses without interrupt remapping (VB_DEV_IOMMU has none)
		cmdline="$(VB_IDS=$ids vb_cmdline) vfio_iommu_type1.allow_unsafe_interrupts=1"
		vb_boot "$name" "$VB_IMAGES/$image.img" \
			"$cmdline intel_iommu=on $(vb_action check check) $(vb_action nova nova-config) vfiotest.action=reprobe:$VB_GPU,$VB_AUDIO" \
			"${VB_DEV_IOMMU[@]}" "${VB_DEV_GPU[@]}" "${serial[@]}" "${VB_DEV_ROOT[@]}"
	fi
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
	# it loaded vfio-pci in its first run only, and timed it (make bench
	# reads the time)
	assert_equal "$(grep -cE '^VFIOTEST kmsg .*vfio-bind: loaded vfio-pci and the modules it needs in [0-9]+\.[0-9] ms$' <<<"$output")" 1
}

check_control() {
	# the image is clean, whatever the host has installed
	refute_vfio_bind_files "$1-control"
	run_boot "$1-control"
	host_drivers_kept
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
	# control for check_kmsg's count: with the IOMMU off nothing is loaded
	refute_line --partial "vfio-bind: loaded vfio-pci"
}

check_reprobe() {
	run_boot "$1"
	assert_line "VFIOTEST action reprobe:$VB_GPU,$VB_AUDIO"
	pci unbound "$VB_GPU" "$VB_GPU_ID" - vfio-pci
	pci reprobe "$VB_GPU" "$VB_GPU_ID" vfio-pci vfio-pci
	pci unbound "$VB_AUDIO" "$VB_AUDIO_ID" - vfio-pci
	pci reprobe "$VB_AUDIO" "$VB_AUDIO_ID" vfio-pci vfio-pci
}

# The operator commands, run in the real root by the helper installed there
# (the staged, stripped one).

check_check() {
	run_boot "$1"
	assert_line "VFIOTEST status check 0"
	assert_line "VFIOTEST out check ok    IOMMU is on"
	assert_line "VFIOTEST out check ok    $VB_GPU [$VB_GPU_ID] is on vfio-pci"
	assert_line "VFIOTEST out check ok    $VB_AUDIO [$VB_AUDIO_ID] is on vfio-pci"
	assert_line --regexp "^VFIOTEST out check ok    ${VB_GPU//./\\.} IOMMU group [0-9]+ is viable$"
	assert_line --regexp "^VFIOTEST out check ok    ${VB_GPU//./\\.} /dev/vfio/[0-9]+ is there$"
	refute_line --partial "VFIOTEST out check FAIL"
	# the record the boot job wrote in the initramfs, read in the real root
	assert_line --regexp "^VFIOTEST out check ok    the boot job ran at [0-9]+\.[0-9] s, before udev \(vfio-bind [^)]+\): took 2 functions( \([0-9] on vfio-pci already\))?, kept 0, deferred 0, failed 0$"
	refute_line --partial "did not run in this boot's initramfs"
	# control: the same check without vfio-bind in the image fails, and
	# says the boot job did not run
	run_boot "$1-control"
	assert_line "VFIOTEST status check 3"
	assert_line "VFIOTEST out check FAIL  $VB_GPU [$VB_GPU_ID] is on bochs-drm, not vfio-pci"
	assert_line "VFIOTEST out check FAIL  $VB_AUDIO [$VB_AUDIO_ID] is on snd_hda_intel, not vfio-pci"
	assert_line "VFIOTEST out check WARN  vfio-bind did not run in this boot's initramfs: /run/vfio-bind/ holds no record of the boot job before udev"
	refute_line --partial "the boot job ran at"
}

check_check_noiommu() {
	run_boot "$1-noiommu"
	assert_line "VFIOTEST status check 2"
	# QEMU without an IOMMU device hands the guest no DMAR or IVRS table:
	# the firmware's, not the command line's (its default CPU, qemu64, is AMD)
	assert_line --regexp "^VFIOTEST out check FAIL  IOMMU is off: (VT-d is off in the firmware: .* \(no ACPI DMAR table|AMD-Vi is off in the firmware: .* \(no ACPI IVRS table)"
	assert_line --regexp "^VFIOTEST out check       fix: enable (VT-d|AMD-Vi) .* in the firmware setup"
	refute_line --regexp "^VFIOTEST out check .*intel_iommu=on"
	# control: with the IOMMU on, the same check says so
	run_boot "$1"
	assert_line "VFIOTEST out check ok    IOMMU is on"
	refute_line --partial "IOMMU is off"
}

check_nova() {
	run_boot "$1"
	assert_line "VFIOTEST status nova 0"
	assert_line "VFIOTEST out nova [pci]"
	assert_line 'VFIOTEST out nova device_spec = {"vendor_id": "1234", "product_id": "1111"}'
	assert_line 'VFIOTEST out nova device_spec = {"vendor_id": "8086", "product_id": "293e"}'
	assert_line --regexp '^VFIOTEST out nova alias = \{"vendor_id": "1234", "product_id": "1111", "device_type": "type-PCI", "name": "[^"]+"\}$'
	assert_line --regexp '^VFIOTEST out nova alias = \{"vendor_id": "8086", "product_id": "293e", "device_type": "type-PCI", "name": "[^"]+"\}$'
	# control: with nothing on vfio-pci there is nothing to print
	run_boot "$1-control"
	assert_line "VFIOTEST status nova 3"
	refute_line --partial "VFIOTEST out nova device_spec"
}

@test "mkinitramfs: twelve functions, each with its line in the kernel log, none dropped" {
	local slot
	run_boot mkinitramfs-many
	# 14 lines from one run of the helper
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: PCI functions selected: 12$"
	# The helper bound each one itself: it loads vfio-pci with an empty
	# ids= after the command line's, so vfio-pci took none by itself
	# (that would log "on vfio-pci; driver_override set").
	for slot in $VB_TESTDEV_SLOTS; do
		pci initial "0000:00:$slot.0" "$VB_TESTDEV_ID" vfio-pci vfio-pci
		assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: 0000:00:$slot\.0 \[$VB_TESTDEV_ID\] no driver -> vfio-pci$"
	done
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: put on vfio-pci: 12; already there: 0$"
	refute_line --regexp '^VFIOTEST ratelimited .*vfio-bind'
	# control: this kernel does drop the lines after the 10th of one open
	# file, and says so once it is closed
	assert_line --regexp '^VFIOTEST ratelimited .* init: 5 output lines suppressed due to ratelimiting$'
}

@test "dracut-systemd: a function held by a built-in driver is unbound from it and taken; control: it stays on serial" {
	run_boot dracut-systemd-builtin
	pci initial "$VB_SERIAL" "$VB_SERIAL_ID" vfio-pci vfio-pci
	pci initial "$VB_DISK" "$VB_DISK_ID" virtio-pci -
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_SERIAL") \[$VB_SERIAL_ID\] serial -> vfio-pci$"
	# control: named in vfio-pci.ids= too, without vfio-bind it stays
	run_boot dracut-systemd-control
	pci initial "$VB_SERIAL" "$VB_SERIAL_ID" serial -
}

# What the images hold.

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
@test "dracut-systemd: vfio-bind check passes in the real root and reads the boot job's record; control: it fails without vfio-bind, which did not run" {
	check_check dracut-systemd
}
@test "dracut-systemd: without an IOMMU vfio-bind check fails with status 2 and names it" {
	check_check_noiommu dracut-systemd
}
@test "dracut-systemd: vfio-bind nova-config prints both functions; control: nothing without vfio-bind" {
	check_nova dracut-systemd
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
@test "dracut-shell: vfio-bind check passes in the real root and reads the boot job's record; control: it fails without vfio-bind, which did not run" {
	check_check dracut-shell
}
@test "dracut-shell: without an IOMMU vfio-bind check fails with status 2 and names it" {
	check_check_noiommu dracut-shell
}
@test "dracut-shell: vfio-bind nova-config prints both functions; control: nothing without vfio-bind" {
	check_nova dracut-shell
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
@test "mkinitramfs: vfio-bind check passes in the real root and reads the boot job's record; control: it fails without vfio-bind, which did not run" {
	check_check mkinitramfs
}
@test "mkinitramfs: without an IOMMU vfio-bind check fails with status 2 and names it" {
	check_check_noiommu mkinitramfs
}
@test "mkinitramfs: vfio-bind nova-config prints both functions; control: nothing without vfio-bind" {
	check_nova mkinitramfs
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
		# the pass once the root device exists: a unit of vfio-bind's
		# own with systemd, dracut's pre-mount hook without it
		if [[ $name == dracut-systemd ]]; then
			assert_line --regexp ' usr/share/vfio-bind/dracut-late\.sh$'
			assert_line --regexp '/vfio-bind-late\.service$'
			refute_line --regexp '/hooks/pre-mount/.*vfio-bind'
		else
			assert_line --regexp '/hooks/pre-mount/[0-9]+-vfio-bind-pre-mount\.sh$'
			refute_line --regexp '/vfio-bind-late\.service$'
		fi
		assert_line --regexp '/vfio-pci\.ko(\.[a-z]+)?$'
		assert_line --regexp '/vfio_iommu_type1\.ko(\.[a-z]+)?$'
		run -0 list_image "$name-control"
		refute_line --regexp ' usr/sbin/vfio-bind$'
		refute_line --regexp '/hooks/pre-udev/.*vfio-bind'
		refute_line --regexp '/vfio-bind\.service$'
		refute_line --regexp ' usr/share/vfio-bind/'
	done
	# the pass before udev: systemd's unit, wanted by sysinit.target; the
	# shell /init's pre-udev hook
	run -0 list_image dracut-systemd
	assert_line --regexp ' usr/lib/systemd/system/vfio-bind\.service$'
	assert_line --regexp ' (etc|usr/lib)/systemd/system/sysinit\.target\.wants/vfio-bind\.service -> '
	assert_line --regexp ' usr/share/vfio-bind/dracut-pre-udev\.sh$'
	refute_line --regexp '/hooks/pre-udev/.*vfio-bind'
	run -0 list_image dracut-shell
	assert_line --regexp ' usr/lib/dracut/hooks/pre-udev/[0-9]+-vfio-bind-pre-udev\.sh$'
	refute_line --regexp '/vfio-bind\.service$'
}

@test "every image carries the boot hooks' vfio-bind.sh, none the builders' vfio-bind-build.sh" {
	local name
	for name in dracut-systemd dracut-shell mkinitramfs dracut-hostonly; do
		run -0 image_vfio_bind_files "$name"
		assert_line --regexp '(^|/)usr/share/vfio-bind/vfio-bind\.sh$'
		refute_line --partial vfio-bind-build.sh
	done
}

@test "control images hold no vfio-bind file, even with vfio-bind installed on the host; control: the others do" {
	local name
	for name in dracut-systemd dracut-shell mkinitramfs dracut-hostonly; do
		run -0 image_vfio_bind_files "$name"
		assert_line --regexp '(^|/)usr/sbin/vfio-bind$'
		refute_vfio_bind_files "$name-control"
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

@test "README.md's table of what the tests boot gives this machine's Debian 12 versions" {
	local kernels dracut itools systemd
	# the kernel every boot runs, and the series of tests/run's matrix
	kernels="$(first_parts 2 "$(vb_kernel_package | sed 's/^linux-image-//')"), 6.12"
	# shellcheck disable=SC2016 # dpkg-query's format
	dracut=$(dpkg-query -W -f '${Version}' dracut-core)
	# shellcheck disable=SC2016
	itools=$(dpkg-query -W -f '${Version}' initramfs-tools-core)
	# shellcheck disable=SC2016
	systemd=$(dpkg-query -W -f '${Version}' systemd)
	assert_readme_row "Debian 12 (bookworm), this machine" "$kernels" "$dracut" "$itools" "$systemd"
	# control: another version is not in the table
	run ! assert_readme_row "Debian 12 (bookworm), this machine" "$kernels" 999 "$itools" "$systemd"
}
