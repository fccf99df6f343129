#!/bin/sh
# vfio-bind: the pass before udevd starts. Hand the functions named by
# vfio-pci.ids= and vfio-bind.addrs= to vfio-pci before udev coldplug loads
# their host drivers. Storage controllers wait for the pass once the root
# device exists (vfio-bind-pre-mount.sh): their disks, and so the root, do
# not exist yet. The shell /init sources this as a pre-udev hook; in systemd
# images vfio-bind.service runs it with sh.
#
# When the helper left any (it then creates /run/vfio-bind-deferred), make
# that pass a pre-mount hook and ask for dracut's initqueue, which waits for
# the root device: the shell /init always runs the initqueue, and sources
# the pre-mount hooks there are after it; systemd's dracut-initqueue.service
# runs only when /lib/dracut/need-initqueue exists as it starts, after udev's
# coldplug, and dracut-pre-mount.service, after it, only when a pre-mount
# hook does (ConditionPathExists, ConditionDirectoryNotEmpty).
# Sourced, so: no exit, no set -e, and nothing left defined afterwards.

if [ -r @PKGDATADIR@/vfio-bind.sh ]; then
	# shellcheck source=/dev/null
	. @PKGDATADIR@/vfio-bind.sh
	vfio_bind_run --defer-storage
	unset -f vfio_bind_run
	# (VFIO_BIND_ROOT: the tests' tree. Subshells: a redirection that
	# fails on a special built-in such as ":" ends a POSIX shell.)
	if [ -e "${VFIO_BIND_ROOT-}/run/vfio-bind-deferred" ]; then
		(echo ". @PKGDATADIR@/dracut-pre-mount.sh" \
			>"${VFIO_BIND_ROOT-}/lib/dracut/hooks/pre-mount/10-vfio-bind-pre-mount.sh") 2>/dev/null || :
		(: >"${VFIO_BIND_ROOT-}/lib/dracut/need-initqueue") 2>/dev/null || :
	fi
fi
