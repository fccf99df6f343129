#!/usr/bin/env bats
# Binding on a fake tree. A fake tree cannot attach a driver, so a bind the
# helper performs is never confirmed here: these tests pin the order of
# writes, the override, idempotency and the rollback. The QEMU boot tests
# (tests/boot) prove that the same writes attach vfio-pci on a real kernel.

load common

setup() {
	fake_workstation "quiet vfio-pci.ids=10de:1c30,10de:10f1"
}

@test "a host driver is unbound after driver_override is set, before the bind" {
	run --separate-stderr vfio_bind_traced
	run sysfs_writes
	assert_line --index 0 "sys/bus/pci/devices/$GPU/driver_override"
	assert_line --index 1 "sys/bus/pci/drivers/nouveau/unbind"
	assert_line --index 2 "sys/bus/pci/drivers/vfio-pci/bind"
	assert_equal "$(cat "$ROOT/sys/bus/pci/drivers/nouveau/unbind")" "$GPU"
	assert_equal "$(cat "$ROOT/sys/bus/pci/drivers/vfio-pci/bind")" "$AUDIO"
}

@test "an unconfirmed bind is rolled back to the host driver, never left driverless" {
	run -3 --separate-stderr vfio_bind_traced
	stderr_has "$GPU [10de:1c30] not taken: vfio-pci did not attach (No such device); it is on nouveau"
	stderr_has "vfio-bind: 2 of 2 selected functions not on vfio-pci (see above)"
	run sysfs_writes
	# override, unbind, bind, then: override cleared, reprobe.
	assert_line --index 3 "sys/bus/pci/devices/$GPU/driver_override"
	assert_line --index 4 "sys/bus/pci/drivers_probe"
	assert_equal "$(fake_attr "$GPU" driver_override)" ""
	assert_equal "$(cat "$ROOT/sys/bus/pci/drivers_probe")" "$AUDIO"
}

@test "a function on vfio-pci without the override gets it, and keeps its driver" {
	fake_set_driver "$GPU" vfio-pci
	fake_set_driver "$AUDIO" vfio-pci
	run -0 --separate-stderr vfio_bind_traced
	stderr_has "$GPU [10de:1c30] on vfio-pci; driver_override set"
	stderr_has "put on vfio-pci: 2; already there: 0"
	assert_equal "$(fake_attr "$GPU" driver_override)" vfio-pci
	assert_equal "$(fake_attr "$AUDIO" driver_override)" vfio-pci
	run sysfs_writes
	assert_output "sys/bus/pci/devices/$GPU/driver_override
sys/bus/pci/devices/$AUDIO/driver_override"
}

@test "a second run finds everything done, writes nothing and says so" {
	fake_set_driver "$GPU" vfio-pci
	fake_set_driver "$AUDIO" vfio-pci
	"$VFIO_BIND" --root "$ROOT" 2>/dev/null
	run -0 --separate-stderr vfio_bind_traced
	stderr_is "vfio-bind: PCI functions selected: 2
vfio-bind: $GPU [10de:1c30] selected by vfio-pci.ids= on the kernel command line
vfio-bind: $AUDIO [10de:10f1] selected by vfio-pci.ids= on the kernel command line
vfio-bind: every selected function already on vfio-pci (2): nothing changed"
	run sysfs_writes
	assert_output ""
}

@test "--dry-run prints the plan and writes nothing" {
	fake_set_driver "$AUDIO" vfio-pci
	echo vfio-pci >"$ROOT/sys/devices/pci0000:00/$AUDIO/driver_override"
	run -0 --separate-stderr vfio_bind_traced --dry-run
	assert_output "$GPU 10de:1c30 nouveau -> vfio-pci
$AUDIO 10de:10f1 vfio-pci (no change)"
	run sysfs_writes
	assert_output ""
	assert_equal "$(fake_attr "$GPU" driver_override)" "(null)"
	assert_equal "$(cat "$ROOT/dev/kmsg")" ""
}

