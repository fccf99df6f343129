#!/bin/sh
# vfio-bind: sourced by dracut before udevd starts. Hand the functions named
# by vfio-pci.ids= and vfio-bind.addrs= to vfio-pci before udev coldplug
# loads their host drivers. Storage controllers wait for the pre-mount hook
# (vfio-bind-pre-mount.sh): their disks, and so the root, do not exist yet.
# Sourced, so: no exit, no set -e, and nothing left defined afterwards.

if [ -r @PKGDATADIR@/vfio-bind.sh ]; then
	# shellcheck source=/dev/null
	. @PKGDATADIR@/vfio-bind.sh
	vfio_bind_run --defer-storage
	unset -f vfio_bind_run vfio_bind_modules vfio_bind_libraries
fi
