#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# The storage guard on a multi-device root and a busy mount table, in real
# boots (see lib.sh and build). Three identical QEMU NVMe controllers
# (1b36:0010), all selected by vfio-pci.ids=1b36:0010; the real root as a
# btrfs RAID1 over the disks of the first two (root=UUID= of the btrfs
# filesystem), a blank disk on the third. For each image:
#   IMAGE-btrfs-root          both members' controllers keep nvme, the third
#                             goes to vfio-pci, and the root is reached on
#                             btrfs. Then, in the real root: 110 tmpfs
#                             mounts, a virtio data disk (btrfs, so 0:N in
#                             mountinfo) mounted after them,
#                             and `vfio-bind bind` refused on its controller
#                             (status 3) while a blank identical virtio disk
#                             is taken; once unmounted, the data disk's
#                             controller is taken too (the control that
#                             shows the refusal is the mount's doing)
#   IMAGE-btrfs-idle          control: the same disks and command line, the
#                             real root on virtio instead: all three NVMe
#                             controllers are taken, so the guard, not
#                             chance, keeps the members in IMAGE-btrfs-root
#   IMAGE-control-btrfs-root  control: IMAGE-btrfs-root with the image built
#                             without vfio-bind: all three stay on nvme

# shellcheck source=common.bash
. "$BATS_TEST_DIRNAME/common.bash"

# The late pass's hook in the shell image is storage.bats'; the layouts are
# the helper's, the same in both dracut images (common.bash)
CHECK_ALL_BOOTS=('dracut-shell-*')

setup_file() {
	boot_setup_file -btrfs-root -btrfs-idle -control-btrfs-root
}

# The real root's actions in IMAGE-btrfs-root, in order.
busy_actions() {
	echo vfiotest.action=tmpfsmounts:110 \
		"vfiotest.action=mountdisk:$VB_DATA_DISK" \
		"$(vb_action busy bind "$VB_DATA_DISK")" \
		"$(vb_action blank bind "$VB_BLANK_DISK")" \
		vfiotest.action=umount: \
		"$(vb_action free bind "$VB_DATA_DISK")"
}

# boot_one NAME: the boots described at the top.
boot_one() {
	local name=$1 image=${1%-btrfs-*} cmdline
	vb_kernel_vars
	vb_devices
	case $name in
	*-btrfs-root)
		cmdline=$(VB_ROOT_ARG="root=UUID=$VB_BTRFS_UUID" VB_ROOTFSTYPE=btrfs \
			VB_IDS=$VB_NVME_ID vb_cmdline)
		vb_boot "$name" "$VB_IMAGES/$image.img" \
			"$cmdline intel_iommu=on $(busy_actions)" \
			"${VB_DEV_IOMMU[@]}" "${VB_DEV_BTRFS_ROOT[@]}" "${VB_DEV_DATA[@]}"
		;;
	*-btrfs-idle)
		cmdline=$(VB_IDS=$VB_NVME_ID vb_cmdline)
		vb_boot "$name" "$VB_IMAGES/$image.img" "$cmdline intel_iommu=on" \
			"${VB_DEV_IOMMU[@]}" "${VB_DEV_BTRFS_ROOT[@]}" "${VB_DEV_ROOT[@]}"
		;;
	esac
}

check_btrfs_root() {
	local member
	run_boot "$1-btrfs-root"
	assert_line --regexp '^VFIOTEST rootfs btrfs /dev/nvme[0-9]+n1$'
	# the mounted filesystem has one member on each of the first two
	for member in "$VB_NVME_A" "$VB_NVME_B"; do
		assert_line --regexp "^VFIOTEST btrfsdev nvme[0-9]+n1 /sys/devices/pci0000:00/$(re "$member")/nvme/"
	done
	pci initial "$VB_NVME_A" "$VB_NVME_ID" nvme -
	pci initial "$VB_NVME_B" "$VB_NVME_ID" nvme -
	pci initial "$VB_NVME_C" "$VB_NVME_ID" vfio-pci vfio-pci
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_NVME_A") \\[$VB_NVME_ID\\] not taken: carries root \\(nvme[0-9]+n1, UUID=$VB_BTRFS_UUID\\)$"
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_NVME_B") \\[$VB_NVME_ID\\] not taken: carries root \\(nvme[0-9]+n1, UUID=$VB_BTRFS_UUID\\)$"
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_NVME_C") \\[$VB_NVME_ID\\] nvme -> vfio-pci$"
}

