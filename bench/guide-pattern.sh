#!/bin/sh
# The initramfs script that passthrough guides copy from one another, as the
# benchmark's point of comparison: for every PCI function, read vendor and
# device with cat; when the pair is in the list, write driver_override,
# unbind the host driver and have the kernel probe the function again.
#
#   guide-pattern.sh ROOT IDS
#
# ROOT is what vfio-bind --root gets ("" for the real /sys); IDS is the
# guides' list, vendor:device pairs separated by commas
# (10de:1c30,10de:10f1). POSIX sh, for busybox sh and dash; nothing here is
# meant to be fast, only faithful.

root=$1
devs=$(echo "$2" | sed 's/,/ /g')

for dev in "$root"/sys/bus/pci/devices/*; do
	vendor=$(cat "$dev/vendor")
	device=$(cat "$dev/device")
	for id in $devs; do
		if [ "${vendor#0x}:${device#0x}" = "$id" ]; then
			addr=$(basename "$dev")
			echo vfio-pci >"$dev/driver_override"
			if [ -e "$dev/driver" ]; then
				echo "$addr" >"$dev/driver/unbind"
			fi
			echo "$addr" >"$root/sys/bus/pci/drivers_probe"
		fi
	done
done
