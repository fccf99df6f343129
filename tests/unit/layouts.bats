#!/usr/bin/env bats
# The storage guard on the layouts real hosts use: ZFS and btrfs roots,
# multi-device filesystems, NVMe multipath, VMD, long mount tables, network
# roots, and the kernel's reading of root= and resume=. Each layout that
# keeps a controller has its counterpart, where the same controller without
# the protected device is taken.

load common

ROOTC=0000:02:00.0 # the system's disk (or its first half)
SPARE=0000:03:00.0 # the guest's disk (or the second half)
THIRD=0000:04:00.0 # a third identical controller, free
UUID=3f1c2a7e-5b8d-4c1e-9a2b-7d6e5f4a3b21
BTRFS_UUID=9d2e7c1a-3b4f-4e5d-8c6b-1a2b3c4d5e6f

# Three identical NVMe controllers, a disk with two partitions on each.
three_nvme() {
	local addr i=0
	fake_root "vfio-pci.ids=1b36:0010 $1"
	fake_vfio_loaded
	for addr in "$ROOTC" "$SPARE" "$THIRD"; do
		fake_function "$addr" 1b36:0010 class=0x010802 driver=nvme
		fake_disk "$addr" "nvme${i}n1" "259:$((i * 3))"
		fake_partition "nvme${i}n1" "nvme${i}n1p1" 1 "259:$((i * 3 + 1))"
		fake_partition "nvme${i}n1" "nvme${i}n1p2" 2 "259:$((i * 3 + 2))"
		i=$((i + 1))
	done
}

# --- ZFS -------------------------------------------------------------------

@test "root=ZFS=POOL/DATASET keeps the controllers of the pool's members" {
	three_nvme "root=ZFS=rpool/ROOT/pve-1 boot=zfs"
	fake_zfs nvme0n1p2 rpool
	fake_zfs nvme1n1p2 rpool
	fake_zfs nvme2n1p2 tank
	plan -3
	assert_line "$ROOTC 1b36:0010 skip: carries root (nvme0n1p2, ZFS=rpool/ROOT/pve-1)"
	assert_line "$SPARE 1b36:0010 skip: carries root (nvme1n1p2, ZFS=rpool/ROOT/pve-1)"
	# counterpart: a member of another pool is no root
	assert_line "$THIRD 1b36:0010 nvme -> vfio-pci"
}

@test "root=zfs:POOL/DATASET, the same; root=zfs:AUTO keeps every pool's members" {
	three_nvme "root=zfs:rpool/ROOT/debian"
	fake_zfs nvme0n1p2 rpool
	fake_zfs nvme2n1p2 tank
	plan
	assert_line "$ROOTC 1b36:0010 skip: carries root (nvme0n1p2, zfs:rpool/ROOT/debian)"
	assert_line "$THIRD 1b36:0010 nvme -> vfio-pci"
	assert_line "$SPARE 1b36:0010 nvme -> vfio-pci"
	fake_cmdline "vfio-pci.ids=1b36:0010 root=zfs:AUTO"
	plan
	assert_line "$ROOTC 1b36:0010 skip: carries root (nvme0n1p2, zfs:AUTO)"
	assert_line "$THIRD 1b36:0010 skip: carries root (nvme2n1p2, zfs:AUTO)"
	assert_line "$SPARE 1b36:0010 nvme -> vfio-pci"
}

@test "root=ZFS= whose pool has no member in sight keeps every storage controller" {
	three_nvme "root=ZFS=rpool/ROOT/pve-1"
	fake_zfs nvme2n1p2 tank
	fake_function 0000:0b:00.0 10de:1c30 driver=nouveau
	fake_cmdline "vfio-pci.ids=1b36:0010,10de:1c30 root=ZFS=rpool/ROOT/pve-1"
	plan -3
	assert_line "$ROOTC 1b36:0010 skip: root ZFS=rpool/ROOT/pve-1 is not found among the block devices, so no storage controller is taken"
	assert_line "$THIRD 1b36:0010 skip: root ZFS=rpool/ROOT/pve-1 is not found among the block devices, so no storage controller is taken"
	assert_line "0000:0b:00.0 10de:1c30 nouveau -> vfio-pci"
}

@test "the late hook's --keep ZFS=... keeps the pool, as root= does" {
	three_nvme ""
	fake_zfs nvme1n1p2 rpool
	plan --keep ZFS=rpool/ROOT/pve-1
	assert_line "$SPARE 1b36:0010 skip: carries a kept device (nvme1n1p2, ZFS=rpool/ROOT/pve-1)"
	assert_line "$ROOTC 1b36:0010 nvme -> vfio-pci"
}

@test "a mounted ZFS dataset keeps its pool's members, whatever its 0:N" {
	three_nvme "root=/dev/nvme0n1p1"
	fake_zfs nvme1n1p2 tank
	fake_zfs nvme2n1p2 scratch
	fake_mountinfo "21 1 259:1 / / rw - ext4 /dev/nvme0n1p1 rw" \
		"40 21 0:45 / /tank/vm rw,xattr - zfs tank/vm rw,xattr,posixacl"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$SPARE" "$THIRD"
	assert_line "$SPARE 1b36:0010 skip: carries nvme1n1p2, in ZFS pool tank, mounted on /tank/vm"
	# counterpart: the pool that is not mounted
	assert_line "$THIRD 1b36:0010 nvme -> vfio-pci"
}

