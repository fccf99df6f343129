#!/usr/bin/env bats
# nova-config on fake trees: alias names Nova keeps apart, the Genestack
# (openstack-helm) values, the flavor, the NUMA policy.

load common

# The GPU and its audio on vfio-pci, an NVMe drive on vfio-pci before them.
gpu_and_nvme() {
	fake_root quiet
	fake_function 0000:02:00.0 144d:a808 class=0x010802 driver=vfio-pci
	fake_function "$GPU" 10de:1c30 class=0x030000 driver=vfio-pci group=14
	fake_function "$AUDIO" 10de:10f1 class=0x040300 driver=vfio-pci group=14
	fake_check_passes
}

# The alias names of nova-config's output, one per line.
alias_names() {
	sed -n 's/.*"name": "\([^"]*\)".*/\1/p' <<<"$output"
}

# check_nova_aliases: reads alias lines (nova.conf form) on stdin and
# applies the rules of nova/pci/request.py's get_alias_from_config(): a
# name of 1 to 256 characters; aliases of one name are merged, and refused
# when their device types differ; fails when any two kinds share a name.
check_nova_aliases() {
	python3 -c '
import json, sys
seen = {}
for line in sys.stdin:
    if not line.startswith("alias = "):
        continue
    spec = json.loads(line.split(" = ", 1)[1])
    name = spec["name"]
    assert 1 <= len(name) <= 256, "length %d" % len(name)
    kind = (spec["vendor_id"], spec["product_id"], spec["device_type"])
    assert seen.setdefault(name, kind) == kind, "%s merges %s and %s" % (name, seen[name], kind)
'
}

# --- names --------------------------------------------------------------

@test "the bare --alias names the first slot that is not a storage controller" {
	gpu_and_nvme
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --alias p2000
	assert_line 'alias = {"vendor_id": "10de", "product_id": "1c30", "device_type": "type-PCI", "name": "p2000"}'
	assert_line 'alias = {"vendor_id": "10de", "product_id": "10f1", "device_type": "type-PCI", "name": "p2000-10de-10f1"}'
	assert_line 'alias = {"vendor_id": "144d", "product_id": "a808", "device_type": "type-PCI", "name": "p2000-144d-a808"}'
	check_nova_aliases <<<"$output"
	# control: were 02:00.0 no storage controller, the name would go to it
	echo 0x020000 >"$ROOT/sys/devices/pci0000:00/0000:02:00.0/class"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --alias p2000
	assert_line --partial '"product_id": "a808", "device_type": "type-PCI", "name": "p2000"}'
}

@test "--alias NAME=SLOT and NAME=ADDRESS name the alias the operator means" {
	gpu_and_nvme
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --alias disk=02:00 --alias hdmi="$AUDIO" --alias p2000
	assert_line --partial '"product_id": "a808", "device_type": "type-PCI", "name": "disk"}'
	assert_line --partial '"product_id": "10f1", "device_type": "type-PCI", "name": "hdmi"}'
	assert_line --partial '"product_id": "1c30", "device_type": "type-PCI", "name": "p2000"}'
	# the functions of a named slot take its name
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --alias gpu=0b:00
	assert_equal "$(alias_names)" "144d-a808
gpu
gpu-10de-10f1"
}

@test "derived names tell apart devices of one device ID from two vendors" {
	fake_root quiet
	fake_function "$GPU" 10de:1c30 driver=vfio-pci group=14
	fake_function "$AUDIO" 10de:10f1 class=0x040300 driver=vfio-pci group=14
	fake_function 0000:0d:00.0 8086:10f1 class=0x020000 driver=vfio-pci
	fake_check_passes
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --alias p2000
	assert_equal "$(alias_names)" "p2000
p2000-10de-10f1
p2000-8086-10f1"
	check_nova_aliases <<<"$output"
	# the check can fail: one device ID's names, as they used to be
	run ! check_nova_aliases <<<"$(sed 's/p2000-[0-9a-f]*-10f1/p2000-10f1/' <<<"$output")"
}