@test "a function without a driver is bound without an unbind" {
	fake_set_driver "$GPU" ""
	fake_cmdline "vfio-pci.ids=10de:1c30"
	run --separate-stderr vfio_bind_traced
	run sysfs_writes
	assert_line --index 0 "sys/bus/pci/devices/$GPU/driver_override"
	assert_line --index 1 "sys/bus/pci/drivers/vfio-pci/bind"
	refute_output --partial unbind
}

@test "bridges are never taken" {
	fake_cmdline "vfio-pci.ids=ffffffff:ffffffff:ffffffff:ffffffff:060400:ffff00"
	run -3 --separate-stderr vfio_bind_traced --dry-run
	assert_output "0000:00:1c.0 8086:a110 skip: it is a bridge (header type 1): vfio-pci takes only endpoints"
	run -3 --separate-stderr vfio_bind_traced
	run sysfs_writes
	assert_output ""
}

@test "a function whose driver_override names another driver is not taken" {
	echo nvme >"$ROOT/sys/devices/pci0000:00/0000:02:00.0/driver_override"
	fake_cmdline "vfio-pci.ids=144d:a808"
	run -3 --separate-stderr vfio_bind_traced
	stderr_has "0000:02:00.0 [144d:a808] not taken: its driver_override names nvme"
	run sysfs_writes
	assert_output ""
}

@test "vfio-pci's denylist is honoured unless disable_denylist is set" {
	fake_function 0000:3d:00.0 8086:37c8 class=0x0b4000 driver=qat_c62x
	fake_cmdline "vfio-pci.ids=8086:37c8"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	assert_output --partial "skip: it is on vfio-pci's denylist: add vfio-pci.disable_denylist=1"
	echo Y >"$ROOT/sys/module/vfio_pci/parameters/disable_denylist"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	assert_output "0000:3d:00.0 8086:37c8 qat_c62x -> vfio-pci"
}

@test "the denylist has the DSA and IAX accelerators the kernel added beside QAT" {
	fake_function 0000:6a:01.0 8086:0b25 class=0x088000 driver=idxd
	fake_function 0000:6a:02.0 8086:0cfe class=0x088000 driver=idxd
	# control: another function of the same driver is not on the list
	fake_function 0000:6a:03.0 8086:0b26 class=0x088000 driver=idxd
	fake_cmdline "vfio-pci.ids=8086:0b25,8086:0cfe,8086:0b26"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	assert_line --partial "0000:6a:01.0 8086:0b25 skip: it is on vfio-pci's denylist"
	assert_line --partial "0000:6a:02.0 8086:0cfe skip: it is on vfio-pci's denylist"
	assert_line "0000:6a:03.0 8086:0b26 idxd -> vfio-pci"
}

@test "each decision goes to the kernel log with its level" {
	fake_set_driver "$GPU" vfio-pci
	fake_cmdline "vfio-pci.ids=10de:1c30,junk"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT"
	run cat "$ROOT/dev/kmsg"
	assert_line '<4>vfio-bind: vfio-pci.ids: entry "junk" is not vendor:device[:subvendor[:subdevice[:class[:class_mask]]]] in hex; vfio-pci skips it too'
	assert_line "<6>vfio-bind: $GPU [10de:1c30] on vfio-pci; driver_override set"
	assert_line "<6>vfio-bind: put on vfio-pci: 1; already there: 0"
}

