#!/usr/bin/env bats
# The storage guard: a controller that carries root, resume, a mount, swap
# or an active dm/md member is never taken; the others are.

load common

ROOTC=0000:02:00.0 # carries nvme0n1, the system disk
SPARE=0000:03:00.0 # carries nvme1n1, for the guest
UUID=3f1c2a7e-5b8d-4c1e-9a2b-7d6e5f4a3b21
DEFER="defer: a storage controller waits for the storage guard's pass once the root device is there"

# Two identical QEMU NVMe controllers, as issue 4 describes.
two_nvme() {
	fake_root "vfio-pci.ids=1b36:0010 $1"
	fake_vfio_loaded
	fake_function "$ROOTC" 1b36:0010 class=0x010802 driver=nvme
	fake_function "$SPARE" 1b36:0010 class=0x010802 driver=nvme
	fake_disk "$ROOTC" nvme0n1 259:0
	fake_partition nvme0n1 nvme0n1p1 1 259:1
	fake_partition nvme0n1 nvme0n1p2 2 259:2
	fake_disk "$SPARE" nvme1n1 259:3
	fake_partition nvme1n1 nvme1n1p1 1 259:4
}

@test "root=UUID= keeps the root's controller and takes the other" {
	two_nvme "root=UUID=$UUID"
	fake_fs nvme0n1p2 ext4 "$UUID" system
	plan -3
	assert_output "$ROOTC 1b36:0010 skip: carries root (nvme0n1p2, UUID=$UUID)
$SPARE 1b36:0010 nvme -> vfio-pci"
	stderr_has "$ROOTC [1b36:0010] not taken: carries root (nvme0n1p2, UUID=$UUID)"
}

@test "the control: without root on it, both controllers are taken" {
	two_nvme "root=UUID=$UUID"
	fake_fs nvme1n1p1 ext4 "$UUID" system
	plan -3
	assert_line "$SPARE 1b36:0010 skip: carries root (nvme1n1p1, UUID=$UUID)"
	assert_line "$ROOTC 1b36:0010 nvme -> vfio-pci"
}

@test "root=LABEL=" {
	two_nvme "root=LABEL=system"
	fake_fs nvme0n1p2 ext4 "$UUID" system
	plan
	assert_line "$ROOTC 1b36:0010 skip: carries root (nvme0n1p2, LABEL=system)"
}

@test "root=PARTUUID= and root=PARTLABEL= are read from the partition table" {
	local partuuid=0b5e2c1d-9f8a-4e7b-a6c5-d4e3f2a1b0c9
	two_nvme "root=PARTUUID=$partuuid"
	fake_gpt nvme0n1 "$partuuid" rootpart
	plan
	assert_line "$ROOTC 1b36:0010 skip: carries root (nvme0n1p2, PARTUUID=$partuuid)"
	fake_cmdline "vfio-pci.ids=1b36:0010 root=PARTLABEL=rootpart"
	plan
	assert_line "$ROOTC 1b36:0010 skip: carries root (nvme0n1p2, PARTLABEL=rootpart)"
}

@test "root=/dev/NAME, /dev/disk/by-uuid/ and MAJ:MIN" {
	two_nvme "root=/dev/nvme0n1p2"
	plan
	assert_line "$ROOTC 1b36:0010 skip: carries root (nvme0n1p2, /dev/nvme0n1p2)"
	fake_fs nvme0n1p1 ext4 "$UUID" boot
	fake_cmdline "vfio-pci.ids=1b36:0010 root=/dev/disk/by-uuid/$UUID"
	plan
	assert_line "$ROOTC 1b36:0010 skip: carries root (nvme0n1p1, /dev/disk/by-uuid/$UUID)"
	fake_cmdline "vfio-pci.ids=1b36:0010 root=259:4"
	plan
	assert_line "$SPARE 1b36:0010 skip: carries root (nvme1n1p1, 259:4)"
}

@test "the last root= wins, as the kernel's does" {
	two_nvme "root=/dev/nvme0n1p2 root=/dev/nvme1n1p1"
	plan
	assert_line "$SPARE 1b36:0010 skip: carries root (nvme1n1p1, /dev/nvme1n1p1)"
	assert_line "$ROOTC 1b36:0010 nvme -> vfio-pci"
}

@test "root on LVM: the stack is followed down to the controller" {
	two_nvme "root=/dev/mapper/vg-root"
	fake_stacked dm-0 253:0 vg-root nvme0n1p2
	plan
	assert_line "$ROOTC 1b36:0010 skip: carries root (dm-0, /dev/mapper/vg-root)"
	assert_line "$SPARE 1b36:0010 nvme -> vfio-pci"
}

