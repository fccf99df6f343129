#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# The storage guard's two passes, in real boots (see lib.sh and build): two
# identical QEMU NVMe controllers (1b36:0010), both selected by
# vfio-pci.ids=1b36:0010, and root=UUID= of the real root. The pass before
# udev (--defer-storage) must leave both to nvme; the pass once the root
# device exists (dracut pre-mount, initramfs-tools local-premount) must keep
# the root's controller on nvme and give the other to vfio-pci. For each
# image:
#   IMAGE-nvme-root          the real root on the first controller, a blank
#                            disk on the second
#   IMAGE-nvme-idle          control: the same command line, blank disks on
#                            both controllers, the real root on virtio: both
#                            are taken, so the guard, not chance, keeps the
#                            root's controller in IMAGE-nvme-root
#   IMAGE-control-nvme-root  control: IMAGE-nvme-root with the image built
#                            without vfio-bind: the second controller would
#                            otherwise stay on nvme
#   IMAGE-rootconf-nvme-root IMAGE-nvme-root without root= on the command
#                            line: the image stores it (build), so only the
#                            root device that the initramfs resolved and the
#                            hook passes with --keep can keep its controller
#                            (IMAGE-nvme-idle shows that nothing else would)
#   IMAGE-usb-root           two identical USB controllers (1b36:000d), both
#                            selected, the real root on a USB disk behind the
#                            first: the pass before udev must defer them too
#                            (or the root never appears), the late pass keeps
#                            the first on xhci_hcd and takes the second
#   IMAGE-usb-idle           control: a blank USB disk, the real root on
#                            virtio: both USB controllers are taken
# and, with dracut-hostonly-boot, the host-only systemd image (built
# without the modules whose udev rules ask for dracut's initqueue, so that
# nothing but vfio-bind could add a pass once the root device exists):
#   dracut-systemd-hostonly-nvme-idle  IMAGE-nvme-idle: the pass before
#                            udev leaves both controllers for later, so
#                            vfio-bind-late.service runs once the root
#                            device exists, dracut's initqueue does not
#   dracut-systemd-hostonly-pair  control: the GPU and audio pair selected,
#                            no storage controller: nothing is left for
#                            later, and vfio-bind-late.service does not run

# shellcheck source=common.bash
. "$BATS_TEST_DIRNAME/common.bash"

# The USB root goes through the same hooks as the NVMe root, which the
# shell image boots here (common.bash)
CHECK_ALL_BOOTS=('dracut-shell-usb-*')

setup_file() {
	boot_setup_file -nvme-root -nvme-idle -control-nvme-root \
		-rootconf-nvme-root -usb-root -usb-idle \
		-- dracut-systemd-hostonly-nvme-idle dracut-systemd-hostonly-pair
}

# boot_one NAME: the boots described at the top.
boot_one() {
	local name=$1 image=${1%-nvme-*} cmdline root="root=UUID=$VB_ROOT_UUID"
	vb_kernel_vars
	vb_devices
	[[ $image == *-rootconf ]] && root=
	[[ $image != *-hostonly* ]] || image=dracut-hostonly-boot
	cmdline=$(VB_ROOT_ARG=$root VB_IDS=$VB_NVME_ID vb_cmdline)
	case $name in
	*-usb-*)
		image=${name%-usb-*}
		cmdline=$(VB_ROOT_ARG=$root VB_IDS=$VB_XHCI_ID vb_cmdline)
		;;
	esac
	case $name in
	*-pair)
		vb_boot "$name" "$VB_IMAGES/$image.img" "$(vb_cmdline) intel_iommu=on" \
			"${VB_DEV_IOMMU[@]}" "${VB_DEV_GPU[@]}" "${VB_DEV_ROOT[@]}"
		;;
	*-usb-root)
		vb_boot "$name" "$VB_IMAGES/$image.img" "$cmdline intel_iommu=on" \
			"${VB_DEV_IOMMU[@]}" "${VB_DEV_USB_ROOT[@]}"
		;;
	*-usb-idle)
		vb_boot "$name" "$VB_IMAGES/$image.img" "$cmdline intel_iommu=on" \
			"${VB_DEV_IOMMU[@]}" "${VB_DEV_USB_IDLE[@]}" "${VB_DEV_ROOT[@]}"
		;;
	*-nvme-root)
		vb_boot "$name" "$VB_IMAGES/$image.img" "$cmdline intel_iommu=on" \
			"${VB_DEV_IOMMU[@]}" "${VB_DEV_NVME_ROOT[@]}"
		;;
	*-nvme-idle)
		vb_boot "$name" "$VB_IMAGES/$image.img" "$cmdline intel_iommu=on" \
			"${VB_DEV_IOMMU[@]}" "${VB_DEV_NVME_IDLE[@]}" "${VB_DEV_ROOT[@]}"
		;;
	esac
}