# --- btrfs -------------------------------------------------------------------

@test "a btrfs mount (0:N in mountinfo) keeps its device's controller" {
	three_nvme "root=/dev/nvme0n1p1"
	fake_btrfs nvme1n1p2
	fake_mountinfo "21 1 259:1 / / rw - ext4 /dev/nvme0n1p1 rw" \
		"44 21 0:52 /@srv /srv rw,relatime - btrfs /dev/nvme1n1p2 rw,space_cache=v2,subvolid=257,subvol=/@srv"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$SPARE" "$THIRD"
	assert_line "$SPARE 1b36:0010 skip: carries nvme1n1p2, mounted on /srv"
	assert_line "$THIRD 1b36:0010 nvme -> vfio-pci"
}

@test "a btrfs RAID1 root across two controllers keeps both; the third is taken" {
	three_nvme "root=UUID=$BTRFS_UUID rootfstype=btrfs"
	fake_btrfs nvme0n1p2 nvme1n1p2
	plan -3
	assert_line "$ROOTC 1b36:0010 skip: carries root (nvme0n1p2, UUID=$BTRFS_UUID)"
	assert_line "$SPARE 1b36:0010 skip: carries root (nvme1n1p2, UUID=$BTRFS_UUID)"
	assert_line "$THIRD 1b36:0010 nvme -> vfio-pci"
}

@test "a mounted btrfs RAID1 keeps every member, though mountinfo names one" {
	three_nvme "root=/dev/nvme0n1p1"
	fake_btrfs nvme1n1p2 nvme2n1p2
	fake_mountinfo "21 1 259:1 / / rw - ext4 /dev/nvme0n1p1 rw" \
		"44 21 0:52 / /data rw - btrfs /dev/nvme1n1p2 rw"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$SPARE" "$THIRD"
	assert_line "$SPARE 1b36:0010 skip: carries nvme1n1p2, mounted on /data"
	assert_line "$THIRD 1b36:0010 skip: carries nvme1n1p2, mounted on /data"
	# counterpart: not mounted, both are free
	fake_mountinfo "21 1 259:1 / / rw - ext4 /dev/nvme0n1p1 rw"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$SPARE" "$THIRD"
}

@test "a btrfs root with a member missing keeps every storage controller" {
	three_nvme "root=UUID=$BTRFS_UUID"
	fake_btrfs nvme0n1p2 nvme1n1p2
	rm "$ROOT/sys/class/block/nvme1n1p2"
	plan -3
	assert_line "$THIRD 1b36:0010 skip: the btrfs filesystem on nvme0n1p2 has 2 devices and only 1 are present, so no storage controller is taken"
}

@test "mountinfo's and swaps' escapes are decoded: a path with a space is followed" {
	three_nvme "root=/dev/nvme0n1p1"
	fake_btrfs nvme1n1p2
	mkdir -p "$ROOT/dev/disk/by-label"
	ln -s ../../nvme1n1p2 "$ROOT/dev/disk/by-label/my data"
	ln -s ../../nvme2n1p1 "$ROOT/dev/disk/by-label/my swap"
	fake_mountinfo "21 1 259:1 / / rw - ext4 /dev/nvme0n1p1 rw" \
		'44 21 0:52 / /srv/my\040data rw - btrfs /dev/disk/by-label/my\040data rw'
	printf '%s\n' 'Filename				Type		Size		Used		Priority' \
		'/dev/disk/by-label/my\040swap partition 4096 0 -2' >"$ROOT/proc/swaps"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$SPARE" "$THIRD"
	assert_line "$SPARE 1b36:0010 skip: carries nvme1n1p2, mounted on /srv/my data"
	assert_line "$THIRD 1b36:0010 skip: carries nvme2n1p1, used as swap"
	# counterpart: neither mounted nor swap, both are taken
	fake_mountinfo "21 1 259:1 / / rw - ext4 /dev/nvme0n1p1 rw"
	: >"$ROOT/proc/swaps"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$SPARE" "$THIRD"
}

@test "a mount or swap from a /dev path that names no block device keeps every storage controller" {
	three_nvme "root=/dev/nvme0n1p1"
	fake_mountinfo "21 1 259:1 / / rw - ext4 /dev/nvme0n1p1 rw" \
		"44 21 0:52 / /data rw - btrfs /dev/mapper/gone rw"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$THIRD"
	assert_line "$THIRD 1b36:0010 skip: /dev/mapper/gone is mounted on /data and not found among the block devices, so no storage controller is taken"
	fake_mountinfo "21 1 259:1 / / rw - ext4 /dev/nvme0n1p1 rw"
	printf '%s\n' 'Filename Type Size Used Priority' '/dev/zram9 partition 4096 0 -2' >"$ROOT/proc/swaps"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$THIRD"
	assert_line "$THIRD 1b36:0010 skip: /dev/zram9 is used as swap and not found among the block devices, so no storage controller is taken"
	# counterpart: a swap file is on a mounted filesystem, which the guard follows
	printf '%s\n' 'Filename Type Size Used Priority' '/swapfile file 4096 0 -2' >"$ROOT/proc/swaps"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$THIRD"
}

@test "root=. names no device: every storage controller is kept" {
	three_nvme "root=."
	plan -3
	assert_line "$THIRD 1b36:0010 skip: root . is not found among the block devices, so no storage controller is taken"
	# counterpart: a root that is found
	fake_cmdline "vfio-pci.ids=1b36:0010 root=/dev/nvme0n1p1"
	plan -3
	assert_line "$THIRD 1b36:0010 nvme -> vfio-pci"
}