@test "a PF and its VFs of one device ID each get an alias" {
	fake_root quiet
	fake_function 0000:05:00.0 8086:10ed class=0x020000 driver=vfio-pci sriov=8
	fake_function 0000:05:10.0 8086:10ed class=0x020000 driver=vfio-pci physfn=0000:05:00.0
	fake_function 0000:05:10.2 8086:10ed class=0x020000 driver=vfio-pci physfn=0000:05:00.0
	fake_check_passes
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --alias nic
	assert_output --partial '[pci]
device_spec = {"vendor_id": "8086", "product_id": "10ed"}
alias = {"vendor_id": "8086", "product_id": "10ed", "device_type": "type-PF", "name": "nic"}
alias = {"vendor_id": "8086", "product_id": "10ed", "device_type": "type-VF", "name": "nic-8086-10ed-vf"}'
	check_nova_aliases <<<"$output"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config
	assert_equal "$(alias_names)" "8086-10ed-pf
8086-10ed-vf"
}

@test "an alias name is never cut: Nova's 256 characters are taken, 257 refused" {
	local name256 name257
	gpu_and_nvme
	name256=$(printf 'a%.0s' {1..256})
	name257=${name256}b
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --alias "$name256=$GPU" \
		--alias hdmi="$AUDIO" --alias disk=02:00.0
	assert_line --partial "\"name\": \"$name256\"}"
	run -1 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --alias "$name257"
	assert_output ""
	stderr_is "vfio-bind: --alias: a name of 257 characters is too long, Nova takes at most 256: shorten it"
	# a derived name is never cut either: BASE-10de-10f1 has 10 more
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --alias "${name256:10}"
	assert_line --partial "\"name\": \"${name256:10}-10de-10f1\"}"
	run -1 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --alias "${name256:9}"
	stderr_is "vfio-bind: --alias ${name256:9}: the alias for 144d:a808 would be 257 characters, Nova takes at most 256: shorten the name"
}

@test "names that would merge two aliases in Nova are refused, each with its fix" {
	gpu_and_nvme
	run -1 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --alias a="$GPU" --alias b=0b:00
	stderr_is "vfio-bind: --alias a and --alias b both name the alias of 10de:1c30 (type-PCI), which Nova keeps as one: give it one name"
	run -1 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --alias 144d-a808="$GPU"
	stderr_is "vfio-bind: alias 144d-a808 would be both 144d:a808 (type-PCI) and 10de:1c30 (type-PCI), which Nova merges: name one with --alias NAME=ADDRESS"
	run -1 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --alias a --alias b
	stderr_is "vfio-bind: --alias b: a second name without an address: give it one, --alias NAME=ADDRESS"
	run -1 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --alias gpu=0d:00
	stderr_is "vfio-bind: --alias gpu=0d:00: no function there is on vfio-pci or a VFIO variant driver: name one that is (vfio-bind list shows the drivers)"
	run -1 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --alias gpu=0b
	stderr_is "vfio-bind: --alias gpu=0b: '0b' is not a PCI address or slot, such as 0b:00.0 or 0b:00"
	run -1 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --alias 'p2000:1'
	stderr_has "an alias name is letters, digits, '-', '_' and '.'"
}

# --- the gate: nothing for Nova while check fails for it --------------

@test "nova-config refuses while check fails for a function it describes, naming the check; --force prints it with a warning" {
	gpu_and_nvme
	# the GPU's group is not viable: its audio function went back to the host
	fake_set_driver "$AUDIO" snd_hda_intel
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config
	assert_output ""
	stderr_has "vfio-bind: check fails: $GPU IOMMU group 14 is not viable: $AUDIO [10de:10f1] in it is on snd_hda_intel (fix: "
	stderr_has "vfio-bind: not printing Nova's configuration while check fails for it (1 above): fix those, run vfio-bind check, or give --force"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --force
	assert_line --partial '"product_id": "1c30"'
	stderr_has "vfio-bind: --force: printing Nova's configuration although check fails for it (1 above): a guest given these functions may not start"
	# control: with the audio back on vfio-pci, check passes and so does the gate
	fake_set_driver "$AUDIO" vfio-pci
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config
	stderr_lacks "check fails"
}