# The checks, one function each, shared by the three images.

check_root_kept() {
	run_boot "$1-nvme-root"
	# the real root was mounted from the first controller's disk
	assert_line --regexp "^VFIOTEST rootdev [0-9]+:[0-9]+ /sys/devices/pci0000:00/$(re "$VB_NVME_A")/nvme/"
	pci initial "$VB_NVME_A" "$VB_NVME_ID" nvme -
	pci initial "$VB_NVME_B" "$VB_NVME_ID" vfio-pci vfio-pci
	assert_line "VFIOTEST module nvme"
}

check_root_kmsg() {
	local deferred taken
	run_boot "$1-nvme-root"
	# the pass before udev left both to nvme...
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_NVME_A") \\[$VB_NVME_ID\\] deferred: "
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_NVME_B") \\[$VB_NVME_ID\\] deferred: "
	# ...the pass once the root device existed kept the root's controller
	# and says why, and took the other one from nvme
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_NVME_A") \\[$VB_NVME_ID\\] not taken: carries root \\(nvme[0-9]+n1, UUID=$VB_ROOT_UUID\\)$"
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_NVME_B") \\[$VB_NVME_ID\\] nvme -> vfio-pci$"
	refute_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_NVME_A") .*-> vfio-pci"
	deferred=$(line_index "vfio-bind: $(re "$VB_NVME_B") .* deferred: ")
	taken=$(line_index "vfio-bind: $(re "$VB_NVME_B") .* nvme -> vfio-pci")
	assert [ "$deferred" -lt "$taken" ]
}

check_idle() {
	run_boot "$1-nvme-idle"
	assert_line --regexp "^VFIOTEST rootdev [0-9]+:[0-9]+ /sys/devices/pci0000:00/$(re "$VB_DISK")/"
	pci initial "$VB_NVME_A" "$VB_NVME_ID" vfio-pci vfio-pci
	pci initial "$VB_NVME_B" "$VB_NVME_ID" vfio-pci vfio-pci
	pci initial "$VB_DISK" "$VB_DISK_ID" virtio-pci -
	# both were on nvme first, then the late pass took them
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_NVME_A") \\[$VB_NVME_ID\\] nvme -> vfio-pci$"
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_NVME_B") \\[$VB_NVME_ID\\] nvme -> vfio-pci$"
	refute_line --partial "not taken"
}

check_control() {
	# the image is clean, whatever the host has installed
	refute_vfio_bind_files "$1-control"
	run_boot "$1-control-nvme-root"
	assert_line --regexp "^VFIOTEST rootdev [0-9]+:[0-9]+ /sys/devices/pci0000:00/$(re "$VB_NVME_A")/nvme/"
	pci initial "$VB_NVME_A" "$VB_NVME_ID" nvme -
	pci initial "$VB_NVME_B" "$VB_NVME_ID" nvme -
	refute_line --partial "VFIOTEST kmsg"
}