# --- loops, pools, external logs, degraded arrays -----------------------------

@test "a loop device over a disk keeps the disk's controller, through a loop over it too" {
	three_nvme "root=/dev/nvme0n1p1"
	fake_loop loop0 7:0 /dev/nvme1n1p2
	fake_loop loop1 7:1 /dev/loop0
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$SPARE" "$THIRD"
	assert_line "$SPARE 1b36:0010 skip: carries nvme1n1p2, the backing device of loop0"
	assert_line "$THIRD 1b36:0010 nvme -> vfio-pci"
	# counterpart: a loop over a file, on the mounted root, keeps no other disk
	echo /var/lib/images/disk.img >"$ROOT/sys/class/block/loop0/loop/backing_file"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$SPARE" "$THIRD"
}

@test "a loop device over a /dev node that names no block device keeps every storage controller" {
	three_nvme "root=/dev/nvme0n1p1"
	fake_loop loop0 7:0 /dev/sdz
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$THIRD"
	assert_line "$THIRD 1b36:0010 skip: /dev/sdz is the backing device of loop0 and not found among the block devices, so no storage controller is taken"
}

@test "an imported ZFS pool keeps its members with no dataset mounted" {
	three_nvme "root=/dev/nvme0n1p1"
	fake_zfs nvme1n1p2 tank
	fake_zfs nvme2n1p2 scratch
	fake_zfs_imported tank
	# (the kstat directory's files are no pools)
	echo 1 >"$ROOT/proc/spl/kstat/zfs/arcstats"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$SPARE" "$THIRD"
	assert_line "$SPARE 1b36:0010 skip: carries nvme1n1p2, in ZFS pool tank, imported"
	# counterpart: a pool that is not imported
	assert_line "$THIRD 1b36:0010 nvme -> vfio-pci"
}

@test "an imported ZFS pool whose members are not found keeps every storage controller" {
	three_nvme "root=/dev/nvme0n1p1"
	fake_zfs_imported tank
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$THIRD"
	assert_line "$THIRD 1b36:0010 skip: ZFS pool tank is imported and none of its members is found, so no storage controller is taken"
}

@test "a mounted bcachefs keeps every member its source names" {
	three_nvme "root=/dev/nvme0n1p1"
	fake_mountinfo "21 1 259:1 / / rw - ext4 /dev/nvme0n1p1 rw" \
		"45 21 0:60 / /data rw - bcachefs /dev/nvme1n1p2:/dev/nvme2n1p2 rw"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$SPARE" "$THIRD"
	assert_line "$SPARE 1b36:0010 skip: carries nvme1n1p2, a member of bcachefs mounted on /data"
	assert_line "$THIRD 1b36:0010 skip: carries nvme2n1p2, a member of bcachefs mounted on /data"
	# counterpart: unmounted, both are taken
	fake_mountinfo "21 1 259:1 / / rw - ext4 /dev/nvme0n1p1 rw"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$SPARE" "$THIRD"
}

@test "a mounted XFS keeps the devices of its logdev= and rtdev=, escapes decoded" {
	three_nvme "root=/dev/nvme0n1p1"
	mkdir -p "$ROOT/dev/disk/by-label"
	ln -s ../../nvme1n1p2 "$ROOT/dev/disk/by-label/log,a"
	fake_mountinfo '21 1 259:1 / / rw - xfs /dev/nvme0n1p1 rw,attr2,inode64,logdev=/dev/disk/by-label/log\054a,rtdev=/dev/nvme2n1p1,noquota'
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$SPARE" "$THIRD"
	assert_line "$SPARE 1b36:0010 skip: carries nvme1n1p2, logdev= of the filesystem mounted on /"
	assert_line "$THIRD 1b36:0010 skip: carries nvme2n1p1, rtdev= of the filesystem mounted on /"
	# counterpart: an internal log
	fake_mountinfo "21 1 259:1 / / rw - xfs /dev/nvme0n1p1 rw,attr2,inode64,noquota"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$SPARE" "$THIRD"
	# a log device that is not found: unsure
	fake_mountinfo "21 1 259:1 / / rw - xfs /dev/nvme0n1p1 rw,logdev=/dev/sdz1"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$THIRD"
	assert_line "$THIRD 1b36:0010 skip: /dev/sdz1 is logdev= of the filesystem mounted on / and not found among the block devices, so no storage controller is taken"
}

@test "at boot, rootflags= names the root's external log: logdev= and ext4's journal_dev=" {
	three_nvme "root=/dev/nvme0n1p1 rootflags=logdev=/dev/nvme1n1p2"
	plan -3
	assert_line "$SPARE 1b36:0010 skip: carries nvme1n1p2, logdev= of the root (rootflags=)"
	assert_line "$THIRD 1b36:0010 nvme -> vfio-pci"
	# journal_dev= is new_encode_dev(259:8): 259 << 8 | 8
	fake_cmdline "vfio-pci.ids=1b36:0010 root=/dev/nvme0n1p1 rootflags=data=journal,journal_dev=66312"
	plan -3
	assert_line "$THIRD 1b36:0010 skip: carries nvme2n1p2, journal_dev= of the root (rootflags=)"
	assert_line "$SPARE 1b36:0010 nvme -> vfio-pci"
}

