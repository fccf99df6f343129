#!/usr/bin/env bats
# The operator's commands on fake trees: list, ids, check, bind, unbind,
# nova-config, and the vfio-bind.addrs= parameter.

load common

GPU2=0000:0c:00.0
AUDIO2=0000:0c:00.1

# A GPU and its audio function in one IOMMU group (a slot without ACS).
gpu_pair() {
	fake_function "$GPU" 10de:1c30 class=0x030000 driver=${1:-nouveau} \
		subsys=1028:11b3 group=14 boot_vga=0
	fake_function "$AUDIO" 10de:10f1 class=0x040300 \
		driver=${2:-snd_hda_intel} subsys=1028:11b3 group=14
}

passed_through() {
	fake_root "vfio-pci.ids=10de:1c30,10de:10f1"
	fake_vfio_loaded
	gpu_pair vfio-pci vfio-pci
	echo vfio-pci >"$ROOT/sys/devices/pci0000:00/$GPU/driver_override"
	echo vfio-pci >"$ROOT/sys/devices/pci0000:00/$AUDIO/driver_override"
	fake_vfio_node "$GPU"
}

# --- list ---------------------------------------------------------------

@test "list shows every function with its IDs, driver, group and name" {
	fake_root "vfio-pci.ids=10de:1c30"
	fake_pci_ids
	gpu_pair
	fake_function 0000:03:00.0 8086:1533 class=0x020000 driver=igb group=3
	fake_function 0000:04:00.0 1b36:0010 class=0x010802 group=none numa=-1
	echo 1 >"$ROOT/sys/devices/pci0000:00/$GPU/numa_node"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" list
	assert_output "ADDRESS       CLASS ID         SUBSYSTEM  DRIVER         OVERRIDE  GROUP NUMA VGA  SEL NAME
0000:03:00.0  0200  8086:1533  ffff:ffff  igb            -         3     -    -    -   Intel Corporation I210 Gigabit Network Connection
0000:04:00.0  0108  1b36:0010  ffff:ffff  -              -         -     -    -    -   
$GPU  0300  10de:1c30  1028:11b3  nouveau        -         14    1    -    yes NVIDIA Corporation GP106GL [Quadro P2000]
$AUDIO  0403  10de:10f1  1028:11b3  snd_hda_intel  -         14    -    -    -   NVIDIA Corporation GP106 High Definition Audio Controller"
}

@test "list --json has a pinned shape" {
	passed_through
	fake_pci_ids
	echo 1 >"$ROOT/sys/devices/pci0000:00/$GPU/boot_vga"
	echo 0 >"$ROOT/sys/devices/pci0000:00/$GPU/numa_node"
	echo -1 >"$ROOT/sys/devices/pci0000:00/$AUDIO/numa_node"
	echo "flr bus" >"$ROOT/sys/devices/pci0000:00/$GPU/reset_method"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" list --json
	assert_output '[
  {"address": "0000:0b:00.0", "class": "030000", "vendor": "10de", "device": "1c30", "subsystem_vendor": "1028", "subsystem_device": "11b3", "name": "NVIDIA Corporation GP106GL [Quadro P2000]", "driver": "vfio-pci", "driver_override": "vfio-pci", "iommu_group": 14, "numa_node": 0, "reset_method": ["flr", "bus"], "boot_vga": true, "selected": true},
  {"address": "0000:0b:00.1", "class": "040300", "vendor": "10de", "device": "10f1", "subsystem_vendor": "1028", "subsystem_device": "11b3", "name": "NVIDIA Corporation GP106 High Definition Audio Controller", "driver": "vfio-pci", "driver_override": "vfio-pci", "iommu_group": 14, "numa_node": null, "reset_method": null, "boot_vga": false, "selected": true}
]'
	python3 -c 'import json,sys; assert len(json.load(sys.stdin)) == 2' <<<"$output"
	# every method turned off (reset_method emptied): an empty list, not null
	: >"$ROOT/sys/devices/pci0000:00/$AUDIO/reset_method"
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" list --json
	assert_output --partial '"numa_node": null, "reset_method": [], "boot_vga": false'
}