@test "a failure about the host refuses too; one about a function Nova is not given does not" {
	gpu_and_nvme
	fake_cmdline quiet
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config
	stderr_has "vfio-bind: check fails: no PCI function is selected (fix: add vfio-pci.ids= to the kernel command line where your boot loader reads it (vfio-bind kargs ADDRESS... prints it))"
	# a selected function left on its host driver is not in Nova's output
	fake_check_passes
	fake_function 0000:0c:00.0 8086:1533 class=0x020000 driver=igb group=20
	fake_cmdline "$(cat "$ROOT/proc/cmdline"),8086:1533"
	run "$VFIO_BIND" --root "$ROOT" check
	assert_line --partial "FAIL  0000:0c:00.0 [8086:1533] is on igb, not vfio-pci"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config
	stderr_lacks "check fails"
	refute_output --partial '"product_id": "1533"'
}

@test "--force applies only to nova-config" {
	fake_root quiet
	run -1 --separate-stderr "$VFIO_BIND" --root "$ROOT" check --force
	stderr_has "--force applies only to nova-config"
}

# --- Genestack (openstack-helm) values -----------------------------------

# The passed-through GPU pair on host Compute-1.
gpu_pair_on_vfio() {
	fake_root quiet
	fake_function "$GPU" 10de:1c30 class=0x030000 driver=vfio-pci group=14
	fake_function "$AUDIO" 10de:10f1 class=0x040300 driver=vfio-pci group=14
	fake_hostname Compute-1
	fake_check_passes
}

# oslo_lines: reads the nova chart's values (YAML) on stdin and prints the
# [pci] lines of each nova.conf they give, the root one and each host's,
# as helm-toolkit's to_oslo_conf renders them: a map of "type: multistring"
# one line per value, a plain list joined with commas; each line must hold
# one JSON object, as Nova reads it.
oslo_lines() {
	python3 -c '
import json, sys, yaml

def render(section):
    for key, value in section.items():
        if isinstance(value, list):
            yield "%s = %s" % (key, ",".join(str(v) for v in value))
        elif isinstance(value, dict) and value.get("type") == "multistring":
            for v in value["values"]:
                yield "%s = %s" % (key, v)
        else:
            yield "%s = %s" % (key, value)

conf = yaml.safe_load(sys.stdin)["conf"]
hosts = conf.get("overrides", {}).get("nova_compute", {}).get("hosts", [])
for name, nova in [("root", conf["nova"])] + [(h["name"], h["conf"]["nova"]) for h in hosts]:
    print("# %s" % name)
    for line in render(nova["pci"]):
        assert isinstance(json.loads(line.split(" = ", 1)[1]), dict), line
        print(line)
'
}

@test "nova-config --format genestack prints the nova chart's values, pinned" {
	gpu_pair_on_vfio
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --alias p2000 --format genestack
	assert_output "conf:
  nova:
    pci:
      alias:
        type: multistring
        values:
          - '{\"vendor_id\": \"10de\", \"product_id\": \"1c30\", \"device_type\": \"type-PCI\", \"name\": \"p2000\"}'
          - '{\"vendor_id\": \"10de\", \"product_id\": \"10f1\", \"device_type\": \"type-PCI\", \"name\": \"p2000-10de-10f1\"}'
  overrides:
    nova_compute:
      hosts:
        - name: compute-1
          conf:
            nova:
              pci:
                device_spec:
                  type: multistring
                  values:
                    - '{\"vendor_id\": \"10de\", \"product_id\": \"1c30\"}'
                    - '{\"vendor_id\": \"10de\", \"product_id\": \"10f1\"}'
# The flavor (vfio-bind nova-config --flavor NAME prints the command):
#   openstack flavor set FLAVOR --property \"pci_passthrough:alias\"=\"p2000:1,p2000-10de-10f1:1\"
# conf.nova.pci.alias reaches nova-api as well as nova-compute. Merge this host into your conf.overrides.nova_compute.hosts: Helm replaces a list, it does not merge it.
# Add PciPassthroughFilter to conf.nova.filter_scheduler.enabled_filters."
}

