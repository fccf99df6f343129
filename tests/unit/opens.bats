#!/usr/bin/env bats
# Each command reads the boot's configuration once (struct boot_config:
# proc/cmdline, modprobe.d, driverctl.d) and vfio's parameters once: the
# opens under the root, counted with strace. (The storage guard and the
# ids and check commands still read some sysfs directories more than once:
# issue 25.)

load common

setup() {
	fake_workstation "$BATS_TEST_TMPDIR/root"
	mkdir -p "$ROOT/etc/modprobe.d" "$ROOT/etc/driverctl.d"
	echo "options vfio-pci ids=10de:1c30 disable_idle_d3=1" >"$ROOT/etc/modprobe.d/vfio.conf"
	echo "blacklist nouveau" >"$ROOT/etc/modprobe.d/nouveau.conf"
	echo vfio-pci >"$ROOT/etc/driverctl.d/pci-0000:03:00.0"
	echo "quiet vfio-pci.ids=10de:10f1 root=/dev/sda1" >"$ROOT/proc/cmdline"
}

# opened_twice TRACE: the configuration's paths under the root that TRACE
# shows opened for reading more than once, with their counts (the helper
# opens the root by its absolute path, then every file relative to it; the
# loader's and the sanitizers' absolute paths are not the root's; an O_PATH
# open only looks a path up, as stat() would)
opened_twice() {
	grep -v 'O_PATH' "$1" |
		grep -o 'openat2\?([0-9]\+, "[^/"][^"]*"' | sed 's/^[^"]*"//; s/"$//' |
		grep -E '^(proc/cmdline|(etc|run|usr/lib|usr/local/lib|lib)/modprobe\.d|etc/driverctl\.d|sys/module/)' |
		sort | uniq -c | awk '$1 > 1'
}

# opens ARG...: run vfio-bind --root $ROOT ARG... under strace; $output is
# what opened_twice finds
opens() {
	local trace=$BATS_TEST_TMPDIR/trace
	strace_helper -f -qq -e trace=open,openat,openat2 -o "$trace" \
		"$VFIO_BIND" --root "$ROOT" "$@" >/dev/null 2>&1 || :
	grep -q '"proc/cmdline"' "$trace" || fail "vfio-bind $* read no proc/cmdline: the trace sees nothing"
	run opened_twice "$trace"
}

@test "the boot job, list, check, bind and ids read the configuration once" {
	local cmd
	for cmd in --dry-run list check "bind --dry-run 0b:00" "ids 0b:00"; do
		# shellcheck disable=SC2086 # a command and its arguments
		opens $cmd
		[[ -z $output ]] || fail "$cmd opened these more than once: $output"
	done
}

@test "control: two runs in one trace show the configuration read more than once" {
	local trace=$BATS_TEST_TMPDIR/trace
	strace_helper -f -qq -e trace=open,openat,openat2 -o "$trace" \
		sh -c '"$1" --root "$2" --dry-run; "$1" --root "$2" --dry-run' sh "$VFIO_BIND" "$ROOT" \
		>/dev/null 2>&1 || :
	run opened_twice "$trace"
	assert_line --regexp '^ +[0-9]+ proc/cmdline$'
	assert_line --regexp '^ +[0-9]+ etc/modprobe.d/vfio.conf$'
	assert_line --regexp '^ +[0-9]+ etc/driverctl.d$'
}