@test "a sysfs number out of range or followed by junk is no number: list shows none" {
	passed_through
	local value
	for value in 99999999999999999999 1x 0x; do
		echo "$value" >"$ROOT/sys/devices/pci0000:00/$GPU/numa_node"
		run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" list --json
		assert_output --partial '"address": "0000:0b:00.0", "class": "030000"'
		assert_output --regexp '"address": "0000:0b:00\.0"[^}]*"numa_node": null'
	done
	# control: a number with sysfs's newline is read
	echo 1 >"$ROOT/sys/devices/pci0000:00/$GPU/numa_node"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" list --json
	assert_output --regexp '"address": "0000:0b:00\.0"[^}]*"numa_node": 1,'
}

@test "list without a PCI ID database leaves names out" {
	fake_root
	gpu_pair
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" list --json
	assert_output --partial '"name": null'
}

# --- ids ----------------------------------------------------------------

@test "ids of a slot covers each function, ready to paste" {
	fake_root
	gpu_pair
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" ids 0b:00
	assert_output "vfio-pci.ids=10de:1c30,10de:10f1"
	# and the other way to write it, with which one wins
	stderr_is "vfio-bind: or, in /etc/modprobe.d/vfio.conf: options vfio-pci ids=10de:1c30,10de:10f1 (when both are there, the kernel command line's vfio-pci.ids= wins)"
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" ids 0000:0b:00.1
	assert_output "vfio-pci.ids=10de:10f1"
}

@test "ids warns when an identical device would be taken too, and says how not to" {
	fake_root
	gpu_pair
	fake_function "$GPU2" 10de:1c30 driver=nouveau group=15
	fake_function "$AUDIO2" 10de:10f1 class=0x040300 driver=snd_hda_intel group=15
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" ids 0c:00
	assert_output "vfio-pci.ids=10de:1c30,10de:10f1"
	stderr_has "$GPU [10de:1c30] has the same IDs, so vfio-pci.ids= takes it too"
	stderr_has "to take only the functions given, use vfio-bind.addrs=$GPU2@10de:1c30,$AUDIO2@10de:10f1"
}

@test "ids refuses bad addresses, missing functions and vendor:device" {
	fake_root
	gpu_pair
	run -1 --separate-stderr "$VFIO_BIND" --root "$ROOT" ids 0b:20
	stderr_has "'0b:20' is not a PCI address or slot"
	stderr_lacks "vendor:device"
	run -1 --separate-stderr "$VFIO_BIND" --root "$ROOT" ids 0d:00
	stderr_has "no PCI function at the addresses given"
	run -1 --separate-stderr "$VFIO_BIND" --root "$ROOT" ids 10de:1c30
	stderr_has "ids takes PCI addresses or slots"
	run -1 --separate-stderr "$VFIO_BIND" --root "$ROOT" ids
	stderr_has "no ADDRESS or SLOT given"
	# control: commands that take vendor:device say so
	run -1 --separate-stderr "$VFIO_BIND" --root "$ROOT" check zz:zz
	stderr_has "'zz:zz' is neither a PCI address or slot ([domain:]bus:device[.function]) nor vendor:device"
}

@test "ids warns that the storage guard keeps a function that carries root, and names vfio-bind.addrs= for its twins" {
	local uuid=3f1c2a7e-5b8d-4c1e-9a2b-7d6e5f4a3b21
	fake_root "root=UUID=$uuid"
	fake_vfio_loaded
	fake_function 0000:02:00.0 1b36:0010 class=0x010802 driver=nvme
	fake_function 0000:03:00.0 1b36:0010 class=0x010802 driver=nvme
	fake_disk 0000:02:00.0 nvme0n1 259:0
	fake_partition nvme0n1 nvme0n1p1 1 259:1
	fake_disk 0000:03:00.0 nvme1n1 259:3
	fake_fs nvme0n1p1 ext4 "$uuid" system
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" ids 02:00
	assert_output "vfio-pci.ids=1b36:0010"
	stderr_has "vfio-bind: 0000:02:00.0 [1b36:0010] carries root (nvme0n1p1, UUID=$uuid): the storage guard will keep it; to take the other identical ones, use vfio-bind.addrs="
	# control: the controller without root gets no such warning
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" ids 03:00
	stderr_lacks "storage guard"
}

