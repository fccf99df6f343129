#!/usr/bin/env bats
# proc/bus/pci/devices rules out the functions no entry can match by vendor
# and device; the selection is the same as without it. Each case runs the
# same selection on the same tree with the file and without it.

load common

# The workstation, and: the same GPU model with another subsystem; a GPU in
# a second domain at the NIC's bus and devfn, and a NIC in a third at the
# first GPU's (the file has no domain column: each pair shares a slot, the
# matching line last in one, first in the other); an audio function the
# file does not list; a display controller of another vendor.
scan_tree() {
	fake_workstation "$1"
	fake_function 0000:0c:00.0 10de:1c30 class=0x030000 driver=nouveau subsys=10de:11b3
	fake_function 0001:03:00.0 10de:1c30 class=0x030000 driver=nouveau subsys=1028:11b3
	fake_function 0002:0b:00.0 8086:1533 class=0x020000 driver=igb subsys=8086:0001
	fake_function 0000:0d:00.0 10de:10f1 class=0x040300 driver=snd_hda_intel subsys=1028:11b3
	fake_proc_pci_drop 0000:0d:00.0
	fake_function 0000:0e:00.0 1234:1111 class=0x030000 driver=bochs-drm subsys=1af4:1100
}

# both_paths: runs the dry run with the file, then without it, and fails
# unless status, plan and messages are the same; leaves the first run's
# output in $output, $stderr and $status.
both_paths() {
	local file=$ROOT/proc/bus/pci/devices with_out with_err with_status
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	with_out=$output with_err=$stderr with_status=$status
	mv "$file" "$file.away"
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	mv "$file.away" "$file"
	assert_equal "$output" "$with_out"
	assert_equal "$stderr" "$with_err"
	assert_equal "$status" "$with_status"
}

# ids_read: how many functions' IDs the last run with the file read, as
# "N of M" from its debug line.
ids_read() {
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run -v
	sed -n 's/^vfio-bind: IDs read for \([0-9]* of [0-9]*\) PCI functions$/\1/p' <<<"$stderr"
}

# same_plan_both_ways CMDLINE READ ADDR...: on the tree with CMDLINE, the
# dry run succeeds with the same plan both ways, for vfio-pci to take the
# functions ADDR..., and with the file it reads the IDs of READ ("N of M")
# functions.
same_plan_both_ways() {
	scan_tree "$1"
	both_paths
	assert_success
	assert_equal "$(cut -d' ' -f1 <<<"$output" | xargs)" "${*:3}"
	[[ $(grep -vc -- '-> vfio-pci$' <<<"$output") == 0 ]] || fail "$output"
	assert_equal "$(ids_read)" "$2"
}

@test "vendor:device: the same plan with and without the file, which rules most functions out" {
	# read: the GPUs, the NICs that share their slots, the function the
	# file does not list
	same_plan_both_ways "vfio-pci.ids=10de:1c30" "6 of 10" \
		0000:0b:00.0 0000:0c:00.0 0001:03:00.0
}

@test "a subsystem-specific entry: the same plan both ways; the GPU of the other subsystem is read, not taken" {
	same_plan_both_ways "vfio-pci.ids=10de:1c30:1028:11b3" "6 of 10" \
		0000:0b:00.0 0001:03:00.0
}

@test "a class-only entry: the same plan both ways; the file rules nothing out" {
	# vfio_pci_fill_ids() needs vendor and device fields: PCI_ANY_ID
	same_plan_both_ways "vfio-pci.ids=ffffffff:ffffffff:ffffffff:ffffffff:030000:ff0000" \
		"10 of 10" 0000:0b:00.0 0000:0c:00.0 0000:0e:00.0 0001:03:00.0
}

@test "a class entry without vendor and device is refused both ways, as vfio-pci refuses it" {
	scan_tree "vfio-pci.ids=::::030000:ff0000"
	both_paths
	stderr_has "::::030000:ff0000"
	assert_output ""
}

@test "a function in sysfs that the file does not list is read the slow way and taken" {
	# read: 0b:00.1, and 0d:00.0 that the file does not list
	same_plan_both_ways "vfio-pci.ids=10de:10f1" "2 of 10" \
		0000:0b:00.1 0000:0d:00.0
}

@test "a function selected by address is read though the file rules its IDs out" {
	same_plan_both_ways "vfio-pci.ids=10de:10f1 vfio-bind.addrs=0000:03:00.0" "3 of 10" \
		0000:03:00.0 0000:0b:00.1 0000:0d:00.0
}

@test "a function the file rules out has none of its attributes opened" {
	scan_tree "vfio-pci.ids=10de:10f1"
	run -0 strace_helper -qq -f -e trace=openat,openat2,readlinkat -o "$BATS_TEST_TMPDIR/trace" \
		"$VFIO_BIND" --root "$ROOT" --dry-run
	run grep -c 'devices/0000:02:00.0/' "$BATS_TEST_TMPDIR/trace"
	assert_output 0
	# control: without the file, its vendor is read
	rm "$ROOT/proc/bus/pci/devices"
	run -0 strace_helper -qq -f -e trace=openat,openat2,readlinkat -o "$BATS_TEST_TMPDIR/trace" \
		"$VFIO_BIND" --root "$ROOT" --dry-run
	run grep -c 'devices/0000:02:00.0/vendor' "$BATS_TEST_TMPDIR/trace"
	assert_output 1
}

