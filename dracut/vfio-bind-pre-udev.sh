#!/bin/sh
# vfio-bind: sourced by dracut before udevd starts. Hand the functions named
# by vfio-pci.ids= and vfio-bind.addrs= to vfio-pci before udev coldplug
# loads their host drivers. Storage controllers wait for the pre-mount hook
# (vfio-bind-pre-mount.sh): their disks, and so the root, do not exist yet.
#
# When the helper left any (it then creates /run/vfio-bind-deferred), ask
# for dracut's initqueue, which waits for the root device: the shell /init
# always runs it, systemd's dracut-initqueue.service only when
# /lib/dracut/need-initqueue exists as it starts, after udev's coldplug
# (ConditionPathExists), and dracut-pre-mount.service comes after it.
# Sourced, so: no exit, no set -e, and nothing left defined afterwards.

if [ -r @PKGDATADIR@/vfio-bind.sh ]; then
	# shellcheck source=/dev/null
	. @PKGDATADIR@/vfio-bind.sh
	vfio_bind_run --defer-storage
	unset -f vfio_bind_run vfio_bind_modules vfio_bind_libraries
	# (VFIO_BIND_ROOT: the tests' tree. A subshell: a redirection that
	# fails on a special built-in such as ":" ends a POSIX shell.)
	if [ -e "${VFIO_BIND_ROOT-}/run/vfio-bind-deferred" ]; then
		(: >"${VFIO_BIND_ROOT-}/lib/dracut/need-initqueue") 2>/dev/null || :
	fi
fi