@test "no more than 10 kernel log lines per open of dev/kmsg, and none lost" {
	# The kernel ratelimits /dev/kmsg writers to 10 lines per open file
	# (tests/boot/boot.bats proves it on a real kernel).
	local i
	fake_cmdline "vfio-pci.ids=10de:1c30"
	fake_set_driver "$GPU" vfio-pci
	for i in $(seq 10 33); do
		fake_function "0000:$i:00.0" 10de:1c30 driver=vfio-pci override=vfio-pci
	done
	run -0 --separate-stderr strace_helper -qq -e trace=openat,openat2,write \
		-o "$BATS_TEST_TMPDIR/trace" "$VFIO_BIND" --root "$ROOT" -v
	run grep -c '^<[0-7]>vfio-bind: ' "$ROOT/dev/kmsg"
	assert [ "$output" -gt 20 ]
	run grep -c '^<7>vfio-bind: 0000:[0-9a-f:.]* \[10de:1c30\] already on vfio-pci' "$ROOT/dev/kmsg"
	assert_output 24
	# the most lines written through one open file, and how many opens
	# (openat2() of dev/kmsg inside the root, opened for writing)
	run awk '
		/^openat2\(/ && /O_WRONLY/ && index($0, "\"dev/kmsg\"") { fd = $NF; n[fd] = 0; opens++; next }
		/^write\(/ { split($0, a, /[(,]/); if (a[2] in n && index($0, "\"<")) n[a[2]]++
			if (n[a[2]] > most) most = n[a[2]] }
		END { print most, opens }' "$BATS_TEST_TMPDIR/trace"
	assert_output --regexp '^10 [3-9]$'
}

@test "-q keeps warnings and errors, -v adds debug lines" {
	fake_cmdline "vfio-pci.ids=10de:1c30,junk"
	fake_set_driver "$GPU" vfio-pci
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" -q
	stderr_is 'vfio-bind: vfio-pci.ids: entry "junk" is not vendor:device[:subvendor[:subdevice[:class[:class_mask]]]] in hex; vfio-pci skips it too'
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" -v
	stderr_has "vfio-pci.ids: [10de:1c30[ffffffff:ffffffff]] class 00000000/00000000"
	stderr_has "$GPU [10de:1c30] already on vfio-pci"
}

# The kernel's bind fails with EBUSY when a host driver's probe, queued
# before driver_override was set (nvme probes asynchronously), takes the
# device first (drivers/base/dd.c: __driver_probe_device). A fake tree
# cannot race, so strace injects that EBUSY into the real write(2) of the
# bind file: -P limits tracing, counting and injecting to the paths named,
# so "when=2" is the second write to unbind or bind, the first bind.
bind_busy() {
	local when=$1
	shift
	strace_helper -qq -y -e trace=write -o "$BATS_TEST_TMPDIR/trace" \
		-P "$ROOT/sys/bus/pci/drivers/nouveau/unbind" \
		-P "$ROOT/sys/bus/pci/drivers/vfio-pci/bind" \
		-e inject=write:error=EBUSY:when="$when" \
		"$VFIO_BIND" --root "$ROOT" "$@"
}

# The files bind_busy saw written, in order, and "busy" after each write
# that got the injected EBUSY.
busy_writes() {
	sed -n 's|^write([0-9]*<'"$ROOT"'/\([^>]*\)>.*= \(.*\)$|\1 \2|p' \
		"$BATS_TEST_TMPDIR/trace" |
		sed 's/ -1 EBUSY .*(INJECTED)$/ busy/; s/ [0-9]*$//'
}

@test "a bind that fails with EBUSY re-reads the driver, unbinds it and binds again" {
	fake_cmdline "vfio-pci.ids=10de:1c30"
	run --separate-stderr bind_busy 2
	stderr_has "$GPU [10de:1c30] bind busy 1 of 3 tries: a probe was in flight; it was then on nouveau"
	# a fake tree attaches nothing: the second bind is not confirmed either
	stderr_has "$GPU [10de:1c30] not taken: vfio-pci did not attach (No such device); it is on nouveau"
	run busy_writes
	assert_output "sys/bus/pci/drivers/nouveau/unbind
sys/bus/pci/drivers/vfio-pci/bind busy
sys/bus/pci/drivers/nouveau/unbind
sys/bus/pci/drivers/vfio-pci/bind"
}

@test "a function without a driver whose bind is busy is bound again without an unbind" {
	fake_cmdline "vfio-pci.ids=10de:1c30"
	fake_set_driver "$GPU" ""
	run --separate-stderr bind_busy 1
	stderr_has "$GPU [10de:1c30] bind busy 1 of 3 tries: a probe was in flight; it was then on no driver"
	run busy_writes
	assert_output "sys/bus/pci/drivers/vfio-pci/bind busy
sys/bus/pci/drivers/vfio-pci/bind"
}

@test "a bind that stays busy is tried three times, then rolled back" {
	fake_cmdline "vfio-pci.ids=10de:1c30"
	# every bind: writes 2, 4, 6 (the unbinds are 1, 3, 5)
	run -3 --separate-stderr bind_busy 2+2
	stderr_has "$GPU [10de:1c30] bind busy 3 of 3 tries: a probe was in flight; it was then on nouveau"
	stderr_has "$GPU [10de:1c30] not taken: vfio-pci did not attach (Device or resource busy); it is on nouveau"
	run busy_writes
	assert_output "sys/bus/pci/drivers/nouveau/unbind
sys/bus/pci/drivers/vfio-pci/bind busy
sys/bus/pci/drivers/nouveau/unbind
sys/bus/pci/drivers/vfio-pci/bind busy
sys/bus/pci/drivers/nouveau/unbind
sys/bus/pci/drivers/vfio-pci/bind busy"
	assert_equal "$(fake_attr "$GPU" driver_override)" ""
}

@test "before unbinding, it waits while a driver module is loading, and says so" {
	fake_cmdline "vfio-pci.ids=10de:1c30"
	mkdir -p "$ROOT/sys/module/nvme"
	echo coming >"$ROOT/sys/module/nvme/initstate"
	(sleep 0.5 && echo live >"$ROOT/sys/module/nvme/initstate") &
	run --separate-stderr vfio_bind_traced
	wait
	stderr_has "$GPU [10de:1c30] waited"
	stderr_has "ms for module nvme to finish loading (its probes may be in flight)"
	run sysfs_writes
	assert_line --index 1 "sys/bus/pci/drivers/nouveau/unbind"
}

@test "the wait for loading modules is bounded" {
	fake_cmdline "vfio-pci.ids=10de:1c30"
	mkdir -p "$ROOT/sys/module/nvme"
	echo coming >"$ROOT/sys/module/nvme/initstate"
	run --separate-stderr vfio_bind_traced
	stderr_has "$GPU [10de:1c30] modules still loading after 3000 ms (nvme first): binding anyway"
	run sysfs_writes
	assert_line --index 1 "sys/bus/pci/drivers/nouveau/unbind"
	assert_line --index 2 "sys/bus/pci/drivers/vfio-pci/bind"
}

@test "a loading module is waited for whatever its name's length: its initstate's path is formatted up to PATH_MAX" {
	local name
	# sys/module/NAME/initstate: 261 bytes, past the 256 the path had
	name=$(printf 'm%.0s' {1..240})
	fake_cmdline "vfio-pci.ids=10de:1c30"
	mkdir -p "$ROOT/sys/module/$name"
	echo coming >"$ROOT/sys/module/$name/initstate"
	(sleep 0.5 && echo live >"$ROOT/sys/module/$name/initstate") &
	run --separate-stderr vfio_bind_traced
	wait
	# the name as the report holds it (DRIVER_NAME_MAX)
	stderr_has "ms for module ${name:0:63} to finish loading (its probes may be in flight)"
	# control: once it is live, the next bind unbinds without a wait
	run --separate-stderr vfio_bind_traced
	stderr_lacks "to finish loading"
	run sysfs_writes
	assert_line --index 1 "sys/bus/pci/drivers/nouveau/unbind"
}

# --- vfio-bind.reset= ---------------------------------------------------

@test "vfio-bind.reset= is written to reset_method once the function is on vfio-pci" {
	fake_cmdline "quiet vfio-pci.ids=10de:1c30,10de:10f1 vfio-bind.reset=0b:00.0:bus,flr"
	fake_set_driver "$GPU" vfio-pci
	fake_set_driver "$AUDIO" vfio-pci
	echo "flr bus" >"$ROOT/sys/devices/pci0000:00/$GPU/reset_method"
	run --separate-stderr vfio_bind_traced
	assert_success
	stderr_has "$GPU [10de:1c30] reset_method: bus flr"
	assert_equal "$(fake_attr "$GPU" reset_method)" "bus flr"
	run sysfs_writes
	assert_line "sys/bus/pci/devices/$GPU/reset_method"
	# control: the function it does not name is left alone
	refute_line "sys/bus/pci/devices/$AUDIO/reset_method"
	# and a second run finds it done
	run --separate-stderr vfio_bind_traced
	run sysfs_writes
	refute_output --partial "$GPU/reset_method"
}

@test "vfio-bind.reset= of a slot covers its functions; the last entry for a function wins" {
	fake_cmdline "quiet vfio-pci.ids=10de:1c30,10de:10f1 vfio-bind.reset=0b:00:pm vfio-bind.reset=0000:0b:00.1:default"
	fake_set_driver "$GPU" vfio-pci
	fake_set_driver "$AUDIO" vfio-pci
	echo "flr pm" >"$ROOT/sys/devices/pci0000:00/$GPU/reset_method"
	echo "flr pm" >"$ROOT/sys/devices/pci0000:00/$AUDIO/reset_method"
	run --separate-stderr "$VFIO_BIND" --root "$ROOT"
	assert_success
	assert_equal "$(fake_attr "$GPU" reset_method)" pm
	assert_equal "$(fake_attr "$AUDIO" reset_method)" default
}

@test "a bind that fails writes no reset_method" {
	fake_cmdline "quiet vfio-pci.ids=10de:1c30,10de:10f1 vfio-bind.reset=0b:00.0:bus"
	echo flr >"$ROOT/sys/devices/pci0000:00/$GPU/reset_method"
	run --separate-stderr vfio_bind_traced
	assert_failure 3
	run sysfs_writes
	refute_line "sys/bus/pci/devices/$GPU/reset_method"
	# control: the same command line writes it once the function is on vfio-pci
	echo flr >"$ROOT/sys/devices/pci0000:00/$GPU/reset_method"
	fake_set_driver "$GPU" vfio-pci
	fake_set_driver "$AUDIO" vfio-pci
	run --separate-stderr vfio_bind_traced
	run sysfs_writes
	assert_line "sys/bus/pci/devices/$GPU/reset_method"
}

@test "a vfio-bind.reset= that is not ADDRESS:METHOD is warned about and left out" {
	fake_cmdline "quiet vfio-pci.ids=10de:1c30,10de:10f1 vfio-bind.reset=0b:00.0 vfio-bind.reset=0b:00.0:FLR vfio-bind.reset=zz:flr"
	echo flr >"$ROOT/sys/devices/pci0000:00/$GPU/reset_method"
	fake_set_driver "$GPU" vfio-pci
	fake_set_driver "$AUDIO" vfio-pci
	run --separate-stderr vfio_bind_traced
	assert_success
	stderr_has "vfio-bind.reset=0b:00.0 is not ADDRESS:METHOD[,METHOD...] (a PCI address or slot, then reset_method names such as flr, pm, bus or default); it is left out"
	stderr_has "vfio-bind.reset=0b:00.0:FLR is not ADDRESS:METHOD[,METHOD...]"
	stderr_has "vfio-bind.reset=zz:flr is not ADDRESS:METHOD[,METHOD...]"
	run sysfs_writes
	refute_output --partial reset_method
}