@test "an ext4 root keeps the controller of its external journal (EXT_JOURNAL)" {
	[[ $(id -u) == 0 ]] || skip "needs root (losetup, for mke2fs)"
	three_nvme "root=UUID=$UUID"
	fake_ext4_journal nvme0n1p1 "$UUID" nvme1n1p2
	plan -3
	assert_line "$ROOTC 1b36:0010 skip: carries root (nvme0n1p1, UUID=$UUID)"
	assert_line "$SPARE 1b36:0010 skip: carries root (nvme0n1p1, UUID=$UUID)"
	assert_line "$THIRD 1b36:0010 nvme -> vfio-pci"
	# the journal not there yet: unsure
	rm "$ROOT/sys/class/block/nvme1n1p2"
	plan -3
	assert_line "$THIRD 1b36:0010 skip: the ext4 filesystem on nvme0n1p1 has 2 devices and only 1 are present, so no storage controller is taken"
}

@test "a degraded md array keeps every storage controller; a whole one, only its members'" {
	three_nvme "root=/dev/nvme0n1p1"
	fake_stacked md0 9:0 - nvme1n1p1
	mkdir -p "$ROOT/sys/class/block/md0/md"
	echo 1 >"$ROOT/sys/class/block/md0/md/degraded"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$THIRD"
	assert_line "$THIRD 1b36:0010 skip: the md array md0 runs degraded, missing 1 of its members, so no storage controller is taken"
	# counterpart: all members there
	echo 0 >"$ROOT/sys/class/block/md0/md/degraded"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$SPARE" "$THIRD"
	assert_line "$SPARE 1b36:0010 skip: carries nvme1n1p1, held by md0 (an active dm or md device)"
	assert_line "$THIRD 1b36:0010 nvme -> vfio-pci"
}

# --- multipath, VMD, any depth ------------------------------------------------

@test "a multipath NVMe namespace keeps every controller of its subsystem" {
	fake_root "vfio-pci.ids=1b36:0010 root=/dev/nvme0n1"
	fake_vfio_loaded
	for addr in "$ROOTC" "$SPARE" "$THIRD"; do
		fake_function "$addr" 1b36:0010 class=0x010802 driver=nvme
	done
	fake_multipath_ns nvme-subsys0 nvme0n1 259:0 nvme0="$ROOTC" nvme1="$SPARE"
	fake_disk "$THIRD" nvme2n1 259:5
	plan -3
	assert_line "$ROOTC 1b36:0010 skip: carries root (nvme0n1, /dev/nvme0n1)"
	assert_line "$SPARE 1b36:0010 skip: carries root (nvme0n1, /dev/nvme0n1)"
	assert_line "$THIRD 1b36:0010 nvme -> vfio-pci"
}

@test "a multipath NVMe root that lists no controller keeps every storage controller" {
	fake_root "vfio-pci.ids=1b36:0010 root=/dev/nvme0n1"
	fake_vfio_loaded
	fake_function "$ROOTC" 1b36:0010 class=0x010802 driver=nvme
	fake_function "$SPARE" 1b36:0010 class=0x010802 driver=nvme
	fake_multipath_ns nvme-subsys0 nvme0n1 259:0
	fake_disk "$SPARE" nvme1n1 259:5
	plan -3
	assert_line "$SPARE 1b36:0010 skip: the NVMe multipath device nvme0n1 (carries root (nvme0n1, /dev/nvme0n1)) lists no controller, so no storage controller is taken"
	# counterpart: the subsystem names its controller
	ln -s "../../pci0000:00/$ROOTC/nvme/nvme0" "$ROOT/sys/devices/virtual/nvme-subsystem/nvme-subsys0/nvme0"
	mkdir -p "$ROOT/sys/devices/pci0000:00/$ROOTC/nvme/nvme0"
	plan -3
	assert_line "$SPARE 1b36:0010 nvme -> vfio-pci"
}

@test "a VMD controller that hosts the root's NVMe drive is kept; another is taken" {
	fake_root "vfio-pci.ids=8086:201d root=/dev/nvme0n1p2"
	fake_vfio_loaded
	fake_function 0000:00:0e.0 8086:201d class=0x010400 driver=vmd
	fake_function 0000:00:0f.0 8086:201d class=0x010400 driver=vmd
	fake_vmd_disk 0000:00:0e.0 10000:01:00.0 nvme0n1 259:0
	fake_partition nvme0n1 nvme0n1p2 2 259:2
	fake_vmd_disk 0000:00:0f.0 10001:01:00.0 nvme1n1 259:3
	plan -3
	assert_line "0000:00:0e.0 8086:201d skip: carries root (nvme0n1p2, /dev/nvme0n1p2)"
	assert_line "0000:00:0f.0 8086:201d vmd -> vfio-pci"
}

# --- long mount tables -------------------------------------------------------

@test "a mount after 64 KiB of mount table is still seen" {
	local lines=() i
	three_nvme "root=/dev/nvme0n1p1"
	lines+=("21 1 259:1 / / rw - ext4 /dev/nvme0n1p1 rw")
	for ((i = 0; i < 800; i++)); do
		lines+=("$((100 + i)) 21 0:$((60 + i)) / /var/lib/kubelet/pods/0b1c2d3e-$i/volumes/kubernetes.io~projected/kube-api-access rw,relatime shared:$i - tmpfs tmpfs rw,size=65536k")
	done
	lines+=("999 21 259:4 / /srv rw - ext4 /dev/nvme1n1p1 rw")
	fake_mountinfo "${lines[@]}"
	[[ $(stat -c %s "$ROOT/proc/self/mountinfo") -gt 65536 ]]
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$SPARE" "$THIRD"
	assert_line "$SPARE 1b36:0010 skip: carries nvme1n1p1, mounted on /srv"
	assert_line "$THIRD 1b36:0010 nvme -> vfio-pci"
}

