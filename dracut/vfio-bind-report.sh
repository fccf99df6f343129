#!/bin/sh
# vfio-bind: a pre-pivot hook of dracut's shell /init, which sources it once
# the root is mounted: when the pass once the root device exists did not
# run, say what the pass before udev left on its host drivers.
# Sourced, so: no exit, no set -e, and nothing left defined afterwards.

if [ -e "${VFIO_BIND_ROOT-}/run/vfio-bind-deferred" ] && [ ! -r @PKGDATADIR@/vfio-bind.sh ]; then
	echo "<4>vfio-bind: @PKGDATADIR@/vfio-bind.sh is missing from the initramfs; nothing done" \
		2>/dev/null >>"${VFIO_BIND_ROOT-}/dev/kmsg"
elif [ -e "${VFIO_BIND_ROOT-}/run/vfio-bind-deferred" ]; then
	# shellcheck source=/dev/null
	. @PKGDATADIR@/vfio-bind.sh
	vfio_bind_report_left
	unset -f vfio_bind_run vfio_bind_limit vfio_bind_late vfio_bind_report_left
fi