# --- check --------------------------------------------------------------

@test "check passes when the pair is on vfio-pci in a viable group" {
	passed_through
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_output "ok    IOMMU is on
ok    vfio-pci.disable_idle_d3 is off: vfio-pci puts idle functions in D3hot (=1 keeps them in D0, for devices that do not come back from D3)
ok    $GPU [10de:1c30] is selected by vfio-pci.ids= on the kernel command line
ok    $GPU [10de:1c30] is on vfio-pci
ok    $GPU IOMMU group 14 is viable
ok    $GPU /dev/vfio/14 is there
ok    $GPU has no NUMA node, on a host with one node
ok    $AUDIO [10de:10f1] is selected by vfio-pci.ids= on the kernel command line
ok    $AUDIO [10de:10f1] is on vfio-pci
ok    $AUDIO IOMMU group 14 is viable
ok    $AUDIO /dev/vfio/14 is there
ok    $AUDIO has no NUMA node, on a host with one node
skip  the kernel check (each group opened as QEMU opens it) runs on the running system only, not under --root"
}

@test "check reports vfio-pci.disable_idle_d3, and warns when the loaded vfio-pci has another value" {
	passed_through
	fake_cmdline "vfio-pci.ids=10de:1c30,10de:10f1 vfio-pci.disable_idle_d3=1"
	echo N >"$ROOT/sys/module/vfio_pci/parameters/disable_idle_d3"
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_success
	assert_line "WARN  vfio-pci.disable_idle_d3 is off, but the kernel command line sets it on: vfio-pci was loaded without it"
	assert_line "      fix: reboot, or unload and load vfio-pci, for the command line's value to apply"
	# control: loaded with it, the same command line is reported as on
	echo Y >"$ROOT/sys/module/vfio_pci/parameters/disable_idle_d3"
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_success
	assert_line "ok    vfio-pci.disable_idle_d3 is on: vfio-pci keeps idle functions in D0"
	refute_output --partial "WARN"
}

@test "check shows reset_method, and warns when every method is turned off" {
	passed_through
	echo "flr bus" >"$ROOT/sys/devices/pci0000:00/$GPU/reset_method"
	: >"$ROOT/sys/devices/pci0000:00/$AUDIO/reset_method"
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_success
	assert_line "ok    $GPU reset_method: flr bus"
	assert_line "WARN  $AUDIO reset_method is empty, every reset method turned off: vfio-pci cannot reset it between guests"
	assert_line "      fix: write default to its reset_method, or name a method it has with vfio-bind.reset="
}

@test "check fails when reset_method is not what vfio-bind.reset= asks" {
	passed_through
	fake_cmdline "vfio-pci.ids=10de:1c30,10de:10f1 vfio-bind.reset=0b:00.0:bus"
	echo "flr bus" >"$ROOT/sys/devices/pci0000:00/$GPU/reset_method"
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_failure 3
	assert_line "FAIL  $GPU reset_method is \"flr bus\", but vfio-bind.reset= asks for \"bus\""
	assert_line "      fix: run vfio-bind bind $GPU to apply it, and see the error it logs"
	# control: once it holds what is asked, check says so and passes
	echo bus >"$ROOT/sys/devices/pci0000:00/$GPU/reset_method"
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_success
	assert_line "ok    $GPU reset_method: bus (vfio-bind.reset=)"
}

@test "check warns that vfio-bind.reset= cannot apply to a function without reset_method" {
	passed_through
	fake_cmdline "vfio-pci.ids=10de:1c30,10de:10f1 vfio-bind.reset=0b:00.0:bus"
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_success
	assert_line "WARN  $GPU has no reset_method (no reset method, or a kernel before 5.15), so vfio-bind.reset= is not applied"
	# control: the function it does not name gets no such line
	refute_line --partial "$AUDIO has no reset_method"
}