@test "root on md RAID over both controllers keeps both" {
	two_nvme "root=/dev/md0"
	fake_stacked md0 9:0 - nvme0n1p2 nvme1n1p1
	plan -3
	assert_line "$ROOTC 1b36:0010 skip: carries root (md0, /dev/md0)"
	assert_line "$SPARE 1b36:0010 skip: carries root (md0, /dev/md0)"
}

@test "resume= is kept too" {
	two_nvme "root=/dev/nvme0n1p2 resume=/dev/nvme1n1p1"
	plan
	assert_line "$SPARE 1b36:0010 skip: carries resume (nvme1n1p1, /dev/nvme1n1p1)"
}

@test "a mounted disk, swap and an active dm member are refused at run time" {
	two_nvme "root=/dev/nvme0n1p2"
	mkdir -p "$ROOT/proc/self"
	echo "36 25 259:4 / /srv rw,relatime shared:1 - ext4 /dev/nvme1n1p1 rw" \
		>"$ROOT/proc/self/mountinfo"
	plan
	assert_line "$SPARE 1b36:0010 skip: carries nvme1n1p1, mounted on /srv"
	: >"$ROOT/proc/self/mountinfo"
	printf '%s\n' 'Filename Type Size Used Priority' \
		'/dev/nvme1n1p1 partition 4096 0 -2' >"$ROOT/proc/swaps"
	plan
	assert_line "$SPARE 1b36:0010 skip: carries nvme1n1p1, used as swap"
	: >"$ROOT/proc/swaps"
	fake_stacked dm-3 253:3 scratch nvme1n1p1
	plan
	assert_line "$SPARE 1b36:0010 skip: carries nvme1n1p1, held by dm-3 (an active dm or md device)"
}

@test "a root= that finds no disk keeps every storage controller, not the GPU" {
	two_nvme "root=UUID=$UUID"
	fake_function 0000:0b:00.0 10de:1c30 driver=nouveau
	fake_cmdline "vfio-pci.ids=1b36:0010,10de:1c30 root=UUID=$UUID"
	plan -3
	assert_line "$ROOTC 1b36:0010 skip: root UUID=$UUID is not found among the block devices, so no storage controller is taken"
	assert_line "0000:0b:00.0 10de:1c30 nouveau -> vfio-pci"
}

@test "a root on the network leaves local controllers free" {
	two_nvme "root=/dev/nfs nfsroot=10.0.0.1:/srv"
	plan -0
	assert_line "$ROOTC 1b36:0010 nvme -> vfio-pci"
	assert_line "$SPARE 1b36:0010 nvme -> vfio-pci"
}

@test "--keep keeps another device's controller" {
	two_nvme "root=/dev/nvme0n1p2"
	plan -3 --keep /dev/nvme1n1
	assert_line "$SPARE 1b36:0010 skip: carries a kept device (nvme1n1, /dev/nvme1n1)"
}

@test "--defer-storage leaves storage controllers for the later pass, without failing" {
	two_nvme "root=/dev/nvme0n1p2"
	fake_function 0000:0b:00.0 10de:1c30 driver=nouveau
	fake_cmdline "vfio-pci.ids=1b36:0010,10de:1c30 root=/dev/nvme0n1p2"
	plan -0 --defer-storage
	assert_line "$ROOTC 1b36:0010 $DEFER"
	assert_line "0000:0b:00.0 10de:1c30 nouveau -> vfio-pci"
	stderr_has "$SPARE [1b36:0010] deferred:"
}

@test "a run that defers writes what it deferred to /run/vfio-bind-deferred for the hooks; controls: the dry run, and a run that defers nothing" {
	two_nvme "root=/dev/nvme0n1p2"
	fake_function 0000:0b:00.0 10de:1c30 driver=nouveau
	fake_cmdline "vfio-pci.ids=1b36:0010,10de:1c30 root=/dev/nvme0n1p2"
	plan -0 --defer-storage
	assert [ ! -e "$ROOT/run/vfio-bind-deferred" ]
	# (a fake tree attaches no driver: the GPU's bind is not confirmed)
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" --defer-storage
	stderr_has "$SPARE [1b36:0010] deferred:"
	run -0 cat "$ROOT/run/vfio-bind-deferred"
	assert_output "$ROOTC [1b36:0010] nvme
$SPARE [1b36:0010] nvme"
	# a note left from before is written anew, not added to
	fake_set_driver "$SPARE" ""
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" --defer-storage
	run -0 cat "$ROOT/run/vfio-bind-deferred"
	assert_output "$ROOTC [1b36:0010] nvme
$SPARE [1b36:0010] no driver"
	rm "$ROOT/run/vfio-bind-deferred"
	fake_cmdline "vfio-pci.ids=10de:1c30 root=/dev/nvme0n1p2"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" --defer-storage
	stderr_lacks "deferred:"
	assert [ ! -e "$ROOT/run/vfio-bind-deferred" ]
}