check_busy_mounts() {
	local count bytes mounted
	run_boot "$1-btrfs-root"
	assert_line --regexp '^VFIOTEST mounted vd[a-z]+$'
	# the data disk came after more than 100 mounts, past the first page
	mounted=$(line_index '^VFIOTEST mounted ')
	[[ ${lines[mounted + 1]} =~ ^VFIOTEST\ mounts\ ([0-9]+)\ ([0-9]+)$ ]] ||
		fail "no mounts line after the data disk's mount"
	count=${BASH_REMATCH[1]} bytes=${BASH_REMATCH[2]}
	((count > 100 && bytes > 4096)) || fail "only $count mounts, $bytes bytes"
	assert_line "VFIOTEST status busy 3"
	assert_line --regexp "^VFIOTEST err busy vfio-bind: $(re "$VB_DATA_DISK") \\[$VB_DISK_ID\\] not taken: carries vd[a-z]+, mounted on /tmp/data$"
	pci busy "$VB_DATA_DISK" "$VB_DISK_ID" virtio-pci -
	# the blank identical disk is taken meanwhile
	assert_line "VFIOTEST status blank 0"
	pci blank "$VB_BLANK_DISK" "$VB_DISK_ID" vfio-pci vfio-pci
	# control: unmounted, the data disk's controller is taken as well
	assert_line "VFIOTEST unmounted /tmp/data"
	assert_line "VFIOTEST status free 0"
	pci free "$VB_DATA_DISK" "$VB_DISK_ID" vfio-pci vfio-pci
}

check_btrfs_idle() {
	run_boot "$1-btrfs-idle"
	assert_line --regexp "^VFIOTEST rootdev [0-9]+:[0-9]+ /sys/devices/pci0000:00/$(re "$VB_DISK")/"
	pci initial "$VB_NVME_A" "$VB_NVME_ID" vfio-pci vfio-pci
	pci initial "$VB_NVME_B" "$VB_NVME_ID" vfio-pci vfio-pci
	pci initial "$VB_NVME_C" "$VB_NVME_ID" vfio-pci vfio-pci
	refute_line --partial "not taken"
}

check_btrfs_control() {
	run_boot "$1-control-btrfs-root"
	assert_line --regexp '^VFIOTEST rootfs btrfs /dev/nvme[0-9]+n1$'
	pci initial "$VB_NVME_A" "$VB_NVME_ID" nvme -
	pci initial "$VB_NVME_B" "$VB_NVME_ID" nvme -
	pci initial "$VB_NVME_C" "$VB_NVME_ID" nvme -
	refute_line --partial "VFIOTEST kmsg"
}

@test "dracut-systemd: btrfs RAID1 root: both members' controllers keep nvme, the third goes to vfio-pci" {
	check_btrfs_root dracut-systemd
}
@test "dracut-systemd: busy mount table: bind refuses the mounted disk's controller, takes a blank one; unmounted, takes it" {
	check_busy_mounts dracut-systemd
}
@test "dracut-systemd: control: with the root on virtio all three NVMe controllers are taken" {
	check_btrfs_idle dracut-systemd
}
@test "dracut-systemd: control: without vfio-bind all three stay on nvme" {
	check_btrfs_control dracut-systemd
}

@test "dracut-shell: btrfs RAID1 root: both members' controllers keep nvme, the third goes to vfio-pci" {
	check_btrfs_root dracut-shell
}
@test "dracut-shell: busy mount table: bind refuses the mounted disk's controller, takes a blank one; unmounted, takes it" {
	check_busy_mounts dracut-shell
}
@test "dracut-shell: control: with the root on virtio all three NVMe controllers are taken" {
	check_btrfs_idle dracut-shell
}
@test "dracut-shell: control: without vfio-bind all three stay on nvme" {
	check_btrfs_control dracut-shell
}

@test "mkinitramfs: btrfs RAID1 root: both members' controllers keep nvme, the third goes to vfio-pci" {
	check_btrfs_root mkinitramfs
}
@test "mkinitramfs: busy mount table: bind refuses the mounted disk's controller, takes a blank one; unmounted, takes it" {
	check_busy_mounts mkinitramfs
}
@test "mkinitramfs: control: with the root on virtio all three NVMe controllers are taken" {
	check_btrfs_idle mkinitramfs
}
@test "mkinitramfs: control: without vfio-bind all three stay on nvme" {
	check_btrfs_control mkinitramfs
}
