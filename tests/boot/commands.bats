#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# The operator commands on a real kernel: the real root's init runs the
# helper installed there (the staged, stripped one, with its libraries) and
# prints its output and status (rootfs-init). `check` and `nova-config` on
# the GPU + audio pair are in boot.bats; here, for each image:
#   IMAGE-gpuonly    vfio-pci.ids= names only the GPU-like function, whose
#                    audio function shares its IOMMU group: check fails
#                    naming it, and the kernel calls the group not viable;
#                    `bind` moves the audio function from snd_hda_intel to
#                    vfio-pci, check passes, and check of the pair gets both
#                    devices from the kernel, twice (the first left nothing
#                    held), then, with a process holding the group open as
#                    a running QEMU does, skips that check and names the
#                    process; `unbind` hands it back. The machine's IOMMU does
#                    no interrupt remapping (lib.sh), which vfio_iommu_type1
#                    refuses unless allow_unsafe_interrupts is set: it is
#                    set here
#   IMAGE-addrs      two identical GPU-like functions (slots 05 and 06),
#                    vfio-bind.addrs= names the second: only it is taken
#   IMAGE-addrs-ids  control: the same machine with vfio-pci.ids= of that
#                    model takes both; and check, without
#                    allow_unsafe_interrupts, finds that the kernel refuses
#                    the type1 IOMMU for the second GPU's group. This
#                    machine has two NUMA nodes (the others one), and the
#                    firmware gives the GPUs none: check warns

# shellcheck source=common.bash
. "$BATS_TEST_DIRNAME/common.bash"

# The commands run in the real root, past the hooks, which boot.bats boots
# in every image: the other images' boots add nothing that the systemd
# image's do not (common.bash)
CHECK_ALL_BOOTS=('dracut-shell-*' 'mkinitramfs-*')

setup_file() {
	boot_setup_file -gpuonly -addrs -addrs-ids
}

# boot_one NAME: the boots described at the top.
boot_one() {
	local name=$1 image=${1%-*} cmdline
	image=${image%-addrs}
	vb_kernel_vars
	vb_devices
	case $name in
	*-gpuonly)
		cmdline="$(VB_IDS=$VB_GPU_ID vb_cmdline) intel_iommu=on"
		cmdline+=" vfio_iommu_type1.allow_unsafe_interrupts=1"
		cmdline+=" $(vb_action check check)"
		cmdline+=" $(vb_action check-pair-host check "$VB_GPU" "$VB_AUDIO")"
		cmdline+=" $(vb_action bind bind "$VB_AUDIO")"
		cmdline+=" $(vb_action check-bound check)"
		cmdline+=" $(vb_action check-pair check "$VB_GPU" "$VB_AUDIO")"
		cmdline+=" $(vb_action check-again check "$VB_GPU" "$VB_AUDIO")"
		cmdline+=" vfiotest.action=holdgroup:$VB_GPU"
		cmdline+=" $(vb_action check-held check "$VB_GPU" "$VB_AUDIO")"
		cmdline+=" vfiotest.action=release:"
		cmdline+=" $(vb_action unbind unbind "$VB_AUDIO")"
		vb_boot "$name" "$VB_IMAGES/$image.img" "$cmdline" \
			"${VB_DEV_IOMMU[@]}" "${VB_DEV_GPU[@]}" "${VB_DEV_ROOT[@]}"
		;;
	*-addrs)
		cmdline="$(VB_IDS='' vb_cmdline) vfio-bind.addrs=$VB_GPU2 intel_iommu=on"
		vb_boot "$name" "$VB_IMAGES/$image.img" "$cmdline" \
			"${VB_DEV_IOMMU[@]}" "${VB_DEV_GPU[@]}" "${VB_DEV_GPU2[@]}" \
			"${VB_DEV_ROOT[@]}"
		;;
	*-addrs-ids)
		cmdline="$(VB_IDS=$VB_GPU_ID vb_cmdline) intel_iommu=on"
		cmdline+=" $(vb_action check check)"
		vb_boot "$name" "$VB_IMAGES/$image.img" "$cmdline" \
			"${VB_DEV_IOMMU[@]}" "${VB_DEV_GPU[@]}" "${VB_DEV_GPU2[@]}" \
			"${VB_DEV_ROOT[@]}" \
			-object memory-backend-ram,id=mem0,size=512M \
			-object memory-backend-ram,id=mem1,size=512M \
			-numa node,nodeid=0,cpus=0,memdev=mem0 \
			-numa node,nodeid=1,memdev=mem1
		;;
	esac
}

