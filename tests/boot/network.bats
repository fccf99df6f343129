#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# The network guard on a real kernel: two identical e1000e NICs (QEMU's
# e1000e, driver e1000e, 8086:10d3), with the dracut-systemd images only
# (what differs between images is storage.bats' and boot.bats'):
#   dracut-systemd-nics  nothing selected but the second NIC's address,
#                    pinned to other IDs (vfio-bind.addrs=ADDR@VENDOR:DEVICE):
#                    nothing is taken there; in the real root, the bridge br0
#                    over the first carries the default route:
#                    `management-nics` records that NIC, and `bind` by
#                    model keeps it and takes the second, which `unbind`
#                    hands back; then the bond bond0 over the second
#                    carries it: `bind` takes the first and keeps the
#                    second; with no default route left, `bind` takes the
#                    second too (each step the control of the one before).
#                    The image loads bridge, bonding and vfio-pci
#                    (rd.driver.pre=): the real root has no modules
#   dracut-systemd-mgmt-ids  vfio-pci.ids= names the model; the image
#                    (dracut-systemd-mgmt, build) carries the record that
#                    management-nics printed in the real root of the boot
#                    above, as an operator's /etc/vfio-bind/management-nics:
#                    the boot keeps the first NIC and takes the second
#   dracut-systemd-mgmt-addrs  the same, with vfio-bind.addrs= naming the
#                    first too, pinned to its own IDs: both are taken
#   dracut-systemd-mgmt-control  control: vfio-pci.ids= alone with the image
#                    that records nothing (generic): both are taken
# and, with no boot, the record in the host-only images this host built.

# shellcheck source=common.bash
. "$BATS_TEST_DIRNAME/common.bash"

# What management-nics prints in the real root with br0 over the first NIC,
# and what dracut-systemd-mgmt carries (build)
RECORD="$VB_NIC_A $VB_NIC_ID 52:54:00:00:1c:00 br0"

setup_file() {
	boot_setup_file -- dracut-systemd-nics dracut-systemd-mgmt-ids \
		dracut-systemd-mgmt-addrs dracut-systemd-mgmt-control
}

# boot_one NAME: the boots described at the top.
boot_one() {
	local name=$1 image=dracut-systemd cmdline
	vb_kernel_vars
	vb_devices
	case $name in
	*-nics)
		cmdline="$(VB_IDS='' vb_cmdline) intel_iommu=on"
		cmdline+=" vfio-bind.addrs=$VB_NIC_B@$VB_GPU_ID"
		cmdline+=" rd.driver.pre=bridge,bonding,vfio-pci"
		cmdline+=" vfiotest.action=netbridge:$VB_NIC_A"
		cmdline+=" $(vb_action record management-nics)"
		cmdline+=" $(vb_action bridge bind "$VB_NIC_ID")"
		cmdline+=" $(vb_action giveback unbind "$VB_NIC_B")"
		cmdline+=" vfiotest.action=netdown: vfiotest.action=netbond:$VB_NIC_B"
		cmdline+=" $(vb_action bond bind "$VB_NIC_ID")"
		cmdline+=" vfiotest.action=netdown:"
		cmdline+=" $(vb_action free bind "$VB_NIC_ID")"
		;;
	*-mgmt-ids | *-mgmt-addrs)
		image=dracut-systemd-mgmt
		cmdline="$(VB_IDS=$VB_NIC_ID vb_cmdline) intel_iommu=on"
		[[ $name != *-addrs ]] || cmdline+=" vfio-bind.addrs=$VB_NIC_A@$VB_NIC_ID"
		;;
	*-mgmt-control)
		cmdline="$(VB_IDS=$VB_NIC_ID vb_cmdline) intel_iommu=on"
		;;
	esac
	vb_boot "$name" "$VB_IMAGES/$image.img" "$cmdline" \
		"${VB_DEV_IOMMU[@]}" "${VB_DEV_NICS[@]}" "${VB_DEV_ROOT[@]}"
}

@test "dracut-systemd-nics: management-nics in the real root records the NIC under the bridge, as the image carries it" {
	run_boot dracut-systemd-nics
	assert_line "VFIOTEST status record 0"
	assert_line "VFIOTEST out record $RECORD"
	# control: only that line (the second NIC carries no route)
	refute_line --partial "VFIOTEST out record $VB_NIC_B"
	run -0 lsinitrd -f etc/vfio-bind/management-nics "$VB_IMAGES/dracut-systemd-mgmt.img"
	assert_output "$RECORD"
	# control: the generic image records nothing
	run lsinitrd -f etc/vfio-bind/management-nics "$VB_IMAGES/dracut-systemd.img"
	assert_output ""
}