# --- the kernel's reading of root= and resume= --------------------------------

@test "root= after -- is init's, not the kernel's" {
	three_nvme "root=/dev/nvme0n1p2 -- root=/dev/nvme1n1p2"
	plan
	assert_line "$ROOTC 1b36:0010 skip: carries root (nvme0n1p2, /dev/nvme0n1p2)"
	assert_line "$SPARE 1b36:0010 nvme -> vfio-pci"
}

@test "a quoted root=\"LABEL=my disk\" is one value, as next_arg() reads it" {
	three_nvme 'root="LABEL=my disk" quiet'
	fake_fs nvme1n1p2 ext4 "$UUID" "my disk"
	plan
	assert_line "$SPARE 1b36:0010 skip: carries root (nvme1n1p2, LABEL=my disk)"
	assert_line "$ROOTC 1b36:0010 nvme -> vfio-pci"
}

@test "resume=none and an empty resume= name no device" {
	three_nvme "root=/dev/nvme0n1p2 resume=none"
	plan
	assert_line "$ROOTC 1b36:0010 skip: carries root (nvme0n1p2, /dev/nvme0n1p2)"
	assert_line "$SPARE 1b36:0010 nvme -> vfio-pci"
	fake_cmdline "vfio-pci.ids=1b36:0010 root=/dev/nvme0n1p2 resume="
	plan
	assert_line "$SPARE 1b36:0010 nvme -> vfio-pci"
	# counterpart: a resume= that is not there keeps every storage controller
	fake_cmdline "vfio-pci.ids=1b36:0010 root=/dev/nvme0n1p2 resume=UUID=$UUID"
	plan
	assert_line "$SPARE 1b36:0010 skip: resume UUID=$UUID is not found among the block devices, so no storage controller is taken"
}

@test "dracut's live: forms: a local label is resolved, a URL is the network, an image file is unsure" {
	three_nvme "root=live:CDLABEL=Fedora-WS-Live rd.live.image"
	fake_fs nvme1n1 ext4 "$UUID" Fedora-WS-Live
	plan
	assert_line "$SPARE 1b36:0010 skip: carries root (nvme1n1, live:CDLABEL=Fedora-WS-Live)"
	assert_line "$ROOTC 1b36:0010 nvme -> vfio-pci"
	fake_cmdline "vfio-pci.ids=1b36:0010 root=live:UUID=$UUID"
	plan
	assert_line "$SPARE 1b36:0010 skip: carries root (nvme1n1, live:UUID=$UUID)"
	fake_cmdline "vfio-pci.ids=1b36:0010 root=live:https://boot.example/live.img"
	plan -0
	fake_cmdline "vfio-pci.ids=1b36:0010 root=live:/images/live.iso"
	plan
	assert_line "$ROOTC 1b36:0010 skip: root live:/images/live.iso is no block device that can be told, so no storage controller is taken"
}

# --- network roots -------------------------------------------------------------

NIC_A=0000:05:00.0
NIC_B=0000:06:00.0

two_nics() {
	fake_root "vfio-pci.ids=8086:1533 $1"
	fake_vfio_loaded
	fake_function "$NIC_A" 8086:1533 class=0x020000 driver=igb
	fake_function "$NIC_B" 8086:1533 class=0x020000 driver=igb
	fake_netdev "$NIC_A" eno1 52:54:00:12:34:56
	fake_netdev "$NIC_B" eno2 52:54:00:65:43:21
}

@test "before udev, a network root defers the network controllers" {
	two_nics "root=/dev/nfs nfsroot=10.0.0.1:/srv/root ip=dhcp"
	plan -0 --defer-storage
	assert_line "$NIC_A 8086:1533 defer: a network controller waits for the storage guard's pass: the root is on the network"
	# counterpart: with a local root they are taken at once
	fake_cmdline "vfio-pci.ids=8086:1533 root=UUID=$UUID"
	plan --defer-storage
	assert_line "$NIC_A 8086:1533 igb -> vfio-pci"
}

@test "a network root keeps the NIC that has its routes; the other is taken" {
	two_nics "root=/dev/nfs nfsroot=10.0.0.1:/srv/root ip=dhcp"
	fake_routes "eno1 0000000A 00000000 00FFFFFF"
	plan -3
	assert_line "$NIC_A 8086:1533 skip: its interface eno1 has a route to 10.0.0.0/24 and the root is on the network"
	assert_line "$NIC_B 8086:1533 igb -> vfio-pci"
}