# group_of ADDR: the IOMMU group the real root saw (in $lines of run_boot)
group_of() {
	local line
	line=$(printf '%s\n' "${lines[@]}" | grep "^VFIOTEST group $1 ") ||
		fail "no group line for $1"
	echo "${line##* }"
}

# The checks, one function each, shared by the three images.

check_shared_group() {
	local gpu audio disk
	run_boot "$1-gpuonly"
	gpu=$(group_of "$VB_GPU")
	audio=$(group_of "$VB_AUDIO")
	disk=$(group_of "$VB_DISK")
	assert [ "$gpu" != - ]
	assert_equal "$audio" "$gpu"
	# control: the comparison can fail, another slot has its own group
	assert [ "$disk" != - ]
	assert [ "$disk" != "$gpu" ]
}

check_group_fails() {
	local group
	run_boot "$1-gpuonly"
	group=$(group_of "$VB_GPU")
	pci initial "$VB_GPU" "$VB_GPU_ID" vfio-pci vfio-pci
	pci initial "$VB_AUDIO" "$VB_AUDIO_ID" snd_hda_intel -
	assert_line "VFIOTEST status check 3"
	assert_line "VFIOTEST out check ok    $VB_GPU [$VB_GPU_ID] is on vfio-pci"
	assert_line "VFIOTEST out check FAIL  $VB_GPU IOMMU group $group is not viable: $VB_AUDIO [$VB_AUDIO_ID] in it is on snd_hda_intel"
	assert_line --regexp "^VFIOTEST out check       fix: select $(re "$VB_AUDIO") too"
}

check_bind() {
	run_boot "$1-gpuonly"
	# on snd_hda_intel just before
	pci check "$VB_AUDIO" "$VB_AUDIO_ID" snd_hda_intel -
	assert_line "VFIOTEST action vfio-bind:bind:bind,$VB_AUDIO"
	assert_line "VFIOTEST status bind 0"
	assert_line "VFIOTEST err bind vfio-bind: $VB_AUDIO [$VB_AUDIO_ID] snd_hda_intel -> vfio-pci"
	pci bind "$VB_AUDIO" "$VB_AUDIO_ID" vfio-pci vfio-pci
	pci bind "$VB_GPU" "$VB_GPU_ID" vfio-pci vfio-pci
	# and the same check as before now passes
	assert_line "VFIOTEST status check-bound 0"
	assert_line --regexp "^VFIOTEST out check-bound ok    $(re "$VB_GPU") IOMMU group [0-9]+ is viable$"
	refute_line --partial "VFIOTEST out check-bound FAIL"
}

# the kernel's answer, with its controls: not viable while a host driver
# holds the audio function; no type1 IOMMU without interrupt remapping
check_kernel() {
	local group
	run_boot "$1-gpuonly"
	group=$(group_of "$VB_GPU")
	assert_line "VFIOTEST out check FAIL  $VB_GPU the kernel says IOMMU group $group is not viable (VFIO_GROUP_GET_STATUS): QEMU would refuse it"
	refute_line --partial "VFIOTEST out check ok    $VB_GPU the kernel gives QEMU its device"
	assert_line "VFIOTEST status check-pair 0"
	assert_line --regexp "^VFIOTEST out check-pair (ok  |WARN)  $(re "$VB_GPU") the kernel gives QEMU its device(: | \\()group ${group}[ ,]"
	assert_line --regexp "^VFIOTEST out check-pair (ok  |WARN)  $(re "$VB_AUDIO") the kernel gives QEMU its device(: | \\()group ${group}[ ,]"
	refute_line --partial "VFIOTEST out check-pair FAIL"
	refute_line --partial "VFIOTEST out check-pair skip"
	# the check changed no binding, and held nothing: the same check again
	pci check-pair "$VB_GPU" "$VB_GPU_ID" vfio-pci vfio-pci
	pci check-pair "$VB_AUDIO" "$VB_AUDIO_ID" vfio-pci vfio-pci
	assert_line "VFIOTEST status check-again 0"
	assert_line --regexp "^VFIOTEST out check-again (ok  |WARN)  $(re "$VB_GPU") the kernel gives QEMU its device(: | \\()group ${group}[ ,]"
	refute_line --partial "VFIOTEST out check-again FAIL"
	# control: without allow_unsafe_interrupts, a viable group on the same
	# machine gets no type1 IOMMU
	run_boot "$1-addrs-ids"
	group=$(group_of "$VB_GPU2")
	assert_line "VFIOTEST out check FAIL  $VB_GPU2 the kernel would not set a type1 IOMMU for IOMMU group $group (VFIO_SET_IOMMU): the IOMMU does no interrupt remapping"
	assert_line --regexp "^VFIOTEST out check       fix: turn on interrupt remapping .*vfio_iommu_type1\.allow_unsafe_interrupts=1$"
}