@test "check names the IOMMU when it is off" {
	fake_root "vfio-pci.ids=10de:1c30"
	fake_vfio_loaded
	fake_function "$GPU" 10de:1c30 driver=nouveau group=none
	fake_cpu GenuineIntel DMAR
	fake_kernel_config 6.1.0-test "CONFIG_INTEL_IOMMU=y"
	run -2 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line --index 0 "FAIL  IOMMU is off: the firmware describes VT-d (ACPI DMAR), but this kernel starts Intel's IOMMU only with intel_iommu=on, which its command line lacks"
	assert_line --index 1 "      fix: add intel_iommu=on to the kernel command line where your boot loader reads it (vfio-bind kargs prints it)"
}

@test "check names the other function of a shared group that stays on the host" {
	passed_through
	fake_cmdline "vfio-pci.ids=10de:1c30"
	fake_set_driver "$AUDIO" snd_hda_intel
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line "FAIL  $GPU IOMMU group 14 is not viable: $AUDIO [10de:10f1] in it is on snd_hda_intel"
	assert_line "      fix: select $AUDIO too (vfio-bind ids $AUDIO), or move the card to a slot with its own IOMMU group"
}

@test "check ignores bridges and driverless functions in the group" {
	passed_through
	fake_cmdline "vfio-pci.ids=10de:1c30"
	fake_set_driver "$AUDIO" ""
	fake_function 0000:00:01.0 8086:1901 class=0x060400 header=1 driver=pcieport group=14
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line "ok    $GPU IOMMU group 14 is viable"
}

@test "check fails for a function on a host driver and gives the fix" {
	fake_root "vfio-pci.ids=10de:1c30"
	fake_vfio_loaded
	gpu_pair
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line "FAIL  $GPU [10de:1c30] is on nouveau, not vfio-pci"
	assert_line "      fix: run vfio-bind bind $GPU now; for boot, install the initramfs integration and rebuild (update-initramfs -u, dracut -f)"
}

@test "check fails when /dev/vfio/GROUP is missing" {
	passed_through
	rm "$ROOT/dev/vfio/14"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line "FAIL  $GPU /dev/vfio/14 is missing"
}

@test "check flags the boot GPU with what it needs, without failing" {
	passed_through
	echo 1 >"$ROOT/sys/devices/pci0000:00/$GPU/boot_vga"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line "WARN  $GPU is the boot GPU (boot_vga=1): the firmware framebuffer holds it until vfio-pci takes it"
	assert_line "      fix: give the host another display, or boot with video=efifb:off video=simplefb:off so no framebuffer keeps its memory"
}

@test "check fails when nothing is selected" {
	fake_root "quiet"
	fake_vfio_loaded
	gpu_pair
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line "FAIL  no PCI function is selected"
}

@test "check takes the functions to check as arguments" {
	passed_through
	fake_cmdline quiet
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" check 0b:00.1
	assert_line "ok    $AUDIO [10de:10f1] is on vfio-pci"
	refute_output --partial "$GPU"
}

@test "check --json has a pinned shape" {
	passed_through
	fake_cmdline "vfio-pci.ids=10de:1c30"
	fake_set_driver "$AUDIO" snd_hda_intel
	rm "$ROOT/dev/vfio/14"
	echo 0 >"$ROOT/sys/devices/pci0000:00/$GPU/numa_node"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" check --json
	assert_output '{
  "checks": [
    {"status": "ok", "function": null, "message": "IOMMU is on", "fix": null},
    {"status": "ok", "function": null, "message": "vfio-pci.disable_idle_d3 is off: vfio-pci puts idle functions in D3hot (=1 keeps them in D0, for devices that do not come back from D3)", "fix": null},
    {"status": "ok", "function": "0000:0b:00.0", "message": "[10de:1c30] is selected by vfio-pci.ids= on the kernel command line", "fix": null},
    {"status": "ok", "function": "0000:0b:00.0", "message": "[10de:1c30] is on vfio-pci", "fix": null},
    {"status": "fail", "function": "0000:0b:00.0", "message": "IOMMU group 14 is not viable: 0000:0b:00.1 [10de:10f1] in it is on snd_hda_intel", "fix": "select 0000:0b:00.1 too (vfio-bind ids 0000:0b:00.1), or move the card to a slot with its own IOMMU group"},
    {"status": "fail", "function": "0000:0b:00.0", "message": "/dev/vfio/14 is missing", "fix": "mount devtmpfs on /dev, or check udev'"'"'s vfio rules"},
    {"status": "ok", "function": "0000:0b:00.0", "message": "is on NUMA node 0", "fix": null},
    {"status": "skip", "function": null, "message": "the kernel check (each group opened as QEMU opens it) runs on the running system only, not under --root", "fix": null}
  ],
  "boot_records": {"early": null, "late": null},
  "ok": false
}'
	python3 -c 'import json,sys; assert json.load(sys.stdin)["ok"] is False' <<<"$output"
}

