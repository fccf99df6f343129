#!/usr/bin/env bats
# The boot job's record in /run/vfio-bind/ (boot/record.c), and what check
# reads of it (commands/boot-record.c).

load common

ROOTC=0000:02:00.0 # carries nvme0n1, the system disk
SPARE=0000:03:00.0 # on vfio-pci already
GPU_ON=0000:0c:00.0 # on vfio-pci already
ROOTDISK="carries root (nvme0n1p2, /dev/nvme0n1p2)"

# The root's NVMe controller, another one and a GPU already on vfio-pci,
# and a GPU on nouveau, which a fake tree never lets vfio-pci take.
record_tree() {
	fake_root "vfio-pci.ids=1b36:0010,10de:1c30,10de:1b80 root=/dev/nvme0n1p2"
	fake_vfio_loaded
	fake_function "$ROOTC" 1b36:0010 class=0x010802 driver=nvme
	fake_disk "$ROOTC" nvme0n1 259:0
	fake_partition nvme0n1 nvme0n1p2 2 259:2
	fake_function "$SPARE" 1b36:0010 class=0x010802 driver=vfio-pci
	echo vfio-pci >"$ROOT/sys/devices/pci0000:00/$SPARE/driver_override"
	fake_function "$GPU_ON" 10de:1b80 class=0x030000 driver=vfio-pci
	echo vfio-pci >"$ROOT/sys/devices/pci0000:00/$GPU_ON/driver_override"
	fake_function "$GPU" 10de:1c30 class=0x030000 driver=nouveau
}

# record_field FILE EXPR: EXPR (Python, of r, the record) printed
record_field() {
	python3 -c 'import json,sys; r = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$ROOT/run/vfio-bind/$1" "$2"
}

@test "the boot job records each function's outcome, the guard's reason, the counts and the pass; the later pass keeps the earlier one's record" {
	record_tree
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" --defer-storage
	assert [ -e "$ROOT/run/vfio-bind/boot-early.json" ]
	assert [ ! -e "$ROOT/run/vfio-bind/boot-late.json" ]
	run -0 record_field boot-early.json '(r["schema"], r["version"], r["pass"], r["status"], r["selected"])'
	assert_output "(1, '$(cat "$BATS_TEST_DIRNAME/../../VERSION")', 'early', 3, True)"
	run -0 record_field boot-early.json '[(f["address"], f["ids"], f["outcome"], f["errno"]) for f in r["functions"]]'
	assert_output "[('$ROOTC', '1b36:0010', 'deferred', None), ('$SPARE', '1b36:0010', 'deferred', None), ('$GPU', '10de:1c30', 'failed', 19), ('$GPU_ON', '10de:1b80', 'unchanged', None)]"
	run -0 record_field boot-early.json 'r["functions"][0]["reason"]'
	assert_output "a storage controller waits for the storage guard's pass once the root device is there"
	run -0 record_field boot-early.json '(r["bound"], r["unchanged"], r["kept"], r["failed"], r["deferred"])'
	assert_output "(0, 1, 0, 1, 2)"
	run -0 record_field boot-early.json 'r["functions"][0]["selected_by"]'
	assert_output "vfio-pci.ids= on the kernel command line"
	# the driver each is on once the job is done: the failed bind rolled back
	run -0 record_field boot-early.json '[f["driver"] for f in r["functions"]]'
	assert_output "['nvme', 'vfio-pci', 'nouveau', 'vfio-pci']"
	run -0 record_field boot-early.json 'type(r["boottime"]).__name__'
	assert_output float

	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT"
	run -0 record_field boot-late.json '(r["pass"], r["functions"][0]["outcome"], r["functions"][0]["reason"])'
	assert_output "('late', 'kept', '$ROOTDISK')"
	run -0 record_field boot-late.json '(r["kept"], r["deferred"])'
	assert_output "(1, 0)"
	# the earlier pass's record is still there, as it was
	run -0 record_field boot-early.json 'r["functions"][0]["outcome"]'
	assert_output deferred
	# nothing is left of the temporary file
	run -0 ls -A "$ROOT/run/vfio-bind"
	assert_output "boot-early.json
boot-late.json"
}

@test "a boot job that selects nothing records so; a dry run records nothing" {
	record_tree
	fake_cmdline quiet
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --defer-storage
	run -0 record_field boot-early.json '(r["selected"], r["status"], r["functions"])'
	assert_output "(False, 0, [])"
	rm -r "$ROOT/run/vfio-bind"
	fake_cmdline "vfio-pci.ids=1b36:0010 root=/dev/nvme0n1p2"
	plan -0 --defer-storage
	assert [ ! -e "$ROOT/run/vfio-bind" ]
}

@test "a record that cannot be written is one warning; the status and the binds stay as they were" {
	record_tree
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" --defer-storage
	local want=$stderr
	rm -r "$ROOT/run/vfio-bind"
	ln -s "$BATS_TEST_TMPDIR/outside" "$ROOT/run/vfio-bind"
	mkdir "$BATS_TEST_TMPDIR/outside"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" --defer-storage
	assert [ ! -e "$BATS_TEST_TMPDIR/outside/boot-early.json" ]
	assert_equal "$(grep -v 'cannot write /run/vfio-bind' <<<"$stderr")" "$want"
	stderr_has "vfio-bind: cannot write /run/vfio-bind/boot-early.json (Not a directory): vfio-bind check cannot tell what this pass did; the functions are as the lines above say"
}

