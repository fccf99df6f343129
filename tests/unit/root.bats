#!/usr/bin/env bats
# --root DIR stays inside DIR: every path under a tree is resolved as if DIR
# were "/" (openat2() with RESOLVE_IN_ROOT), so that a symlink in a tree,
# absolute or climbing with "..", cannot make the helper read or write a
# file outside it.

load common

setup() {
	fake_workstation "quiet vfio-pci.ids=10de:1c30"
	OUTSIDE="$BATS_TEST_TMPDIR/outside"
	mkdir -p "$OUTSIDE"
	# what an unset driver_override reads, so that the helper goes on
	# to write it
	echo '(null)' >"$OUTSIDE/file"
}

dev() {
	echo "$ROOT/sys/devices/pci0000:00/$GPU/$1"
}

@test "an absolute driver_override symlink out of the tree is not written through" {
	ln -sf "$OUTSIDE/file" "$(dev driver_override)"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT"
	stderr_has "$GPU [10de:1c30] not taken"
	assert_equal "$(cat "$OUTSIDE/file")" "(null)"
}

@test "a driver_override symlink that climbs out with .. is not written through" {
	ln -sf "../../../../../../../../../../..$OUTSIDE/file" "$(dev driver_override)"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT"
	assert_equal "$(cat "$OUTSIDE/file")" "(null)"
}

@test "control: an absolute symlink is followed inside the tree, as if the tree were /" {
	mkdir -p "$ROOT/elsewhere"
	echo '(null)' >"$ROOT/elsewhere/override"
	ln -sf /elsewhere/override "$(dev driver_override)"
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" bind "$GPU"
	run cat "$ROOT/elsewhere/override"
	# vfio-pci set, then cleared by the rollback (a tree cannot attach)
	assert_output ""
	assert_equal "$(cat "$OUTSIDE/file")" "(null)"
}

@test "a driver directory linked out of the tree gets no unbind" {
	mkdir -p "$OUTSIDE/nouveau"
	echo untouched >"$OUTSIDE/nouveau/unbind"
	rm -rf "$ROOT/sys/bus/pci/drivers/nouveau"
	ln -s "$OUTSIDE/nouveau" "$ROOT/sys/bus/pci/drivers/nouveau"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT"
	assert_equal "$(cat "$OUTSIDE/nouveau/unbind")" untouched
}

@test "dev/kmsg linked out of the tree gets no log line" {
	rm "$ROOT/dev/kmsg"
	ln -s "$OUTSIDE/file" "$ROOT/dev/kmsg"
	fake_set_driver "$GPU" vfio-pci
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT"
	stderr_has "$GPU [10de:1c30] on vfio-pci; driver_override set"
	assert_equal "$(cat "$OUTSIDE/file")" "(null)"
}

@test "control: dev/kmsg linked inside the tree gets the log" {
	rm "$ROOT/dev/kmsg"
	: >"$ROOT/dev/log"
	ln -s /dev/log "$ROOT/dev/kmsg"
	fake_set_driver "$GPU" vfio-pci
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT"
	run cat "$ROOT/dev/log"
	assert_line "<6>vfio-bind: $GPU [10de:1c30] on vfio-pci; driver_override set"
}

@test "reads stay inside too: a proc/cmdline linked out of the tree is not read" {
	echo "vfio-pci.ids=10de:1c30" >"$OUTSIDE/cmdline"
	ln -sf "$OUTSIDE/cmdline" "$ROOT/proc/cmdline"
	run -1 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	stderr_has "cannot read proc/cmdline under $ROOT: No such file or directory"
	assert_output ""
}

@test "a kernel without openat2() gets a clear refusal, before anything is read" {
	# strace stands in for a kernel before 5.6: every openat2() fails
	# with ENOSYS.
	run -1 --separate-stderr strace_helper -qq -o /dev/null \
		-e inject=openat2:error=ENOSYS "$VFIO_BIND" --root "$ROOT" --dry-run
	stderr_is "vfio-bind: --root needs openat2() (Linux 5.6 or later) to keep every path inside $ROOT; this kernel, or a seccomp filter, lacks it"
	assert_output ""
}