# --- bind and unbind ----------------------------------------------------

@test "bind takes a slot, and plans like the boot job" {
	fake_root quiet
	fake_vfio_loaded
	gpu_pair
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run bind 0b:00
	assert_output "$GPU 10de:1c30 nouveau -> vfio-pci
$AUDIO 10de:10f1 snd_hda_intel -> vfio-pci"
}

@test "bind by vendor:device unbinds the host driver first" {
	fake_root quiet
	fake_vfio_loaded
	gpu_pair
	run --separate-stderr vfio_bind_traced bind 10de:10f1
	run sysfs_writes
	assert_line --index 0 "sys/bus/pci/devices/$AUDIO/driver_override"
	assert_line --index 1 "sys/bus/pci/drivers/snd_hda_intel/unbind"
	assert_line --index 2 "sys/bus/pci/drivers/vfio-pci/bind"
}

@test "bind keeps the preconditions of the boot job" {
	fake_root quiet
	fake_vfio_loaded
	fake_function "$GPU" 10de:1c30 driver=nouveau group=none
	run -2 --separate-stderr vfio_bind_traced bind "$GPU"
	stderr_has "IOMMU is off"
	run sysfs_writes
	assert_output ""
}

@test "bind of an address with no function fails clearly" {
	fake_root quiet
	fake_vfio_loaded
	run -1 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind 0d:00.0
	stderr_has "no PCI function matches the arguments"
}

@test "unbind clears the override, unbinds from vfio-pci and reprobes" {
	passed_through
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run unbind 0b:00
	assert_output "$GPU 10de:1c30 vfio-pci -> host driver
$AUDIO 10de:10f1 vfio-pci -> host driver"
	run --separate-stderr vfio_bind_traced unbind "$GPU"
	run sysfs_writes
	assert_output "sys/bus/pci/devices/$GPU/driver_override
sys/bus/pci/drivers/vfio-pci/unbind
sys/bus/pci/drivers_probe"
	assert_equal "$(fake_attr "$GPU" driver_override)" ""
}

# --- nova-config --------------------------------------------------------

@test "nova-config prints device_spec and alias lines for the functions on vfio-pci" {
	passed_through
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --alias p2000
	assert_output '[pci]
device_spec = {"vendor_id": "10de", "product_id": "1c30"}
device_spec = {"vendor_id": "10de", "product_id": "10f1"}
alias = {"vendor_id": "10de", "product_id": "1c30", "device_type": "type-PCI", "name": "p2000"}
alias = {"vendor_id": "10de", "product_id": "10f1", "device_type": "type-PCI", "name": "p2000-10de-10f1"}
# The flavor (vfio-bind nova-config --flavor NAME prints the command):
#   openstack flavor set FLAVOR --property "pci_passthrough:alias"="p2000:1,p2000-10de-10f1:1"
# Put the alias lines in the [pci] section of nova.conf on the nova-api hosts too: nova-api reads the flavor'"'"'s aliases.
# Add PciPassthroughFilter to [filter_scheduler] enabled_filters on the nova-scheduler hosts.'
	for line in "${lines[@]:1:4}"; do
		python3 -c 'import json,sys; json.loads(sys.argv[1].split(" = ", 1)[1])' "$line"
	done
}

@test "nova-config uses addresses when an identical device stays on the host" {
	passed_through
	fake_function "$GPU2" 10de:1c30 driver=nouveau group=15
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config
	assert_line 'device_spec = {"vendor_id": "10de", "product_id": "1c30", "address": "0000:0b:00.0"}'
	assert_line 'device_spec = {"vendor_id": "10de", "product_id": "10f1"}'
	assert_line 'alias = {"vendor_id": "10de", "product_id": "1c30", "device_type": "type-PCI", "name": "10de-1c30"}'
}