@test "check says what the boot job's record holds: when it ran, what it took and kept, and why" {
	record_tree
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" --defer-storage
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_output --regexp "WARN  the boot job ran at [0-9]+\.[0-9] s, before udev \(vfio-bind $(cat "$BATS_TEST_DIRNAME/../../VERSION")\): took 1 function \(1 on vfio-pci already\), kept 0, deferred 2, failed 1; it ended with status 3"
	assert_line "WARN  $ROOTC the boot job deferred it before udev, and no later pass ran: a storage controller waits for the storage guard's pass once the root device is there"
	assert_line "WARN  $GPU vfio-pci did not attach when the boot job bound it before udev: No such device"
	refute_line --partial "did not run"
	# once the later pass ran, the deferral is its business
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	refute_line --partial "no later pass ran"
	assert_line --regexp "WARN  the boot job ran at [0-9.]+ s, in its later pass \(vfio-bind .*\): took 2 functions \(2 on vfio-pci already\), kept 1, deferred 0, failed 1; it ended with status 3"
	assert_line "ok    $ROOTC the boot job did not take it in its later pass: $ROOTDISK"
}

@test "check of a boot job that took everything is ok" {
	record_tree
	fake_cmdline "vfio-pci.ids=10de:1b80"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --defer-storage
	fake_vfio_node "$GPU_ON"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line --regexp "^ok    the boot job ran at [0-9]+\.[0-9] s, before udev \(vfio-bind .*\): took 1 function \(1 on vfio-pci already\), kept 0, deferred 0, failed 0$"
}

@test "check --json carries the records as written, null for a pass that wrote none" {
	record_tree
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" --defer-storage
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" check --json
	python3 -c '
import json, sys
out = json.load(sys.stdin)
rec = json.load(open(sys.argv[1]))
assert out["boot_records"]["early"] == rec, out["boot_records"]
assert out["boot_records"]["late"] is None
assert any(c["message"].startswith("the boot job ran at") for c in out["checks"])
' "$ROOT/run/vfio-bind/boot-early.json" <<<"$output"
}

@test "check without a record of the pass before udev says vfio-bind did not run, with the fix; a tree without run/vfio-bind/ is no booted system, and gets no line" {
	record_tree
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	refute_output --partial "boot job"
	refute_output --partial "did not run"
	mkdir "$ROOT/run/vfio-bind"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line "WARN  vfio-bind did not run in this boot's initramfs: /run/vfio-bind/ holds no record of the boot job before udev"
	assert_line "      fix: install the initramfs integration and rebuild the initramfs (update-initramfs -u, dracut -f)"
	# the fix names this system's initramfs builder
	mkdir -p "$ROOT/usr/sbin"
	: >"$ROOT/usr/sbin/update-initramfs"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line "      fix: install the initramfs integration and rebuild the initramfs (update-initramfs -u)"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" check --json
	python3 -c 'import json,sys; r = json.load(sys.stdin)["boot_records"]; assert r == {"early": None, "late": None}, r' <<<"$output"
}

@test "check says a malformed, truncated or newer record is one it cannot read, in one line" {
	record_tree
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" --defer-storage
	local rec=$ROOT/run/vfio-bind/boot-early.json
	cp "$rec" "$BATS_TEST_TMPDIR/whole"
	head -c 200 "$BATS_TEST_TMPDIR/whole" >"$rec"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line "WARN  /run/vfio-bind/boot-early.json is no boot record this vfio-bind can read (truncated or malformed at byte 200)"
	refute_line --partial "the boot job ran"
	refute_line --partial "did not run"
	sed 's/"outcome": "failed"/"outcome": "exploded"/' "$BATS_TEST_TMPDIR/whole" >"$rec"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line --partial "WARN  /run/vfio-bind/boot-early.json is no boot record this vfio-bind can read (truncated or malformed at byte"
	sed 's/"schema": 1/"schema": 2/' "$BATS_TEST_TMPDIR/whole" >"$rec"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line "WARN  /run/vfio-bind/boot-early.json is a boot record of schema 2; this vfio-bind reads schema 1"
	: >"$rec"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line "WARN  /run/vfio-bind/boot-early.json is no boot record this vfio-bind can read (truncated or malformed at byte 0)"
	# the control: the record as written reads
	cp "$BATS_TEST_TMPDIR/whole" "$rec"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	refute_line --partial "can read"
	assert_line --partial "the boot job ran at"
}

@test "check says when the initramfs carries another vfio-bind than the system" {
	record_tree
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" --defer-storage
	sed -i 's/"version": "[^"]*"/"version": "0.0.1"/' "$ROOT/run/vfio-bind/boot-early.json"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line "WARN  the initramfs carries vfio-bind 0.0.1, and this system vfio-bind $(cat "$BATS_TEST_DIRNAME/../../VERSION")"
}