@test "a network root keeps the NIC named by ip=, BOOTIF= or ifname=" {
	two_nics "root=nfs:10.0.0.1:/srv/root ip=10.0.0.5::10.0.0.1:255.255.255.0:node1:eno2:off"
	plan
	assert_line "$NIC_B 8086:1533 skip: its interface eno2 reaches the network root (ip=10.0.0.5::10.0.0.1:255.255.255.0:node1:eno2:off)"
	assert_line "$NIC_A 8086:1533 igb -> vfio-pci"
	fake_cmdline "vfio-pci.ids=8086:1533 root=/dev/nfs BOOTIF=01-52-54-00-12-34-56"
	plan
	assert_line "$NIC_A 8086:1533 skip: its interface eno1 is the boot interface (BOOTIF=01-52-54-00-12-34-56)"
	assert_line "$NIC_B 8086:1533 igb -> vfio-pci"
	fake_cmdline "vfio-pci.ids=8086:1533 netroot=iscsi:10.0.0.1::::iqn.2024-01.example:root ifname=bootnet:52:54:00:65:43:21"
	plan
	assert_line "$NIC_B 8086:1533 skip: its interface is named for the network root (ifname=bootnet:52:54:00:65:43:21)"
	assert_line "$NIC_A 8086:1533 igb -> vfio-pci"
}

@test "a network root whose interface is not found keeps every network controller" {
	two_nics "root=/dev/nfs ip=dhcp"
	fake_function 0000:0b:00.0 10de:1c30 driver=nouveau
	fake_cmdline "vfio-pci.ids=8086:1533,10de:1c30 root=/dev/nfs ip=dhcp"
	plan -3
	assert_line "$NIC_A 8086:1533 skip: the root is on the network and the interface that reaches it is not found, so no network controller is taken"
	assert_line "0000:0b:00.0 10de:1c30 nouveau -> vfio-pci"
}

@test "bind refuses a NIC whose interface carries the default route, and names it" {
	two_nics "root=UUID=$UUID"
	fake_routes "eno2 00000000 0102A8C0 00000000" "eno2 0002A8C0 00000000 00FFFFFF"
	run -3 --separate-stderr vfio_bind_traced bind "$NIC_B"
	stderr_has "$NIC_B [8086:1533] not taken: its interface eno2 carries the default route (via 192.168.2.1)"
	run sysfs_writes
	assert_output ""
	# counterpart: the NIC without the route is taken
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$NIC_A"
	assert_output "$NIC_A 8086:1533 igb -> vfio-pci"
}

@test "bind follows a bridge, a bond and a VLAN to the NICs under the default route" {
	two_nics "root=UUID=$UUID"
	# Proxmox's default network: vmbr0 over eno1
	fake_stacked_netdev vmbr0 eno1
	fake_routes "vmbr0 00000000 0102A8C0 00000000" "vmbr0 0002A8C0 00000000 00FFFFFF"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$NIC_A" "$NIC_B"
	assert_line "$NIC_A 8086:1533 skip: its interface vmbr0 carries the default route (via 192.168.2.1), through eno1"
	# control: the NIC under no route is taken
	assert_line "$NIC_B 8086:1533 igb -> vfio-pci"
	# a VLAN over a bond over both NICs: both kept
	fake_stacked_netdev bond0 eno1 eno2
	fake_stacked_netdev bond0.100 bond0
	fake_routes "bond0.100 00000000 0102A8C0 00000000"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$NIC_A" "$NIC_B"
	assert_line "$NIC_A 8086:1533 skip: its interface bond0.100 carries the default route (via 192.168.2.1), through eno1"
	assert_line "$NIC_B 8086:1533 skip: its interface bond0.100 carries the default route (via 192.168.2.1), through eno2"
}

# --- the management NIC at boot -------------------------------------------------

# record_nics LINE...: the image's record of the management NICs
record_nics() {
	mkdir -p "$ROOT/etc/vfio-bind"
	printf '%s\n' "$@" >"$ROOT/etc/vfio-bind/management-nics"
}

@test "management-nics records the NIC under the default route, through a bridge, with its IDs and MAC" {
	two_nics "root=UUID=$UUID"
	fake_stacked_netdev vmbr0 eno1
	fake_routes "vmbr0 00000000 0102A8C0 00000000" "vmbr0 0002A8C0 00000000 00FFFFFF"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" management-nics
	assert_output "$NIC_A 8086:1533 52:54:00:12:34:56 vmbr0"
	# control: with the route on a bond over both, both are recorded
	fake_stacked_netdev bond0 eno1 eno2
	fake_routes "bond0 00000000 0102A8C0 00000000"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" management-nics
	assert_output "$NIC_A 8086:1533 52:54:00:12:34:56 bond0
$NIC_B 8086:1533 52:54:00:65:43:21 bond0"
	# no default route: nothing, and stderr says so
	fake_routes "bond0 0002A8C0 00000000 00FFFFFF"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" management-nics
	assert_output ""
	assert_equal "$stderr" "vfio-bind: no PCI function carries a default route: nothing to keep at boot"
}

@test "management-nics records a default route it cannot follow as unsure" {
	two_nics "root=UUID=$UUID"
	fake_stacked_netdev wg0
	fake_routes "wg0 00000000 0100000A 00000000"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" management-nics
	assert_output --regexp "^unsure .*wg0"
}

