#!/bin/sh
# vfio-bind: sourced by dracut once the root device exists and before it is
# mounted, from the pre-mount hook that the pass before udev makes when it
# left work here (it asks for the initqueue then, which waits for the
# device). The storage guard's second pass: take the selected storage
# controllers that the pass before udev deferred, except the one under the
# root device dracut resolved ($root, "block:/dev/...").
# Any other form, such as a network root, names no local disk: the helper
# reads root= itself, and under a network root keeps the NIC whose
# interface reaches it (dracut's initqueue has brought the network up by
# now).
# Sourced, so: no exit, no set -e, and nothing left defined afterwards.

if [ -r @PKGDATADIR@/vfio-bind.sh ]; then
	# shellcheck source=/dev/null
	. @PKGDATADIR@/vfio-bind.sh
	# (set by dracut's cmdline stage)
	case ${root-} in
	block:?*) vfio_bind_run --keep "${root#block:}" ;;
	*) vfio_bind_run ;;
	esac
	unset -f vfio_bind_run
fi
