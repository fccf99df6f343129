#!/bin/sh
# vfio-bind: the pass before udevd starts. Hand the functions named by
# vfio-pci.ids= and vfio-bind.addrs= to vfio-pci before udev coldplug loads
# their host drivers. Storage controllers wait for the pass once the root
# device exists (vfio-bind-pre-mount.sh, vfio-bind-late.service): their
# disks, and so the root, do not exist yet; the helper then writes the
# deferral note, which starts that pass. The shell /init sources this as a
# pre-udev hook; in systemd images vfio-bind.service runs it with sh.
# Sourced, so: no exit, no set -e, and nothing left defined afterwards.

if [ -r @PKGDATADIR@/vfio-bind.sh ]; then
	# shellcheck source=/dev/null
	. @PKGDATADIR@/vfio-bind.sh
	vfio_bind_run --defer-storage
	unset -f vfio_bind_run vfio_bind_limit vfio_bind_late vfio_bind_report_left
else
	echo "<4>vfio-bind: @PKGDATADIR@/vfio-bind.sh is missing from the initramfs; nothing done" \
		2>/dev/null >>"${VFIO_BIND_ROOT-}/dev/kmsg"
fi