@test "at boot, the recorded management NIC is kept although vfio-pci.ids= names its model; by address it is taken" {
	two_nics "root=UUID=$UUID"
	record_nics "$NIC_A 8086:1533 52:54:00:12:34:56 vmbr0"
	plan -3
	assert_line "$NIC_A 8086:1533 skip: it carried the default route on vmbr0 (MAC 52:54:00:12:34:56) when this image was built; vfio-bind.addrs=$NIC_A takes it"
	# control: the identical NIC that was not under the route
	assert_line "$NIC_B 8086:1533 igb -> vfio-pci"
	# named by address, it is taken
	fake_cmdline "vfio-pci.ids=8086:1533 vfio-bind.addrs=$NIC_A root=UUID=$UUID"
	plan -0
	assert_line "$NIC_A 8086:1533 igb -> vfio-pci"
	# and the pass before udev keeps it too
	fake_cmdline "vfio-pci.ids=8086:1533 root=UUID=$UUID"
	plan -3 --defer-storage
	assert_line "$NIC_A 8086:1533 skip: it carried the default route on vmbr0 (MAC 52:54:00:12:34:56) when this image was built; vfio-bind.addrs=$NIC_A takes it"
}

@test "at boot, a recorded NIC no longer at its address keeps every function of its model" {
	two_nics "root=UUID=$UUID"
	fake_function 0000:09:00.0 1af4:1041 class=0x020000 driver=virtio-pci
	record_nics "0000:09:00.0 8086:1533 52:54:00:12:34:56 vmbr0"
	plan -3
	assert_line "$NIC_A 8086:1533 skip: the NIC that carried the default route when this image was built (vmbr0 on 0000:09:00.0) is not at its address, so no 8086:1533 is taken; vfio-bind.addrs= takes one"
	assert_line "$NIC_B 8086:1533 skip: the NIC that carried the default route when this image was built (vmbr0 on 0000:09:00.0) is not at its address, so no 8086:1533 is taken; vfio-bind.addrs= takes one"
	# control: a record of another model there changes nothing
	record_nics "0000:09:00.0 1af4:1041 52:54:00:12:34:56 vmbr0"
	plan -0
	assert_line "$NIC_A 8086:1533 igb -> vfio-pci"
}

@test "the image builders record what management-nics finds, and the boot keeps it; a helper that fails leaves an unsure record" {
	two_nics "root=UUID=$UUID"
	fake_stacked_netdev vmbr0 eno2
	fake_routes "vmbr0 00000000 0102A8C0 00000000"
	local helper=$BATS_TEST_TMPDIR/helper image=$BATS_TEST_TMPDIR/image
	printf '#!/bin/sh\nexec "%s" --root "%s" "$@"\n' "$VFIO_BIND" "$ROOT" >"$helper"
	chmod +x "$helper"
	# shellcheck source=/dev/null
	. "$BATS_TEST_DIRNAME/../../hook/vfio-bind-build.sh"
	run -0 vfio_bind_record_management_nics "$helper" "$image"
	run -0 cat "$image/etc/vfio-bind/management-nics"
	assert_output "$NIC_B 8086:1533 52:54:00:65:43:21 vmbr0"
	# the boot, where nothing carries a route yet, reads the image's record
	rm "$ROOT/proc/net/route"
	mkdir -p "$ROOT/etc"
	cp -r "$image/etc/vfio-bind" "$ROOT/etc/"
	plan -3
	assert_line "$NIC_B 8086:1533 skip: it carried the default route on vmbr0 (MAC 52:54:00:65:43:21) when this image was built; vfio-bind.addrs=$NIC_B takes it"
	assert_line "$NIC_A 8086:1533 igb -> vfio-pci"
	# a helper that fails: status 1, and the record keeps every NIC
	printf '#!/bin/sh\nexit 1\n' >"$helper"
	run -1 vfio_bind_record_management_nics "$helper" "$image"
	cp -r "$image/etc/vfio-bind" "$ROOT/etc/"
	plan -3
	assert_line "$NIC_A 8086:1533 skip: when this image was built, the NICs under the default routes could not be recorded, so no network controller is taken"
	# the operator's own file under the root is carried as it is
	mkdir -p "$BATS_TEST_TMPDIR/host/etc/vfio-bind"
	echo "$NIC_A 8086:1533 52:54:00:12:34:56 eno1" >"$BATS_TEST_TMPDIR/host/etc/vfio-bind/management-nics"
	run -0 vfio_bind_record_management_nics "$helper" "$image" "$BATS_TEST_TMPDIR/host"
	run -0 cat "$image/etc/vfio-bind/management-nics"
	assert_output "$NIC_A 8086:1533 52:54:00:12:34:56 eno1"
}

@test "at boot, an unsure record or one that cannot be read keeps every network controller" {
	two_nics "root=UUID=$UUID"
	fake_function 0000:0b:00.0 10de:1c30 driver=nouveau
	fake_cmdline "vfio-pci.ids=8086:1533,10de:1c30 root=UUID=$UUID"
	record_nics "unsure the interface wg0 under the default route leads to no device"
	plan -3
	assert_line "$NIC_A 8086:1533 skip: when this image was built, the interface wg0 under the default route leads to no device, so no network controller is taken"
	assert_line "0000:0b:00.0 10de:1c30 nouveau -> vfio-pci"
	record_nics "not a record"
	plan -3
	assert_line "$NIC_B 8086:1533 skip: /etc/vfio-bind/management-nics has a line that is not ADDRESS VENDOR:DEVICE MAC INTERFACE (not a record), so no network controller is taken"
}

@test "bind follows an Open vSwitch bridge to the ports of the datapath" {
	two_nics "root=UUID=$UUID"
	# br-ex is an internal port: the kernel links eno1 only to ovs-system
	fake_stacked_netdev ovs-system eno1
	fake_stacked_netdev br-ex
	fake_routes "br-ex 00000000 0102A8C0 00000000"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$NIC_A" "$NIC_B"
	assert_line "$NIC_A 8086:1533 skip: its interface br-ex carries the default route (via 192.168.2.1), through eno1"
	assert_line "$NIC_B 8086:1533 igb -> vfio-pci"
}