check_rootconf() {
	run_boot "$1-rootconf-nvme-root"
	refute_line --regexp '^VFIOTEST root (.* )?root='
	assert_line --regexp "^VFIOTEST rootdev [0-9]+:[0-9]+ /sys/devices/pci0000:00/$(re "$VB_NVME_A")/nvme/"
	pci initial "$VB_NVME_A" "$VB_NVME_ID" nvme -
	pci initial "$VB_NVME_B" "$VB_NVME_ID" vfio-pci vfio-pci
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_NVME_A") \\[$VB_NVME_ID\\] not taken: carries a kept device \\(nvme[0-9]+n1, /dev/.+\\)$"
}

check_usb_root() {
	run_boot "$1-usb-root"
	assert_line --regexp "^VFIOTEST rootdev [0-9]+:[0-9]+ /sys/devices/pci0000:00/$(re "$VB_XHCI_A")/usb[0-9]+/"
	pci initial "$VB_XHCI_A" "$VB_XHCI_ID" xhci_hcd -
	pci initial "$VB_XHCI_B" "$VB_XHCI_ID" vfio-pci vfio-pci
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_XHCI_A") \\[$VB_XHCI_ID\\] deferred: "
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_XHCI_A") \\[$VB_XHCI_ID\\] not taken: carries root \\(sd[a-z]+, UUID=$VB_ROOT_UUID\\)$"
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_XHCI_B") \\[$VB_XHCI_ID\\] xhci_hcd -> vfio-pci$"
	# control: with the root elsewhere, both USB controllers are taken
	run_boot "$1-usb-idle"
	assert_line --regexp "^VFIOTEST rootdev [0-9]+:[0-9]+ /sys/devices/pci0000:00/$(re "$VB_DISK")/"
	pci initial "$VB_XHCI_A" "$VB_XHCI_ID" vfio-pci vfio-pci
	pci initial "$VB_XHCI_B" "$VB_XHCI_ID" vfio-pci vfio-pci
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_XHCI_A") \\[$VB_XHCI_ID\\] xhci_hcd -> vfio-pci$"
}

@test "dracut-systemd: NVMe root: the root's controller keeps nvme, the other goes to vfio-pci" {
	check_root_kept dracut-systemd
}
@test "dracut-systemd: NVMe root: the log shows both passes and says the root's controller carries root" {
	check_root_kmsg dracut-systemd
}
@test "dracut-systemd: control: with the root on virtio both NVMe controllers are taken" {
	check_idle dracut-systemd
}
@test "dracut-systemd: control: without vfio-bind both NVMe controllers stay on nvme" {
	check_control dracut-systemd
}
@test "dracut-systemd: root= stored in the image only: the late hook's --keep keeps the root's controller" {
	check_rootconf dracut-systemd
}
@test "dracut-systemd: USB root: its USB controller keeps xhci_hcd, the other goes to vfio-pci; control: both go" {
	check_usb_root dracut-systemd
}

@test "dracut-shell: NVMe root: the root's controller keeps nvme, the other goes to vfio-pci" {
	check_root_kept dracut-shell
}
@test "dracut-shell: NVMe root: the log shows both passes and says the root's controller carries root" {
	check_root_kmsg dracut-shell
}
@test "dracut-shell: control: with the root on virtio both NVMe controllers are taken" {
	check_idle dracut-shell
}
@test "dracut-shell: control: without vfio-bind both NVMe controllers stay on nvme" {
	check_control dracut-shell
}
@test "dracut-shell: root= stored in the image only: the late hook's --keep keeps the root's controller" {
	check_rootconf dracut-shell
}
@test "dracut-shell: USB root: its USB controller keeps xhci_hcd, the other goes to vfio-pci; control: both go" {
	check_usb_root dracut-shell
}