@test "/run/vfio-bind-deferred linked out of the tree is not written through; the run goes on, and says what that leaves undone" {
	two_nvme "root=/dev/nvme0n1p2"
	ln -s "$BATS_TEST_TMPDIR/outside" "$ROOT/run/vfio-bind-deferred"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --defer-storage
	stderr_has "cannot write /run/vfio-bind-deferred (Too many levels of symbolic links): dracut's pass once the root device exists will not run, and the deferred functions stay on their host drivers"
	assert [ ! -e "$BATS_TEST_TMPDIR/outside" ]
}

@test "--defer-storage defers USB, Fibre Channel and SD host controllers too, not a NIC" {
	fake_root "vfio-pci.ids=1b36:000d,1077:2532,1217:8621,8086:1533 root=/dev/sda1"
	fake_vfio_loaded
	fake_function 0000:00:14.0 1b36:000d class=0x0c0330 driver=xhci_hcd
	fake_function 0000:05:00.0 1077:2532 class=0x0c0400 driver=qla2xxx
	fake_function 0000:06:00.0 1217:8621 class=0x080501 driver=sdhci-pci
	fake_function 0000:07:00.0 8086:1533 class=0x020000 driver=igb
	plan -0 --defer-storage
	assert_line "0000:00:14.0 1b36:000d $DEFER"  # USB
	assert_line "0000:05:00.0 1077:2532 $DEFER"  # Fibre Channel
	assert_line "0000:06:00.0 1217:8621 $DEFER"  # SD host
	assert_line "0000:07:00.0 8086:1533 igb -> vfio-pci"
}

@test "a root on a USB disk keeps its USB controller" {
	fake_root "vfio-pci.ids=1b36:000d root=UUID=$UUID"
	fake_vfio_loaded
	fake_function 0000:00:14.0 1b36:000d class=0x0c0330 driver=xhci_hcd
	fake_function 0000:00:15.0 1b36:000d class=0x0c0330 driver=xhci_hcd
	fake_usb_disk 0000:00:14.0 sda 8:0
	fake_partition sda sda1 1 8:1
	fake_fs sda1 ext4 "$UUID" system
	plan -3
	assert_line "0000:00:14.0 1b36:000d skip: carries root (sda1, UUID=$UUID)"
	assert_line "0000:00:15.0 1b36:000d xhci_hcd -> vfio-pci"
	# control: with root elsewhere, both are taken
	fake_cmdline "vfio-pci.ids=1b36:000d root=/dev/nfs"
	plan -0
	assert_line "0000:00:14.0 1b36:000d xhci_hcd -> vfio-pci"
}

@test "bind refuses the controller that carries root, and says why" {
	two_nvme "root=/dev/nvme0n1p2"
	fake_cmdline "root=/dev/nvme0n1p2"
	run -3 --separate-stderr vfio_bind_traced bind "$ROOTC"
	stderr_has "$ROOTC [1b36:0010] not taken: carries root (nvme0n1p2, /dev/nvme0n1p2)"
	run sysfs_writes
	assert_output ""
}

@test "a function without disks is taken whatever root= names" {
	fake_workstation "vfio-pci.ids=10de:1c30 root=UUID=$UUID"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	assert_output "0000:0b:00.0 10de:1c30 nouveau -> vfio-pci"
}

@test "with no root= and / not on a disk, no storage controller is taken" {
	two_nvme ""
	plan -3
	assert_line "$ROOTC 1b36:0010 skip: the root device is unknown (no root=, no --keep, / not mounted from a disk), so no storage controller is taken"
	# The control: with / mounted from nvme0n1p2, the root is known.
	mkdir -p "$ROOT/proc/self"
	echo "21 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw" \
		>"$ROOT/proc/self/mountinfo"
	plan
	assert_line "$ROOTC 1b36:0010 skip: carries nvme0n1p2, mounted on /"
	assert_line "$SPARE 1b36:0010 nvme -> vfio-pci"
}
