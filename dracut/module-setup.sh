#!/bin/bash
# vfio-bind: claim the PCI functions named by vfio-pci.ids= for vfio-pci
# before udev starts, so host drivers (nouveau, snd_hda_intel, ...) never
# get them; storage controllers once the root device exists, keeping the
# one that carries it.
#
# Included by default once installed: check() returns 0 whenever the helper
# is there, in generic and host-only images alike, because the command line
# of the next boot is not known when the image is built and the helper does
# nothing without vfio-pci.ids=. Leave it out with `dracut --omit vfio-bind`
# or omit_dracutmodules+=" vfio-bind " in /etc/dracut.conf.d/.

# called by dracut
check() {
	require_binaries @SBINDIR@/vfio-bind || return 1
	[ -r @PKGDATADIR@/vfio-bind.sh ] || return 1
	[ -r @PKGDATADIR@/vfio-bind-build.sh ] || return 1
	return 0
}

# called by dracut
depends() {
	return 0
}

# called by dracut
installkernel() {
	# A subshell, so the shared functions do not stay defined in dracut.
	(
		# shellcheck source=/dev/null
		. @PKGDATADIR@/vfio-bind-build.sh
		# The host may not have loaded vfio yet: add the modules even to
		# host-only images.
		# shellcheck disable=SC2046
		hostonly='' instmods $(vfio_bind_modules)
	)
}

# called by dracut
install() {
	inst_binary @SBINDIR@/vfio-bind
	inst_simple @PKGDATADIR@/vfio-bind.sh
	# The hook's time limit (vfio_bind_run) needs sleep; dracut's base
	# module brings it, but an image built without base would not have it.
	inst_multiple sleep
	(
		# shellcheck source=/dev/null
		. @PKGDATADIR@/vfio-bind-build.sh
		# What the helper opens with dlopen(), with what those need.
		# shellcheck disable=SC2046
		inst_libdir_file $(vfio_bind_libraries)
		# vfio-pci's options lines and driverctl's overrides, also in
		# generic images, which get no /etc/modprobe.d (80base): only
		# vfio-pci's lines, no other module's.
		# shellcheck disable=SC2154
		vfio_bind_carry_modprobe_options "${dracutsysrootdir-}" "$initdir"
		for file in $(vfio_bind_driverctl_files "${dracutsysrootdir-}"); do
			inst_simple "$file"
		done
	)
	# The pass before udev. systemd: a unit of its own, which starts before
	# systemd-udevd.service (vfio-bind.service says why not a pre-udev
	# hook); the shell /init sources its pre-udev hooks before it starts
	# udevd.
	# shellcheck disable=SC2154
	if dracut_module_included systemd; then
		inst_simple "$moddir/vfio-bind-pre-udev.sh" @PKGDATADIR@/dracut-pre-udev.sh
		inst_simple "$moddir/vfio-bind.service" "$systemdsystemunitdir/vfio-bind.service"
		$SYSTEMCTL -q --root "$initdir" add-wants sysinit.target vfio-bind.service
	else
		inst_hook pre-udev 20 "$moddir/vfio-bind-pre-udev.sh"
	fi
	# The storage guard's second pass, once the root device exists. Not a
	# hook yet: the pass before udev makes it one at boot, with the
	# initqueue that waits for the root device, only when it left a storage
	# controller for it. Otherwise there is nothing for it to do, and in
	# systemd images no dracut-pre-mount.service to start for it.
	inst_simple "$moddir/vfio-bind-pre-mount.sh" @PKGDATADIR@/dracut-pre-mount.sh
}