@test "a file with a line not as the kernel writes it is not used at all" {
	scan_tree "vfio-pci.ids=10de:1c30"
	echo "0300 80861533 0" >>"$ROOT/proc/bus/pci/devices"
	both_paths
	assert_success
	assert_line "0000:0c:00.0 10de:1c30 nouveau -> vfio-pci"
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run -v
	stderr_has "proc/bus/pci/devices not used, IDs read from sysfs: Invalid argument"
	stderr_has "IDs read for 10 of 10 PCI functions"
}

@test "without the file, every function's IDs are read, and the debug log says why" {
	scan_tree "vfio-pci.ids=10de:1c30"
	rm "$ROOT/proc/bus/pci/devices"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run -v
	stderr_has "proc/bus/pci/devices not used, IDs read from sysfs: No such file or directory"
	stderr_has "IDs read for 10 of 10 PCI functions"
}

# The script that runs in a private mount namespace: the running kernel's
# sysfs (read-only) and proc/bus/pci/devices under the fake root, the dry
# run with the file and again without it, each behind a marker.
live_script() {
	cat <<'SCRIPT'
set -eu
mount --bind /sys "$ROOT/sys"
mount -o remount,bind,ro "$ROOT/sys"
mount --bind /proc/bus/pci/devices "$ROOT/proc/bus/pci/devices"
echo "== with"
"$VFIO_BIND" --root "$ROOT" --dry-run -v 2>&1 || echo "status $?"
umount "$ROOT/proc/bus/pci/devices"
rm "$ROOT/proc/bus/pci/devices"
echo "== without"
"$VFIO_BIND" --root "$ROOT" --dry-run -v 2>&1 || echo "status $?"
SCRIPT
}

@test "the running kernel's proc/bus/pci/devices: parsed, and the same plan as without it" {
	[[ $(id -u) == 0 ]] || skip "needs root for mounts"
	[[ -r /proc/bus/pci/devices ]] || skip "this kernel has no /proc/bus/pci/devices"
	local dev ids all=0 same=0 other_domain=0 with without
	for dev in /sys/bus/pci/devices/*; do
		[[ -e $dev/vendor ]] || continue
		all=$((all + 1))
		ids=${ids:-$(cut -c3- "$dev/vendor"):$(cut -c3- "$dev/device")}
		[[ $(cut -c3- "$dev/vendor"):$(cut -c3- "$dev/device") == "$ids" ]] &&
			same=$((same + 1))
		[[ ${dev##*/} == 0000:* ]] || other_domain=1
	done
	((all > 0)) || skip "no PCI function here"
	fake_root "vfio-pci.ids=$ids"
	rm -r "$ROOT/sys"
	mkdir "$ROOT/sys"
	live_script >"$BATS_TEST_TMPDIR/live.sh"
	run -0 env ROOT="$ROOT" VFIO_BIND="$VFIO_BIND" \
		unshare --mount --propagation private bash "$BATS_TEST_TMPDIR/live.sh"
	with=$(sed -n '/^== with$/,/^== without$/p' <<<"$output" | sed '1d;$d')
	without=$(sed -n '/^== without$/,$p' <<<"$output" | sed '1d')
	[[ $with == *"IDs read for "*" of $all PCI functions"* ]] || fail "no count: $with"
	[[ $without == *"not used, IDs read from sysfs"* ]] || fail "$without"
	assert_equal "$(grep -v 'IDs read for\|not used' <<<"$with")" \
		"$(grep -v 'IDs read for\|not used' <<<"$without")"
	# one domain: exactly the functions with the selected IDs are read
	((other_domain)) || [[ $with == *"IDs read for $same of $all PCI"* ]] ||
		fail "want $same of $all read: $with"
}

@test "above 512 functions the file is not read: the kernel makes it in quadratic time" {
	# shellcheck source=../../bench/tree.bash
	. "$BATS_TEST_DIRNAME/../../bench/tree.bash"
	ROOT=$BATS_TEST_TMPDIR/root
	bench_tree "$ROOT" 513 fresh
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run -v
	stderr_has "over 512 PCI functions: proc/bus/pci/devices not used, IDs read from sysfs"
	stderr_has "IDs read for 513 of 513 PCI functions"
	assert_equal "${#lines[@]}" 4
	# control: at 512, it is
	rm "$ROOT/sys/bus/pci/devices/0000:02:00.0"
	sed -i '/^0200\t/d' "$ROOT/proc/bus/pci/devices"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run -v
	stderr_has "IDs read for 4 of 512 PCI functions"
	assert_equal "${#lines[@]}" 4
}