@test "nova-config tells SR-IOV physical and virtual functions apart" {
	fake_root quiet
	fake_function 0000:05:00.0 8086:1572 class=0x020000 driver=vfio-pci sriov=8
	fake_function 0000:05:02.0 8086:154c class=0x020000 driver=vfio-pci physfn=0000:05:00.0
	fake_check_passes
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config
	assert_line --partial '"product_id": "1572", "device_type": "type-PF"'
	assert_line --partial '"product_id": "154c", "device_type": "type-VF"'
}

@test "nova-config with nothing on vfio-pci says what to run" {
	fake_root quiet
	gpu_pair
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config
	stderr_has "no PCI function is on vfio-pci or a VFIO variant driver: run vfio-bind check"
	run -1 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --alias 'bad"name'
}

# --- vfio-bind.addrs= ---------------------------------------------------

two_gpus() {
	fake_root "$1"
	fake_vfio_loaded
	gpu_pair
	fake_function "$GPU2" 10de:1c30 driver=nouveau group=15
	fake_function "$AUDIO2" 10de:10f1 class=0x040300 driver=snd_hda_intel group=15
}

@test "vfio-bind.addrs= selects one of two identical GPUs by slot" {
	two_gpus "vfio-bind.addrs=0c:00"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	assert_output "$GPU2 10de:1c30 nouveau -> vfio-pci
$AUDIO2 10de:10f1 snd_hda_intel -> vfio-pci"
}

@test "vfio-bind.addrs= takes full addresses, quotes and the last occurrence" {
	two_gpus 'vfio-bind.addrs=0b:00.0 vfio_bind.addrs="0000:0C:00.1"'
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	assert_output "$AUDIO2 10de:10f1 snd_hda_intel -> vfio-pci"
}

@test "vfio-bind.addrs= warns about bad entries and applies the rest" {
	two_gpus "vfio-bind.addrs=0c:00.8,zz:00,0c:20,10000:0c:00.0,0c:00.0"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	assert_output "$GPU2 10de:1c30 nouveau -> vfio-pci"
	stderr_has 'vfio-bind.addrs: entry "0c:00.8" is not a PCI address'
	stderr_has 'vfio-bind.addrs: entry "zz:00" is not a PCI address'
	stderr_has 'vfio-bind.addrs: entry "0c:20" is not a PCI address'
}

@test "vfio-bind.addrs= pinned to IDs takes the function that has them, and nothing at an address whose IDs differ" {
	two_gpus "vfio-bind.addrs=$GPU2@10de:1c30,$AUDIO2@10de:1c30"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	assert_line "$GPU2 10de:1c30 nouveau -> vfio-pci"
	assert_line "$AUDIO2 10de:10f1 skip: vfio-bind.addrs= pins this address to 10de:1c30, and the function there has other IDs (did the address move?): nothing is taken there"
	stderr_has "$AUDIO2 [10de:10f1] not taken: vfio-bind.addrs= pins this address to 10de:1c30"
	# the same pin in bind's arguments
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$AUDIO2@10de:1c30"
	assert_output --partial "$AUDIO2 10de:10f1 skip: vfio-bind.addrs= pins this address to 10de:1c30"
	# control: pinned to its own IDs, it is taken
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" bind --dry-run "$AUDIO2@10de:10f1"
	assert_output "$AUDIO2 10de:10f1 snd_hda_intel -> vfio-pci"
	# a malformed pin is a bad entry, named
	fake_cmdline "vfio-bind.addrs=$GPU2@10de:1c3,$AUDIO2@10de"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	stderr_has "vfio-bind.addrs: entry \"$GPU2@10de:1c3\" is not a PCI address"
	stderr_has "vfio-bind.addrs: entry \"$AUDIO2@10de\" is not a PCI address"
}

@test "vfio-bind.addrs= and vfio-pci.ids= add up" {
	two_gpus "vfio-pci.ids=10de:10f1 vfio-bind.addrs=0c:00.0"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	assert_output "$AUDIO 10de:10f1 snd_hda_intel -> vfio-pci
$GPU2 10de:1c30 nouveau -> vfio-pci
$AUDIO2 10de:10f1 snd_hda_intel -> vfio-pci"
}
