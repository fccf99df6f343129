#!/usr/bin/env bats
# The storage guard against the real procfs: the kernel hands out
# /proc/self/mountinfo about one page per read(), and a busy host's table
# is far longer than 64 KiB. In a private mount namespace, 700 tmpfs mounts
# come first, then a real ext4 filesystem on a loop device; the fake tree
# maps the loop device to an NVMe function, and its proc/self/mountinfo is
# the real one, bind-mounted.

load common

ROOTC=0000:02:00.0
SPARE=0000:03:00.0
THIRD=0000:04:00.0

setup() {
	[[ $(id -u) == 0 ]] || skip "needs root for loop devices and mounts"
	LOOP=
}

teardown() {
	[[ -z ${LOOP:-} ]] || losetup -d "$LOOP" 2>/dev/null || :
}

# The script that runs inside the namespace: the mounts, then the helper
# twice (before the disk is mounted, and after), each plan behind a marker.
namespace_script() {
	cat <<'EOF'
set -eu
mnts=$BATS_TEST_TMPDIR/mnts
mkdir -p "$mnts" "$BATS_TEST_TMPDIR/data"
mount -t tmpfs -o size=64k busy "$mnts"
for i in $(seq 700); do
	mkdir "$mnts/$i"
	mount -t tmpfs -o size=4k "tmpfs-$i" "$mnts/$i"
done
: >"$ROOT/proc/self/mountinfo"
mount --bind "/proc/$$/mountinfo" "$ROOT/proc/self/mountinfo"
echo "mountinfo bytes $(wc -c <"/proc/$$/mountinfo")"
echo "== before"
"$VFIO_BIND" --root "$ROOT" bind --dry-run "$SPARE" "$THIRD" 2>/dev/null || echo "status $?"
mount -o ro "$LOOP" "$BATS_TEST_TMPDIR/data"
echo "== after"
"$VFIO_BIND" --root "$ROOT" bind --dry-run "$SPARE" "$THIRD" 2>/dev/null || echo "status $?"
EOF
}

@test "a disk mounted after 700 other mounts (over 64 KiB of real mountinfo) is refused" {
	local image=$BATS_TEST_TMPDIR/data.img majmin
	truncate -s 8M "$image"
	mkfs.ext4 -q -F "$image"
	LOOP=$(losetup -f --show "$image")
	majmin=$(cat "/sys/class/block/${LOOP#/dev/}/dev")

	fake_root "root=/dev/nvme0n1"
	fake_vfio_loaded
	for addr in "$ROOTC" "$SPARE" "$THIRD"; do
		fake_function "$addr" 1b36:0010 class=0x010802 driver=nvme
	done
	fake_disk "$ROOTC" nvme0n1 259:0
	fake_disk "$SPARE" nvme1n1 "$majmin"
	fake_disk "$THIRD" nvme2n1 259:9
	mkdir -p "$ROOT/proc/self"
	namespace_script >"$BATS_TEST_TMPDIR/ns.sh"

	run -0 env ROOT="$ROOT" LOOP="$LOOP" VFIO_BIND="$VFIO_BIND" SPARE="$SPARE" \
		THIRD="$THIRD" BATS_TEST_TMPDIR="$BATS_TEST_TMPDIR" \
		unshare --mount --propagation private bash "$BATS_TEST_TMPDIR/ns.sh"
	[[ ${lines[0]} =~ ^mountinfo\ bytes\ ([0-9]+)$ ]] || fail "no size line: ${lines[0]}"
	((BASH_REMATCH[1] > 65536)) || fail "mountinfo is only ${BASH_REMATCH[1]} bytes"
	# control: before the mount, both are taken
	assert_equal "${lines[1]}" "== before"
	assert_equal "${lines[2]}" "$SPARE 1b36:0010 nvme -> vfio-pci"
	assert_equal "${lines[3]}" "$THIRD 1b36:0010 nvme -> vfio-pci"
	# after it, the disk's controller is refused, the blank one taken
	assert_equal "${lines[4]}" "== after"
	assert_equal "${lines[5]}" "$SPARE 1b36:0010 skip: carries nvme1n1, mounted on $BATS_TEST_TMPDIR/data"
	assert_equal "${lines[6]}" "$THIRD 1b36:0010 nvme -> vfio-pci"
	assert_equal "${lines[7]}" "status 3"
}
