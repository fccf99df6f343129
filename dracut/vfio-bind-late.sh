#!/bin/sh
# vfio-bind: the storage guard's second pass in dracut's systemd images, run
# with sh by vfio-bind-late.service once the root device exists: take the
# storage controllers the pass before udev deferred, except the one under
# the root device.
#
# root= as dracut reads it (getarg: /etc/cmdline.d, where host-only images
# and --kernel-cmdline keep it, then the kernel command line). systemd
# orders initrd-root-device.target after the device of a root= on the kernel
# command line (systemd-fstab-generator), not after one the image alone
# carries, so the device is waited for here, within the helper's limit. A
# network root names no local disk: the helper reads root= itself, and
# keeps the NIC whose interface reaches it.

if [ ! -r @PKGDATADIR@/vfio-bind.sh ]; then
	echo "<4>vfio-bind: @PKGDATADIR@/vfio-bind.sh is missing from the initramfs; nothing done" \
		2>/dev/null >>"${VFIO_BIND_ROOT-}/dev/kmsg"
	exit 0
fi
# shellcheck source=/dev/null
. /lib/dracut-lib.sh
# shellcheck source=/dev/null
. @PKGDATADIR@/vfio-bind.sh

root=$(getarg root=)
case $root in
block:/dev/* | /dev/* | UUID=* | LABEL=* | PARTUUID=* | PARTLABEL=*)
	dev=$(label_uuid_to_dev "$root")
	limit=$(vfio_bind_limit)
	tenths=0
	while [ ! -e "$dev" ] && [ "$tenths" -lt "$((limit * 10))" ]; do
		sleep 0.1
		tenths=$((tenths + 1))
	done
	if [ ! -e "$dev" ]; then
		echo "<4>vfio-bind: the root device $dev did not appear in $limit s; the pass once the root device exists goes on without it" \
			2>/dev/null >>"${VFIO_BIND_ROOT-}/dev/kmsg"
	fi
	vfio_bind_late --keep "$dev"
	;;
*) vfio_bind_late ;;
esac
exit 0