# a group that a running QEMU holds: check skips the kernel's check of it
# and names the holder; control: the same check just before, with nothing
# held, made it
check_in_use() {
	local group held held_group pid
	run_boot "$1-gpuonly"
	group=$(group_of "$VB_GPU")
	held=$(printf '%s\n' "${lines[@]}" | grep "^VFIOTEST held ") || fail "no held line"
	read -r _ _ held_group pid <<<"$held"
	assert_equal "$held_group" "$group"
	assert_line "VFIOTEST status check-held 0"
	assert_line --regexp "^VFIOTEST out check-held skip  $(re "$VB_GPU") IOMMU group $group is in use by [^ ]+ \\(pid $pid\\): the kernel check is skipped$"
	refute_line --partial "VFIOTEST out check-held ok    $VB_GPU the kernel gives QEMU its device"
	assert_line --regexp "^VFIOTEST out check-again (ok  |WARN)  $(re "$VB_GPU") the kernel gives QEMU its device"
}

# what check reports of the bound pair, the group node and the NUMA node,
# with its controls: the audio function on its host driver gets no node
# line, and on a host with two NUMA nodes the missing node is a warning
check_nodes() {
	local group
	run_boot "$1-gpuonly"
	group=$(group_of "$VB_GPU")
	assert_line "VFIOTEST out check-pair ok    $VB_GPU /dev/vfio/$group is there"
	assert_line "VFIOTEST out check-pair ok    $VB_AUDIO /dev/vfio/$group is there"
	assert_line "VFIOTEST out check-pair ok    $VB_GPU has no NUMA node, on a host with one node"
	assert_line "VFIOTEST out check-pair ok    $VB_AUDIO has no NUMA node, on a host with one node"
	# control: the same check before the audio function is bound
	assert_line "VFIOTEST out check-pair-host ok    $VB_GPU /dev/vfio/$group is there"
	refute_line "VFIOTEST out check-pair-host ok    $VB_AUDIO /dev/vfio/$group is there"
	assert_line "VFIOTEST out check-pair-host FAIL  $VB_AUDIO [$VB_AUDIO_ID] is on snd_hda_intel, not vfio-pci"
	# control: two NUMA nodes, and the firmware gives the function none
	run_boot "$1-addrs-ids"
	assert_line "VFIOTEST out check WARN  $VB_GPU2 has no NUMA node on this multi-node host: the firmware publishes none, so Nova cannot place a guest near it"
	refute_line --partial "VFIOTEST out check ok    $VB_GPU2 has no NUMA node"
}

check_unbind() {
	run_boot "$1-gpuonly"
	# on vfio-pci just before
	pci check-bound "$VB_AUDIO" "$VB_AUDIO_ID" vfio-pci vfio-pci
	assert_line "VFIOTEST status unbind 0"
	assert_line "VFIOTEST err unbind vfio-bind: $VB_AUDIO [$VB_AUDIO_ID] vfio-pci -> snd_hda_intel"
	pci unbind "$VB_AUDIO" "$VB_AUDIO_ID" snd_hda_intel -
	# the function not named stays
	pci unbind "$VB_GPU" "$VB_GPU_ID" vfio-pci vfio-pci
}

check_addrs() {
	run_boot "$1-addrs"
	pci initial "$VB_GPU2" "$VB_GPU_ID" vfio-pci vfio-pci
	pci initial "$VB_GPU" "$VB_GPU_ID" bochs-drm -
	pci initial "$VB_AUDIO" "$VB_AUDIO_ID" snd_hda_intel -
	assert_line "VFIOTEST module bochs"
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_GPU2") \\[$VB_GPU_ID\\] .*vfio-pci"
	refute_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_GPU") "
}

