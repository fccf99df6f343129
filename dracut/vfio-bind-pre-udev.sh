#!/bin/sh
# vfio-bind: sourced by dracut before udevd starts. Hand the functions named
# by vfio-pci.ids= to vfio-pci before udev coldplug loads their host drivers.
# Sourced, so: no exit, no set -e, and nothing left defined afterwards.

if [ -r @PKGDATADIR@/vfio-bind.sh ]; then
	# shellcheck source=/dev/null
	. @PKGDATADIR@/vfio-bind.sh
	vfio_bind_run
	unset -f vfio_bind_run vfio_bind_modules vfio_bind_libraries
fi