@test "the Genestack values render to the nova.conf lines, one JSON object each" {
	local conf
	gpu_pair_on_vfio
	fake_function 0000:05:00.0 8086:10ed class=0x020000 driver=vfio-pci sriov=8
	fake_function 0000:05:10.0 8086:10ed class=0x020000 driver=vfio-pci physfn=0000:05:00.0
	fake_function 0000:0c:00.0 10de:1c30 class=0x030000 driver=nouveau
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --alias p2000 --format genestack
	run -0 oslo_lines <<<"$output"
	conf=$("$VFIO_BIND" --root "$ROOT" nova-config --alias p2000)
	assert_equal "$(grep -v '^#' <<<"$output" | sort)" "$(grep ' = ' <<<"$conf" | sort)"
	assert_line '# compute-1'
	assert_line 'device_spec = {"vendor_id": "10de", "product_id": "1c30", "address": "0000:0b:00.0"}'
	# control: a plain YAML list is joined with commas, one line Nova cannot read
	run ! oslo_lines <<<"conf:
  nova:
    pci:
      alias:
        - '{\"name\": \"a\"}'
        - '{\"name\": \"b\"}'"
}

@test "--host names the Kubernetes node; a name kubelet would not give is refused" {
	gpu_pair_on_vfio
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --format genestack --host gpu-7.example
	assert_line "        - name: gpu-7.example"
	run -1 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --format genestack --host GPU_7
	assert_output ""
	stderr_is "vfio-bind: --host GPU_7: a Kubernetes node name is lower-case letters, digits, '-' and '.' (kubectl get nodes lists them)"
	rm "$ROOT/proc/sys/kernel/hostname"
	run -1 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --format genestack
	stderr_has "cannot read the host name (proc/sys/kernel/hostname):"
	stderr_has ": give the node's with --host NAME"
	run -1 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --host a
	stderr_has "--host applies only to --format genestack"
	run -1 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --format yaml
	stderr_has "--format is nova.conf or genestack, not 'yaml'"
	run -1 --separate-stderr "$VFIO_BIND" --root "$ROOT" list --flavor gpu
	stderr_has "--format, --flavor and --host apply only to nova-config"
}

# --- the flavor -----------------------------------------------------------

@test "--flavor NAME prints the flavor command for every alias, and the reminders" {
	gpu_pair_on_vfio
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --alias p2000 --flavor "gpu's large"
	assert_output "openstack flavor set 'gpu'\\''s large' --property \"pci_passthrough:alias\"=\"p2000:1,p2000-10de-10f1:1\"
# One function of each alias; leave out those this flavor should not get.
# Put the alias lines in the [pci] section of nova.conf on the nova-api hosts too: nova-api reads the flavor's aliases.
# Add PciPassthroughFilter to [filter_scheduler] enabled_filters on the nova-scheduler hosts."
	# the shell reads the flavor's name back whole
	eval "set -- ${lines[0]#openstack flavor set }"
	assert_equal "$1" "gpu's large"
	assert_equal "$3" "pci_passthrough:alias=p2000:1,p2000-10de-10f1:1"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --flavor gpu --format genestack
	assert_line "# Add PciPassthroughFilter to conf.nova.filter_scheduler.enabled_filters."
}

# --- NUMA -----------------------------------------------------------------

@test "an alias gets numa_policy preferred when the firmware gives a function no node on a multi-node host" {
	gpu_pair_on_vfio
	fake_numa_nodes 0-1
	echo -1 >"$ROOT/sys/devices/pci0000:00/$GPU/numa_node"
	echo 1 >"$ROOT/sys/devices/pci0000:00/$AUDIO/numa_node"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --alias p2000
	assert_line 'alias = {"vendor_id": "10de", "product_id": "1c30", "device_type": "type-PCI", "numa_policy": "preferred", "name": "p2000"}'
	assert_line 'alias = {"vendor_id": "10de", "product_id": "10f1", "device_type": "type-PCI", "name": "p2000-10de-10f1"}'
	assert_line '# alias p2000: the firmware gives 10de:1c30 no NUMA node on this multi-node host; "numa_policy": "preferred" lets Nova give it to a guest on any node, as "required" or "socket" never would'
	check_nova_aliases <<<"$output"
	# control: one node online, no policy
	fake_numa_nodes 0
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --alias p2000
	refute_output --partial numa_policy
}