@test "dracut-systemd-nics: bind by model keeps the NIC under a bridge with the default route, takes the other" {
	run_boot dracut-systemd-nics
	pci initial "$VB_NIC_A" "$VB_NIC_ID" e1000e -
	pci initial "$VB_NIC_B" "$VB_NIC_ID" e1000e -
	assert_line --regexp "^VFIOTEST net br0 [a-z0-9]+$"
	assert_line --regexp "^VFIOTEST route default via 192\.0\.2\.1 dev br0"
	assert_line "VFIOTEST status bridge 3"
	assert_line --regexp "^VFIOTEST err bridge vfio-bind: $(re "$VB_NIC_A") \[$VB_NIC_ID\] not taken: its interface br0 carries the default route \(via 192\.0\.2\.1\), through [a-z0-9]+$"
	pci bridge "$VB_NIC_A" "$VB_NIC_ID" e1000e -
	# control: the identical NIC under no route
	assert_line "VFIOTEST err bridge vfio-bind: $VB_NIC_B [$VB_NIC_ID] e1000e -> vfio-pci"
	pci bridge "$VB_NIC_B" "$VB_NIC_ID" vfio-pci vfio-pci
	assert_line "VFIOTEST status giveback 0"
	pci giveback "$VB_NIC_B" "$VB_NIC_ID" e1000e -
}

@test "dracut-systemd-nics: the same through a bond; with no default route left, bind takes the NIC" {
	run_boot dracut-systemd-nics
	assert_line --regexp "^VFIOTEST net bond0 [a-z0-9]+$"
	assert_line --regexp "^VFIOTEST route default via 192\.0\.2\.1 dev bond0"
	assert_line "VFIOTEST status bond 3"
	assert_line --regexp "^VFIOTEST err bond vfio-bind: $(re "$VB_NIC_B") \[$VB_NIC_ID\] not taken: its interface bond0 carries the default route \(via 192\.0\.2\.1\), through [a-z0-9]+$"
	pci bond "$VB_NIC_B" "$VB_NIC_ID" e1000e -
	# control: the first NIC, out of the bridge that is gone, is taken
	pci bond "$VB_NIC_A" "$VB_NIC_ID" vfio-pci vfio-pci
	# control: with the bond and its route gone, the second is taken too
	assert_line "VFIOTEST net down"
	assert_line "VFIOTEST status free 0"
	pci free "$VB_NIC_B" "$VB_NIC_ID" vfio-pci vfio-pci
}

@test "dracut-systemd-mgmt: the boot keeps the recorded NIC although vfio-pci.ids= names its model, and takes the other" {
	run_boot dracut-systemd-mgmt-ids
	pci initial "$VB_NIC_A" "$VB_NIC_ID" e1000e -
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_NIC_A") \[$VB_NIC_ID\] not taken: it carried the default route on br0 \(MAC 52:54:00:00:1c:00\) when this image was built; vfio-bind\.addrs=$(re "$VB_NIC_A") takes it$"
	# control: the identical NIC that was not recorded
	pci initial "$VB_NIC_B" "$VB_NIC_ID" vfio-pci vfio-pci
}

@test "dracut-systemd-mgmt: named by address in vfio-bind.addrs=, the recorded NIC is taken" {
	run_boot dracut-systemd-mgmt-addrs
	pci initial "$VB_NIC_A" "$VB_NIC_ID" vfio-pci vfio-pci
	pci initial "$VB_NIC_B" "$VB_NIC_ID" vfio-pci vfio-pci
}

@test "dracut-systemd-mgmt: control: with an image that records nothing, vfio-pci.ids= takes both NICs" {
	run_boot dracut-systemd-mgmt-control
	pci initial "$VB_NIC_A" "$VB_NIC_ID" vfio-pci vfio-pci
	pci initial "$VB_NIC_B" "$VB_NIC_ID" vfio-pci vfio-pci
}

@test "an address pinned to other IDs takes nothing at boot; pinned to its function's own, it takes it" {
	run_boot dracut-systemd-nics
	pci initial "$VB_NIC_B" "$VB_NIC_ID" e1000e -
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_NIC_B") \[$VB_NIC_ID\] not taken: vfio-bind\.addrs= pins this address to $VB_GPU_ID, and the function there has other IDs"
	# control: the recorded NIC's address pinned to its own IDs is taken
	run_boot dracut-systemd-mgmt-addrs
	pci initial "$VB_NIC_A" "$VB_NIC_ID" vfio-pci vfio-pci
}

@test "host-only images carry what management-nics prints on the host that built them; generic ones nothing" {
	local record
	record=$("$VB_CACHE/stage/usr/sbin/vfio-bind" --quiet management-nics) ||
		record="unsure the NICs under the default routes could not be recorded"
	run -0 lsinitrd -f etc/vfio-bind/management-nics "$VB_IMAGES/dracut-hostonly-boot.img"
	assert_output "$record"
	# control: the generic image
	run lsinitrd -f etc/vfio-bind/management-nics "$VB_IMAGES/dracut-systemd.img"
	assert_output ""
}