check_addrs_control() {
	run_boot "$1-addrs-ids"
	pci initial "$VB_GPU" "$VB_GPU_ID" vfio-pci vfio-pci
	pci initial "$VB_GPU2" "$VB_GPU_ID" vfio-pci vfio-pci
	pci initial "$VB_AUDIO" "$VB_AUDIO_ID" snd_hda_intel -
}

@test "dracut-systemd: the GPU and audio functions of slot 05 share one IOMMU group" {
	check_shared_group dracut-systemd
}
@test "dracut-systemd: check with only the GPU selected fails with status 3, naming the audio function" {
	check_group_fails dracut-systemd
}
@test "dracut-systemd: bind takes the audio function from snd_hda_intel, then check passes" {
	check_bind dracut-systemd
}
@test "dracut-systemd: check gets the pair's devices from the kernel as QEMU does; control: not viable with the audio function on the host" {
	check_kernel dracut-systemd
}
@test "dracut-systemd: check skips the kernel check of a group a running QEMU holds, naming it; control: nothing held" {
	check_in_use dracut-systemd
}
@test "dracut-systemd: check reports the bound pair's group node and NUMA node; controls: a function on its host driver, two NUMA nodes" {
	check_nodes dracut-systemd
}
@test "dracut-systemd: unbind hands the audio function back to snd_hda_intel" {
	check_unbind dracut-systemd
}
@test "dracut-systemd: vfio-bind.addrs= takes only the second of two identical GPUs" {
	check_addrs dracut-systemd
}
@test "dracut-systemd: control: vfio-pci.ids= on the same machine takes both GPUs" {
	check_addrs_control dracut-systemd
}

@test "dracut-shell: the GPU and audio functions of slot 05 share one IOMMU group" {
	check_shared_group dracut-shell
}
@test "dracut-shell: check with only the GPU selected fails with status 3, naming the audio function" {
	check_group_fails dracut-shell
}
@test "dracut-shell: bind takes the audio function from snd_hda_intel, then check passes" {
	check_bind dracut-shell
}
@test "dracut-shell: check gets the pair's devices from the kernel as QEMU does; control: not viable with the audio function on the host" {
	check_kernel dracut-shell
}
@test "dracut-shell: check skips the kernel check of a group a running QEMU holds, naming it; control: nothing held" {
	check_in_use dracut-shell
}
@test "dracut-shell: check reports the bound pair's group node and NUMA node; controls: a function on its host driver, two NUMA nodes" {
	check_nodes dracut-shell
}
@test "dracut-shell: unbind hands the audio function back to snd_hda_intel" {
	check_unbind dracut-shell
}
@test "dracut-shell: vfio-bind.addrs= takes only the second of two identical GPUs" {
	check_addrs dracut-shell
}
@test "dracut-shell: control: vfio-pci.ids= on the same machine takes both GPUs" {
	check_addrs_control dracut-shell
}

@test "mkinitramfs: the GPU and audio functions of slot 05 share one IOMMU group" {
	check_shared_group mkinitramfs
}
@test "mkinitramfs: check with only the GPU selected fails with status 3, naming the audio function" {
	check_group_fails mkinitramfs
}
@test "mkinitramfs: bind takes the audio function from snd_hda_intel, then check passes" {
	check_bind mkinitramfs
}
@test "mkinitramfs: check gets the pair's devices from the kernel as QEMU does; control: not viable with the audio function on the host" {
	check_kernel mkinitramfs
}
@test "mkinitramfs: check skips the kernel check of a group a running QEMU holds, naming it; control: nothing held" {
	check_in_use mkinitramfs
}
@test "mkinitramfs: check reports the bound pair's group node and NUMA node; controls: a function on its host driver, two NUMA nodes" {
	check_nodes mkinitramfs
}
@test "mkinitramfs: unbind hands the audio function back to snd_hda_intel" {
	check_unbind mkinitramfs
}
@test "mkinitramfs: vfio-bind.addrs= takes only the second of two identical GPUs" {
	check_addrs mkinitramfs
}
@test "mkinitramfs: control: vfio-pci.ids= on the same machine takes both GPUs" {
	check_addrs_control mkinitramfs
}