@test "mkinitramfs: NVMe root: the root's controller keeps nvme, the other goes to vfio-pci" {
	check_root_kept mkinitramfs
}
@test "mkinitramfs: NVMe root: the log shows both passes and says the root's controller carries root" {
	check_root_kmsg mkinitramfs
}
@test "mkinitramfs: control: with the root on virtio both NVMe controllers are taken" {
	check_idle mkinitramfs
}
@test "mkinitramfs: control: without vfio-bind both NVMe controllers stay on nvme" {
	check_control mkinitramfs
}
@test "mkinitramfs: root= stored in the image only: the late hook's --keep keeps the root's controller" {
	check_rootconf mkinitramfs
}
@test "mkinitramfs: USB root: its USB controller keeps xhci_hcd, the other goes to vfio-pci; control: both go" {
	check_usb_root mkinitramfs
}

# What the images hold.

@test "every image carries nvme: dracut by --add-drivers, mkinitramfs by MODULES=most alone" {
	local name conf=$VB_CACHE/initramfs-tools/mkinitramfs
	for name in dracut-systemd dracut-shell mkinitramfs; do
		run -0 list_image "$name"
		assert_line --regexp '/drivers/nvme/host/nvme\.ko(\.[a-z]+)?$'
	done
	# mkinitramfs: nothing but MODULES=most asked for it
	run -0 grep -x 'MODULES=most' "$conf/initramfs.conf"
	run -0 cat "$conf/modules" "$conf"/hooks/*
	refute_output --partial nvme
}

@test "dracut: the pass once the root device exists is vfio-bind-late.service in systemd images and a pre-mount hook in the shell image; no image asks for the initqueue for it" {
	local name
	for name in dracut-systemd dracut-hostonly; do
		run -0 list_image "$name"
		assert_line --regexp ' usr/lib/systemd/system/vfio-bind-late\.service$'
		assert_line --regexp ' (etc|usr/lib)/systemd/system/initrd\.target\.wants/vfio-bind-late\.service -> '
		assert_line --regexp ' usr/lib/systemd/system/vfio-bind-report\.service$'
		assert_line --regexp ' usr/share/vfio-bind/dracut-late\.sh$'
		refute_line --regexp '/hooks/.*vfio-bind'
	done
	run -0 list_image dracut-shell
	assert_line --regexp '/hooks/pre-mount/[0-9]+-vfio-bind-pre-mount\.sh$'
	assert_line --regexp '/hooks/pre-pivot/[0-9]+-vfio-bind-report\.sh$'
	refute_line --regexp '/vfio-bind-late\.service$'
	# The host-only images leave out the modules whose udev rules ask for
	# the initqueue (console-setup's calls /sbin/initqueue), so neither
	# has need-initqueue: vfio-bind does not ask for it.
	for name in dracut-hostonly dracut-hostonly-control; do
		run -0 list_image "$name"
		refute_line --regexp ' (etc|usr/lib)/udev/rules\.d/.*console'
		refute_line --regexp ' usr/lib/dracut/need-initqueue$'
	done
}

# unit_runs NAME UNIT: systemd started UNIT (a regexp) in the boot NAME.
# On the console systemd shortens "UNIT - DESCRIPTION" to 80 columns in
# its middle, so a long unit's name can show only its start, then "…":
# twelve characters of it or more count too.
unit_runs() {
	local log=$VB_LOGS/$1.log unit=${2//\\/} i
	grep -aq "Starting .*$2" "$log" && return 0
	for ((i = ${#unit} - 1; i >= 12; i--)); do
		grep -aqF "m${unit:0:i}…" "$log" && return 0
	done
	return 1
}

@test "dracut-systemd: host-only, storage controllers left for later: vfio-bind-late.service takes both, no initqueue; control: nothing left, it does not run" {
	check_idle dracut-systemd-hostonly
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_NVME_A") \\[$VB_NVME_ID\\] deferred: "
	unit_runs dracut-systemd-hostonly-nvme-idle vfio-bind-late.service ||
		fail "no vfio-bind-late.service in dracut-systemd-hostonly-nvme-idle"
	! unit_runs dracut-systemd-hostonly-nvme-idle dracut-initqueue.service ||
		fail "dracut's initqueue ran in dracut-systemd-hostonly-nvme-idle"
	! unit_runs dracut-systemd-hostonly-nvme-idle vfio-bind-report.service ||
		fail "vfio-bind-report.service ran in dracut-systemd-hostonly-nvme-idle"
	run_boot dracut-systemd-hostonly-pair
	pci initial "$VB_GPU" "$VB_GPU_ID" vfio-pci vfio-pci
	pci initial "$VB_AUDIO" "$VB_AUDIO_ID" vfio-pci vfio-pci
	refute_line --partial "deferred: "
	! unit_runs dracut-systemd-hostonly-pair vfio-bind-late.service ||
		fail "vfio-bind-late.service ran in dracut-systemd-hostonly-pair"
	# vfio-bind's own unit took the pair; no dracut hook service ran for it
	! unit_runs dracut-systemd-hostonly-pair dracut-pre-mount.service ||
		fail "dracut-pre-mount.service ran in dracut-systemd-hostonly-pair"
	! unit_runs dracut-systemd-hostonly-pair dracut-pre-udev.service ||
		fail "dracut-pre-udev.service ran in dracut-systemd-hostonly-pair"
	unit_runs dracut-systemd-hostonly-pair 'vfio-bind\.service' ||
		fail "no vfio-bind.service in dracut-systemd-hostonly-pair"
	# controls for those lines: the generic image built without vfio-bind
	# starts dracut-pre-udev.service for other modules' hooks, and has no
	# vfio-bind.service
	unit_runs dracut-systemd-control-nvme-root dracut-pre-udev.service ||
		fail "no dracut-pre-udev.service in dracut-systemd-control-nvme-root"
	! unit_runs dracut-systemd-control-nvme-root 'vfio-bind\.service' ||
		fail "vfio-bind.service in dracut-systemd-control-nvme-root"
}

@test "mkinitramfs: local-premount/vfio-bind runs after the resume script" {
	local order
	run -0 list_image mkinitramfs
	assert_line --regexp '(^|/)scripts/local-premount/vfio-bind$'
	order=$(find "$BATS_TEST_TMPDIR/unpacked" -path '*/scripts/local-premount/ORDER')
	[[ -f $order ]] || fail "no scripts/local-premount/ORDER in the image"
	run -0 grep -n -e '/scripts/local-premount/resume ' \
		-e '/scripts/local-premount/vfio-bind ' "$order"
	assert_equal "${#lines[@]}" 2
	assert_line --index 0 --partial /resume
	assert_line --index 1 --partial /vfio-bind
	# control: the image without our files has no such script
	run -0 list_image mkinitramfs-control
	refute_line --partial local-premount/vfio-bind
}

@test "the images carry the helper stripped, as make install-strip installs it" {
	local helper name
	run -0 list_image mkinitramfs
	helper=$(find "$BATS_TEST_TMPDIR/unpacked" -path '*/usr/sbin/vfio-bind' -type f)
	[[ -n $helper ]] || fail "no usr/sbin/vfio-bind in the mkinitramfs image"
	run -0 cmp "$helper" "$VB_CACHE/stage/usr/sbin/vfio-bind"
	run -0 readelf -S "$helper"
	refute_output --partial .symtab
	for name in dracut-systemd dracut-shell; do
		rm -rf "$BATS_TEST_TMPDIR/dracut"
		mkdir "$BATS_TEST_TMPDIR/dracut"
		(cd "$BATS_TEST_TMPDIR/dracut" && lsinitrd --unpack "$VB_IMAGES/$name.img" usr/sbin/vfio-bind)
		run -0 cmp "$BATS_TEST_TMPDIR/dracut/usr/sbin/vfio-bind" "$VB_CACHE/stage/usr/sbin/vfio-bind"
	done
	# control: the helper make builds has its symbol table
	run -0 readelf -S "$VB_TOP/vfio-bind"
	assert_output --partial .symtab
}