@test "a virtual interface under the default route that leads to no device keeps every network controller" {
	two_nics "root=UUID=$UUID"
	fake_function 0000:0b:00.0 10de:1c30 driver=nouveau
	fake_stacked_netdev wg0
	fake_routes "wg0 00000000 00000000 00000000"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$NIC_A" 0000:0b:00.0
	assert_line "$NIC_A 8086:1533 skip: the interface wg0 is virtual and over no device vfio-bind can follow, so no network controller is taken"
	assert_line "0000:0b:00.0 10de:1c30 nouveau -> vfio-pci"
	# control: the loopback device is no interface to follow
	echo 772 >"$ROOT/sys/devices/virtual/net/wg0/type"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$NIC_A"
}

@test "bind keeps the physical function of a virtual function under the default route" {
	local pf=0000:3b:00.0 vf=0000:3b:02.0 other=0000:3b:00.1
	fake_root "root=UUID=$UUID"
	fake_vfio_loaded
	fake_function "$pf" 15b3:1017 class=0x020000 driver=mlx5_core sriov=8
	fake_function "$other" 15b3:1017 class=0x020000 driver=mlx5_core sriov=8
	fake_function "$vf" 15b3:1018 class=0x020000 driver=mlx5_core physfn="$pf"
	fake_netdev "$pf" ens1f0np0 52:54:00:00:00:01
	fake_netdev "$other" ens1f1np1 52:54:00:00:00:02
	fake_netdev "$vf" ens1f0v0 52:54:00:00:00:03
	fake_routes "ens1f0v0 00000000 0102A8C0 00000000"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$pf" "$vf" "$other"
	assert_line "$pf 15b3:1017 skip: its interface ens1f0v0 carries the default route (via 192.168.2.1), through its virtual function $vf"
	assert_line "$vf 15b3:1018 skip: its interface ens1f0v0 carries the default route (via 192.168.2.1)"
	# control: the other port's function is taken
	assert_line "$other 15b3:1017 mlx5_core -> vfio-pci"
}

@test "bind keeps an InfiniBand HCA (class 0c06) whose interface carries the default route" {
	local hca=0000:5e:00.0
	fake_root "root=UUID=$UUID"
	fake_vfio_loaded
	fake_function "$hca" 15b3:1003 class=0x0c0600 driver=mlx4_core
	fake_netdev "$hca" ib0 80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0f:a0:01
	fake_routes "ib0 00000000 0102A8C0 00000000"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$hca"
	assert_line "$hca 15b3:1003 skip: its interface ib0 carries the default route (via 192.168.2.1)"
	# control: without the route it is taken
	fake_routes "ib0 0002A8C0 00000000 00FFFFFF"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$hca"
	assert_line "$hca 15b3:1003 mlx4_core -> vfio-pci"
}

@test "bind refuses a NIC that carries an established TCP session" {
	two_nics "root=UUID=$UUID"
	fake_routes "eno1 0000A8C0 00000000 00FFFFFF" "eno2 0001A8C0 00000000 00FFFFFF"
	printf '%s\n' \
		'  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode' \
		'   0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0' \
		'   1: 0501A8C0:0016 0A01A8C0:D431 01 00000000:00000000 02:000A7B2B 00000000     0        0 2 4 0 20 4 30 10 -1' \
		'   2: 0500A8C0:0016 0A00A8C0:D432 06 00000000:00000000 00:00000000 00000000     0        0 0 3 0 0 0 0 0 0' \
		>"$ROOT/proc/net/tcp"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$NIC_A" "$NIC_B"
	assert_line "$NIC_B 8086:1533 skip: its interface eno2 carries an established TCP session (192.168.1.5:22)"
	# counterpart: eno1's only session is in TIME_WAIT (06): it is taken
	assert_line "$NIC_A 8086:1533 igb -> vfio-pci"
}

@test "bind refuses a NIC that carries an established TCP session over IPv6" {
	two_nics "root=UUID=$UUID"
	mkdir -p "$ROOT/proc/net"
	printf '%s\n' \
		'20010db8000000000000000000000005 02 40 00 80     eno2' \
		'fe800000000000005054fffe123456aa 03 40 20 80     eno1' \
		'00000000000000000000000000000001 01 80 10 80       lo' >"$ROOT/proc/net/if_inet6"
	# tcp6_seq_show() prints each 32-bit word in host order (x86: reversed)
	printf '%s\n' \
		'  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode' \
		'   0: B80D0120000000000000000005000000:0016 B80D0120000000000000000009000000:C001 01 00000000:00000000 02:00000000 00000000     0        0 7 1 0 20 4 30 10 -1' \
		'   1: 00000000000000000000000001000000:0277 00000000000000000000000001000000:E002 01 00000000:00000000 00:00000000 00000000     0        0 8 1 0 20 4 30 10 -1' \
		>"$ROOT/proc/net/tcp6"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$NIC_A" "$NIC_B"
	assert_line "$NIC_B 8086:1533 skip: its interface eno2 carries an established TCP session over IPv6 (port 22)"
	# counterpart: eno1's address has no session (the loopback one is lo's)
	assert_line "$NIC_A 8086:1533 igb -> vfio-pci"
}
