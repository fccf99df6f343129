#!/usr/bin/env bats
# The guard asks the kernel: before it takes a function, it claims every
# disk under it (an exclusive open), which the kernel refuses while anything
# holds the disk, in any mount namespace, and holds the claims until the
# function has changed drivers. Here a loop device is the disk of a fake
# NVMe function (its node in the tree is the loop's), so the answers are
# the real kernel's and no PCI device is touched.

load common

ROOTC=0000:02:00.0 # the root's controller
SPARE=0000:03:00.0 # the loop device's

setup() {
	local devnum
	[[ $(id -u) == 0 ]] || skip "needs root (losetup, mount, unshare)"
	IMG=$BATS_TEST_TMPDIR/disk.img
	MNT=$BATS_TEST_TMPDIR/mnt
	mkdir -p "$MNT"
	truncate -s 32M "$IMG"
	LOOP=$(losetup -f --show "$IMG")
	mkfs.ext4 -q -F "$LOOP"
	devnum=$(cat "/sys/class/block/${LOOP#/dev/}/dev")
	fake_root "vfio-pci.ids=1b36:0010 root=/dev/nvme0n1"
	fake_vfio_loaded
	fake_function "$ROOTC" 1b36:0010 class=0x010802 driver=nvme
	fake_function "$SPARE" 1b36:0010 class=0x010802 driver=nvme
	fake_disk "$ROOTC" nvme0n1 259:0
	fake_disk "$SPARE" nvme1n1 "$devnum"
	mknod "$ROOT/dev/nvme1n1" b "${devnum%:*}" "${devnum#*:}"
}

teardown() {
	[[ -z ${LOOP2-} ]] || losetup -d "$LOOP2"
	[[ -z ${CHILD-} ]] || kill "$CHILD" 2>/dev/null || :
	[[ -z ${CHILD-} ]] || wait "$CHILD" 2>/dev/null || :
	mountpoint -q "$MNT" && umount "$MNT"
	[[ -z ${LOOP-} ]] || losetup -d "$LOOP"
}

# mounted_elsewhere: the loop device mounted in a child's own mount
# namespace, invisible in this one's mount table
mounted_elsewhere() {
	local ready=$BATS_TEST_TMPDIR/ready i
	unshare -m sh -c "mount -t ext4 '$LOOP' '$MNT' && : >'$ready' && exec sleep 60" &
	CHILD=$!
	for ((i = 0; i < 100; i++)); do
		[[ -e $ready ]] && break
		sleep 0.1
	done
	[[ -e $ready ]]
	run grep -c " ${LOOP} " /proc/self/mountinfo
	assert_output 0
}

@test "a disk mounted only in another mount namespace keeps its controller: the kernel refuses to claim it" {
	mounted_elsewhere
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$SPARE"
	assert_output "$SPARE 1b36:0010 skip: its disk nvme1n1 is in use (the kernel refuses to claim it: a mount in some mount namespace, swap, md, dm or ZFS holds it)"
	# control: unmounted (the namespace gone), the same disk is claimed
	kill "$CHILD"
	wait "$CHILD" || :
	CHILD=
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$SPARE"
	assert_output "$SPARE 1b36:0010 nvme -> vfio-pci"
}

@test "the claim is held across the unbind: a mount tried meanwhile fails" {
	local fifo=$ROOT/sys/bus/pci/drivers/nvme/unbind pid i held=
	# the unbind blocks until the test reads it: the helper waits there
	rm -f "$fifo"
	mkfifo "$fifo"
	"$VFIO_BIND" --root "$ROOT" bind "$SPARE" >/dev/null 2>&1 &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		if ls -l "/proc/$pid/fd" 2>/dev/null | grep -q " $ROOT/dev/nvme1n1\$"; then
			held=1
			break
		fi
		sleep 0.1
	done
	[[ -n $held ]]
	run mount -t ext4 "$LOOP" "$MNT"
	assert_failure
	# the helper goes on: the unbind gets the address
	run timeout 10 cat "$fifo"
	assert_output "$SPARE"
	wait "$pid" || :
	# control: claims released, the same mount works
	run mount -t ext4 "$LOOP" "$MNT"
	assert_success
}

@test "a loop device over the disk keeps its controller: the kernel lets the disk be claimed, loop/backing_file names it" {
	local name devnum
	LOOP2=$(losetup -f --show "$LOOP")
	name=${LOOP2#/dev/}
	# the loop driver does not claim the device it reads
	run -0 python3 -c 'import os, sys; os.close(os.open(sys.argv[1], os.O_RDONLY | os.O_EXCL))' "$LOOP"
	# the second loop device in the tree, with what the kernel shows for it
	fake_loop "$name" "$(cat "/sys/class/block/$name/dev")" \
		"$(cat "/sys/class/block/$name/loop/backing_file")"
	devnum=$(cat "/sys/class/block/${LOOP#/dev/}/dev")
	mknod "$ROOT/dev/${LOOP#/dev/}" b "${devnum%:*}" "${devnum#*:}"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$SPARE"
	assert_output "$SPARE 1b36:0010 skip: carries nvme1n1, the backing device of $name"
	# control: the loop device gone, the disk's controller is taken
	losetup -d "$LOOP2"
	LOOP2=
	rm -r "$ROOT/sys/class/block/$name"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$SPARE"
	assert_output "$SPARE 1b36:0010 nvme -> vfio-pci"
}
