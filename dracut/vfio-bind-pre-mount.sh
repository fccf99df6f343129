#!/bin/sh
# vfio-bind: a pre-mount hook of dracut's shell /init, which sources it once
# the initqueue has the root device and before it mounts it. The storage
# guard's second pass, when the pass before udev left work for it (the
# deferral note): take the selected storage controllers it deferred, except
# the one under the root device dracut resolved ($root, "block:/dev/...").
# Any other form, such as a network root, names no local disk: the helper
# reads root= itself, and under a network root keeps the NIC whose
# interface reaches it (dracut's initqueue has brought the network up by
# now).
# Sourced, so: no exit, no set -e, and nothing left defined afterwards.

if [ -e "${VFIO_BIND_ROOT-}/run/vfio-bind-deferred" ] && [ ! -r @PKGDATADIR@/vfio-bind.sh ]; then
	echo "<4>vfio-bind: @PKGDATADIR@/vfio-bind.sh is missing from the initramfs; nothing done" \
		2>/dev/null >>"${VFIO_BIND_ROOT-}/dev/kmsg"
elif [ -e "${VFIO_BIND_ROOT-}/run/vfio-bind-deferred" ]; then
	# shellcheck source=/dev/null
	. @PKGDATADIR@/vfio-bind.sh
	# (set by dracut's cmdline stage)
	case ${root-} in
	block:?*) vfio_bind_late --keep "${root#block:}" ;;
	*) vfio_bind_late ;;
	esac
	unset -f vfio_bind_run vfio_bind_limit vfio_bind_late vfio_bind_report_left
fi
