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
#
# Works with dracut 059 and dracut-ng up to 112, with systemd in the image
# or the shell /init.
# shellcheck disable=SC2154 # dracut sets moddir, initdir, dracutbasedir...

# called by dracut
check() {
	require_binaries @SBINDIR@/vfio-bind || return 1
	[ -r @PKGDATADIR@/vfio-bind.sh ] || return 1
	[ -r @PKGDATADIR@/vfio-bind-build.sh ] || return 1
	return 0
}

# called by dracut
depends() {
	# The shell /init waits for the root device in dracut's initqueue
	# before it sources the pre-mount hooks. Since dracut-ng 107 the
	# initqueue is a module of its own (77initqueue) that an image has
	# only when a module asks for it, as 74resume asks; before, it was
	# part of base and there is no such module to ask for.
	local dir
	if ! dracut_module_included systemd; then
		for dir in "$dracutbasedir"/modules.d/??initqueue; do
			[ -d "$dir" ] && echo initqueue
		done
	fi
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
		# The VFIO variant drivers the helper may choose at boot: in a
		# host-only image those for this host's PCI functions, else all.
		# shellcheck disable=SC2154 # dracut sets srcmods and hostonly
		variants=$(vfio_bind_variant_modules "${srcmods-}" "${hostonly:+/sys}")
		if [[ -n $variants ]]; then
			dinfo "vfio-bind: adding VFIO variant drivers: ${variants//$'\n'/ }"
			# shellcheck disable=SC2086
			hostonly='' instmods $variants
		fi
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
		# What the helper opens with dlopen() (its .note.dlopen), with
		# what those need.
		libraries=$(vfio_bind_libraries @SBINDIR@/vfio-bind)
		# shellcheck disable=SC2086
		[[ -z $libraries ]] || inst_libdir_file $libraries
		# vfio-pci's options lines and driverctl's overrides, also in
		# generic images, which get no /etc/modprobe.d (80base): only
		# vfio-pci's lines, no other module's.
		vfio_bind_carry_modprobe_options "${dracutsysrootdir-}" "$initdir"
		for file in $(vfio_bind_driverctl_files "${dracutsysrootdir-}"); do
			inst_simple "$file"
		done
	)
	record_management_nics
	if dracut_module_included systemd; then
		install_units
	else
		install_hooks
	fi
}

# A host-only image boots this host: the NICs under its default routes are
# recorded, for the boot to keep. A generic one may boot any machine, and
# carries only what the operator wrote in /etc/vfio-bind/management-nics.
record_management_nics() {
	local root=${dracutsysrootdir-}
	if [[ ! -f $root/etc/vfio-bind/management-nics && (! $hostonly || $root) ]]; then
		dinfo "vfio-bind: a generic image records no management NIC; at boot vfio-pci.ids= takes every NIC of a model it names"
		return 0
	fi
	(
		# shellcheck source=/dev/null
		. @PKGDATADIR@/vfio-bind-build.sh
		vfio_bind_record_management_nics @SBINDIR@/vfio-bind "$initdir" "$root"
	) || derror "vfio-bind: cannot record the NICs under this host's default routes; at boot no network controller is taken unless vfio-bind.addrs= names it"
}

# systemd: units of vfio-bind's own, not dracut's hooks (see each unit for
# why): the pass before udev, the pass once the root device exists, which
# runs only when the first left work for it, and the report on what the
# first left when the second did not run.
install_units() {
	local unit
	inst_simple "$moddir/vfio-bind-pre-udev.sh" @PKGDATADIR@/dracut-pre-udev.sh
	inst_simple "$moddir/vfio-bind-late.sh" @PKGDATADIR@/dracut-late.sh
	for unit in vfio-bind.service:sysinit.target \
		vfio-bind-late.service:initrd.target \
		vfio-bind-report.service:initrd.target; do
		if ! inst_simple "$moddir/${unit%:*}" "$systemdsystemunitdir/${unit%:*}" ||
			! $SYSTEMCTL -q --root "$initdir" add-wants "${unit#*:}" "${unit%:*}"; then
			derror "vfio-bind: cannot install ${unit%:*} wanted by ${unit#*:}; the image will not run it"
		fi
	done
}

# The shell /init: hooks, which dracut puts where its /init looks for them
# ($hookdir). It sources the pre-udev hooks before it starts udevd, the
# pre-mount hooks once the initqueue has the root device, and the pre-pivot
# hooks once the root is mounted.
install_hooks() {
	inst_hook pre-udev 20 "$moddir/vfio-bind-pre-udev.sh"
	inst_hook pre-mount 10 "$moddir/vfio-bind-pre-mount.sh"
	inst_hook pre-pivot 90 "$moddir/vfio-bind-report.sh"
}
