#!/usr/bin/env bats
# No file under the root is read twice in one run: the boot's configuration
# (struct boot_config: proc/cmdline, modprobe.d, driverctl.d) and vfio's
# parameters once, every sysfs and procfs file and directory once, the
# block devices listed once for the guard (guard/disk-map.c). Only the
# bind itself reads again what changes under it: driver and
# driver_override, the modules' state once vfio-pci is loaded, and the
# disks it claims right before each unbind (guard/claim.c). The reads
# under the root are counted with strace.

load common

setup() {
	fake_workstation "$BATS_TEST_TMPDIR/root"
	mkdir -p "$ROOT/etc/modprobe.d" "$ROOT/etc/driverctl.d"
	echo "options vfio-pci ids=10de:1c30,144d:a808 disable_idle_d3=1" >"$ROOT/etc/modprobe.d/vfio.conf"
	echo "blacklist nouveau" >"$ROOT/etc/modprobe.d/nouveau.conf"
	echo vfio-pci >"$ROOT/etc/driverctl.d/pci-0000:03:00.0"
	echo "quiet vfio-pci.ids=10de:10f1 root=/dev/nvme0n1p1" >"$ROOT/proc/cmdline"
	# the root on one NVMe drive, an md array on two more, a NIC with
	# the default route: the guard reads all of them
	fake_function 0000:04:00.0 144d:a808 class=0x010802 driver=nvme subsys=144d:a801
	fake_function 0000:05:00.0 144d:a808 class=0x010802 driver=nvme subsys=144d:a801
	fake_disk 0000:02:00.0 nvme0n1 259:0
	fake_partition nvme0n1 nvme0n1p1 1 259:1
	fake_disk 0000:04:00.0 nvme1n1 259:2
	fake_disk 0000:05:00.0 nvme2n1 259:3
	fake_stacked md0 9:0 - nvme1n1 nvme2n1
	fake_netdev 0000:03:00.0 eno1 52:54:00:12:34:56
	fake_routes "eno1 00000000 0102A8C0 00000000"
	fake_mountinfo "22 1 259:1 / / rw - ext4 /dev/nvme0n1p1 rw"
}

# reads TRACE: the paths under the root that TRACE shows read (opened
# without O_WRONLY or O_RDWR, or a link read), one line each time (the
# helper opens the root by its absolute path, then every file relative to
# it; the loader's and the sanitizers' absolute paths are not the root's;
# an O_PATH open only looks a path up, as stat() would)
reads() {
	grep -v -e O_PATH -e O_WRONLY -e O_RDWR "$1" |
		grep -o '\(openat2\?\|readlinkat\)([0-9]\+, "[^/"][^"]*"' | sed 's/^[^"]*"//; s/"$//'
}

# read_twice TRACE: the paths read more than once, with their counts
read_twice() {
	reads "$1" | sort | uniq -c | awk '$1 > 1'
}

# trace ARG...: run vfio-bind --root $ROOT ARG... under strace into
# $BATS_TEST_TMPDIR/trace
trace() {
	strace_helper -f -qq -e trace=open,openat,openat2,readlinkat \
		-o "$BATS_TEST_TMPDIR/trace" "$VFIO_BIND" --root "$ROOT" "$@" >/dev/null 2>&1 || :
	grep -q '"proc/cmdline"' "$BATS_TEST_TMPDIR/trace" ||
		fail "vfio-bind $* read no proc/cmdline: the trace sees nothing"
}

@test "the boot job, list, check, bind and ids read no file twice" {
	local cmd
	for cmd in --dry-run list check "bind --dry-run 0b:00 02:00.0 04:00.0" \
		"ids 0b:00 02:00.0 04:00.0"; do
		# shellcheck disable=SC2086 # a command and its arguments
		trace $cmd
		run read_twice "$BATS_TEST_TMPDIR/trace"
		[[ -z $output ]] || fail "$cmd read these more than once: $output"
	done
}

@test "the guard's reads: the block devices, their stacks, the mounts and the routes" {
	trace --dry-run
	run reads "$BATS_TEST_TMPDIR/trace"
	assert_line sys/class/block
	assert_line sys/class/block/md0/holders
	assert_line proc/self/mountinfo
	assert_line proc/net/route
}

@test "a bind reads again only what changes under it" {
	local path
	trace bind 0b:00
	run read_twice "$BATS_TEST_TMPDIR/trace"
	[[ -n $output ]] || fail "the bind read nothing twice: the trace misses its re-reads"
	while read -r _ path; do
		case $path in
		sys/bus/pci/devices/*/driver | sys/bus/pci/devices/*/driver_override) ;;
		sys/module | sys/module/*/initstate) ;;
		sys/class/block | sys/class/block/*/hidden | dev/*) ;;
		*) fail "the bind read $path more than once" ;;
		esac
	done <<<"$output"
}

@test "control: two runs in one trace show every file read more than once" {
	local trace=$BATS_TEST_TMPDIR/trace
	strace_helper -f -qq -e trace=open,openat,openat2,readlinkat -o "$trace" \
		sh -c '"$1" --root "$2" --dry-run; "$1" --root "$2" --dry-run' sh "$VFIO_BIND" "$ROOT" \
		>/dev/null 2>&1 || :
	run read_twice "$trace"
	assert_line --regexp '^ +[0-9]+ proc/cmdline$'
	assert_line --regexp '^ +[0-9]+ etc/modprobe.d/vfio.conf$'
	assert_line --regexp '^ +[0-9]+ etc/driverctl.d$'
	assert_line --regexp '^ +[0-9]+ sys/class/block$'
	assert_line --regexp '^ +[0-9]+ proc/self/mountinfo$'
}

@test "a sysfs attribute costs one read() and no fstat(); a procfs file is read to its end" {
	local trace=$BATS_TEST_TMPDIR/trace opens reads
	strace_helper -f -qq -y -e trace=openat,openat2,read,fstat,newfstatat -o "$trace" \
		"$VFIO_BIND" --root "$ROOT" --dry-run >/dev/null 2>&1 || :
	# (strace -y shows each fd's path; config, a binary attribute, is
	# read with pread() at its offsets)
	opens=$(grep -E '^[0-9]+ +openat2?\(' "$trace" | grep -v -e O_PATH -e O_DIRECTORY |
		grep "= [0-9]*<$ROOT/sys/" | grep -vc '/config>$' || :)
	reads=$(grep -c "^[0-9]* *read([0-9]*<$ROOT/sys/" "$trace" || :)
	[[ $opens -ge 10 ]] || fail "the trace shows $opens attributes opened: it sees nothing"
	assert_equal "$reads" "$opens"
	# (fdopendir() asks a directory's type; an attribute's is not asked)
	run grep -E "^[0-9]+ +(newfstatat|fstat)\([0-9]+<$ROOT/sys/" "$trace"
	refute_output --partial S_IFREG
	# control: the mount table is read until read() says its end
	run grep -c "^[0-9]* *read([0-9]*<$ROOT/proc/self/mountinfo>" "$trace"
	[[ $output -ge 2 ]] || fail "mountinfo was read $output times, not to its end"
}