@test "check warns about a function with no NUMA node on a multi-node host only" {
	gpu_pair_on_vfio
	fake_cmdline "vfio-pci.ids=10de:1c30"
	fake_vfio_loaded
	fake_vfio_node "$GPU"
	fake_numa_nodes 0-1
	echo -1 >"$ROOT/sys/devices/pci0000:00/$GPU/numa_node"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line "WARN  $GPU has no NUMA node on this multi-node host: the firmware publishes none, so Nova cannot place a guest near it"
	assert_line '      fix: nova-config gives its alias "numa_policy": "preferred"; a firmware update may publish the node (ACPI _PXM)'
	echo 1 >"$ROOT/sys/devices/pci0000:00/$GPU/numa_node"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line "ok    $GPU is on NUMA node 1"
	refute_output --partial WARN
	# one node: nothing to place, no warning
	echo -1 >"$ROOT/sys/devices/pci0000:00/$GPU/numa_node"
	fake_numa_nodes 0
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" check --json
	assert_line --partial '"message": "has no NUMA node, on a host with one node"'
	refute_output --partial warn
}

# --- host problems check sees ----------------------------------------------

# The GPU pair on vfio-pci, selected, its group node there.
checked_pair() {
	gpu_pair_on_vfio
	fake_cmdline "vfio-pci.ids=10de:1c30,10de:10f1"
	fake_vfio_loaded
	fake_vfio_node "$GPU"
}

@test "check fails when a firmware framebuffer holds memory inside a selected BAR" {
	local name
	checked_pair
	for name in BOOTFB efifb simpledrm vesafb; do
		fake_iomem '00000000-00000fff : Reserved' \
			'c0000000-fec7ffff : PCI Bus 0000:00' \
			'  e0000000-efffffff : 0000:0b:00.0' \
			"    e0000000-e07fffff : $name" \
			'  f0000000-f0003fff : 0000:0b:00.1'
		run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
		assert_line "FAIL  $GPU firmware framebuffer $name holds e0000000-e07fffff inside its BAR: vfio-pci cannot reserve it for a guest"
		assert_line "      fix: boot with initcall_blacklist=sysfb_init (BOOTFB, simpledrm) or video=efifb:off (efifb), or make another GPU the firmware's boot display"
		refute_line --partial "$AUDIO firmware framebuffer"
	done
	# control: the framebuffer on another GPU's BAR
	fake_iomem '  e0000000-efffffff : 0000:0b:00.0' \
		'  d0000000-dfffffff : 0000:0c:00.0' \
		'    d0000000-d07fffff : BOOTFB'
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	refute_output --partial framebuffer
	# proc/iomem read without CAP_SYS_ADMIN: zeros, nothing to tell
	fake_iomem '  00000000-00000000 : 0000:0b:00.0' '    00000000-00000000 : BOOTFB'
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	refute_output --partial framebuffer
}

@test "check takes the vfio cdev of iommufd as well as the group node, and says which is there" {
	checked_pair
	fake_vfio_cdev "$GPU" 0
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" check "$GPU"
	assert_line "ok    $GPU /dev/vfio/14 is there, and /dev/vfio/devices/vfio0 for iommufd"
	rm "$ROOT/dev/vfio/14"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" check "$GPU"
	assert_line "ok    $GPU /dev/vfio/devices/vfio0 is there (iommufd; no group node)"
	# control: neither node
	rm "$ROOT/dev/vfio/devices/vfio0"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" check "$GPU"
	assert_line "FAIL  $GPU /dev/vfio/14 is missing"
}
