# shellcheck shell=bash
# Builds fake system trees for vfio-bind --root: proc/cmdline, sys/ and
# dev/kmsg laid out as the kernel lays them out, one tree per test.

VFIO_BIND="${VFIO_BIND:-$BATS_TEST_DIRNAME/../../vfio-bind}"

fake_root() {
	ROOT="$BATS_TEST_TMPDIR/root"
	mkdir -p "$ROOT/proc/bus/pci" "$ROOT/dev" "$ROOT/sys/bus/pci/devices" \
		"$ROOT/sys/bus/pci/drivers" "$ROOT/sys/kernel/iommu_groups" \
		"$ROOT/sys/devices/pci0000:00" "$ROOT/sys/module" "$ROOT/run"
	: >"$ROOT/dev/kmsg"
	: >"$ROOT/proc/bus/pci/devices"
	: >"$ROOT/sys/bus/pci/drivers_probe"
	printf '%s\n' "${1:-quiet}" >"$ROOT/proc/cmdline"
}

# fake_proc_pci_line ADDR VENDOR DEVICE: the function's line in
# proc/bus/pci/devices as show_device() (drivers/pci/proc.c) prints it: bus
# number and devfn (no domain), vendor and device, the IRQ, seven resource
# starts and seven sizes. The driver's name, last, is left empty: vfio-bind
# reads only the first two columns.
fake_proc_pci_line() {
	local bdf=${1#*:} slot i
	slot=${bdf#*:}
	printf '%02x%02x\t%04x%04x\t%x' "0x${bdf%%:*}" \
		$(((0x${slot%.*} << 3) | ${slot#*.})) "0x$2" "0x$3" 0
	for ((i = 0; i < 14; i++)); do printf '\t%16x' 0; done
	printf '\t\n'
}

# fake_proc_pci_drop ADDR: the function's line leaves proc/bus/pci/devices
# while the function stays in sysfs, as between bus_add_device() linking it
# into sys/bus/pci/devices and adding it to the bus's list.
fake_proc_pci_drop() {
	local dev="$ROOT/sys/devices/pci0000:00/$1" line file="$ROOT/proc/bus/pci/devices"
	line=$(fake_proc_pci_line "$1" "$(cut -c3- "$dev/vendor")" \
		"$(cut -c3- "$dev/device")" | cut -f1,2)
	awk -v line="$line" 'gone || index($0, line "\t") != 1 { print; next } { gone = 1 }' \
		"$file" >"$file.new"
	mv "$file.new" "$file"
}

fake_cmdline() {
	printf '%s\n' "$1" >"$ROOT/proc/cmdline"
}

fake_driver() {
	local dir="$ROOT/sys/bus/pci/drivers/$1"
	mkdir -p "$dir"
	: >"$dir/bind"
	: >"$dir/unbind"
	: >"$dir/new_id"
}

# fake_vfio_variant DRIVER MODULE: a VFIO variant driver registered by its
# module, which uses vfio_pci_core's exports: the kernel links the driver to
# its module and the module into vfio_pci_core's holders.
fake_vfio_variant() {
	fake_driver "$1"
	mkdir -p "$ROOT/sys/module/$2/drivers" "$ROOT/sys/module/vfio_pci_core/holders"
	ln -sfn "../../../../module/$2" "$ROOT/sys/bus/pci/drivers/$1/module"
	ln -sfn "../../../bus/pci/drivers/$1" "$ROOT/sys/module/$2/drivers/pci:$1"
	ln -sfn "../../$2" "$ROOT/sys/module/vfio_pci_core/holders/$2"
}

# vfio-pci loaded: its driver registered, its module's parameters visible.
fake_vfio_loaded() {
	fake_driver vfio-pci
	mkdir -p "$ROOT/sys/module/vfio_pci/parameters" \
		"$ROOT/sys/module/vfio/parameters"
	echo N >"$ROOT/sys/module/vfio_pci/parameters/disable_denylist"
	echo N >"$ROOT/sys/module/vfio/parameters/enable_unsafe_noiommu_mode"
}

# fake_function ADDR VENDOR:DEVICE [key=value...]
#   class=0x030000 subsys=SV:SD driver=NAME group=N|none header=N
#   override=NAME boot_vga=0|1 sriov=N physfn=ADDR numa=N
fake_function() {
	local addr=$1 ids=$2 class=0x030000 subsys=ffff:ffff driver= group=auto
	local header=0 override='(null)' boot_vga= sriov= physfn= numa= kv dev
	shift 2
	for kv in "$@"; do
		case $kv in
		class=*) class=${kv#*=} ;;
		subsys=*) subsys=${kv#*=} ;;
		driver=*) driver=${kv#*=} ;;
		group=*) group=${kv#*=} ;;
		header=*) header=${kv#*=} ;;
		override=*) override=${kv#*=} ;;
		boot_vga=*) boot_vga=${kv#*=} ;;
		sriov=*) sriov=${kv#*=} ;;
		physfn=*) physfn=${kv#*=} ;;
		numa=*) numa=${kv#*=} ;;
		*) echo "fake_function: unknown $kv" >&2; return 1 ;;
		esac
	done
	dev="$ROOT/sys/devices/pci0000:00/$addr"
	mkdir -p "$dev"
	printf '0x%s\n' "${ids%%:*}" >"$dev/vendor"
	printf '0x%s\n' "${ids##*:}" >"$dev/device"
	printf '0x%s\n' "${subsys%%:*}" >"$dev/subsystem_vendor"
	printf '0x%s\n' "${subsys##*:}" >"$dev/subsystem_device"
	printf '%s\n' "$class" >"$dev/class"
	# as drivers/pci/pci-sysfs.c's modalias_show() prints it
	printf 'pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n' "0x${ids%%:*}" \
		"0x${ids##*:}" "0x${subsys%%:*}" "0x${subsys##*:}" \
		$((class >> 16)) $(((class >> 8) & 0xff)) $((class & 0xff)) >"$dev/modalias"
	printf '%s\n' "$override" >"$dev/driver_override"
	# 64 bytes of config space; only the header type (0x0e) is read.
	head -c 14 /dev/zero >"$dev/config"
	printf "\\$(printf '%03o' "$header")" >>"$dev/config"
	head -c 49 /dev/zero >>"$dev/config"
	ln -s "../../../devices/pci0000:00/$addr" \
		"$ROOT/sys/bus/pci/devices/$addr"
	fake_proc_pci_line "$addr" "${ids%%:*}" "${ids##*:}" \
		>>"$ROOT/proc/bus/pci/devices"
	if [ "$group" = auto ]; then
		group=$(find "$ROOT/sys/kernel/iommu_groups" -mindepth 1 \
			-maxdepth 1 | wc -l)
	fi
	if [ "$group" != none ]; then
		mkdir -p "$ROOT/sys/kernel/iommu_groups/$group/devices"
		ln -s "../../../kernel/iommu_groups/$group" "$dev/iommu_group"
		ln -s "../../../../devices/pci0000:00/$addr" \
			"$ROOT/sys/kernel/iommu_groups/$group/devices/$addr"
	fi
	[ -z "$boot_vga" ] || echo "$boot_vga" >"$dev/boot_vga"
	[ -z "$sriov" ] || echo "$sriov" >"$dev/sriov_totalvfs"
	[ -z "$physfn" ] || ln -s "../$physfn" "$dev/physfn"
	[ -z "$numa" ] || echo "$numa" >"$dev/numa_node"
	if [ -n "$driver" ]; then
		[ -d "$ROOT/sys/bus/pci/drivers/$driver" ] || fake_driver "$driver"
		ln -s "../../../bus/pci/drivers/$driver" "$dev/driver"
	fi
}

# fake_numa_nodes LIST: the NUMA nodes online, in the kernel's list format
# ("0", "0-1").
fake_numa_nodes() {
	mkdir -p "$ROOT/sys/devices/system/node"
	echo "$1" >"$ROOT/sys/devices/system/node/online"
}

# fake_hostname NAME: the host name, as proc/sys/kernel/hostname gives it.
fake_hostname() {
	mkdir -p "$ROOT/proc/sys/kernel"
	echo "$1" >"$ROOT/proc/sys/kernel/hostname"
}

# fake_check_passes: what check asks of the functions on vfio-pci, so
# nova-config vouches for them: each selected on the command line
# (vfio-pci.ids=), a /dev/vfio node for each of their groups.
fake_check_passes() {
	local dev ids=() group
	for dev in "$ROOT"/sys/bus/pci/devices/*; do
		[ "$(basename "$(readlink "$dev/driver")")" = vfio-pci ] || continue
		ids+=("$(cut -c3- "$dev/vendor"):$(cut -c3- "$dev/device")")
		group=$(basename "$(readlink "$dev/iommu_group")")
		mkdir -p "$ROOT/dev/vfio"
		[ -z "$group" ] || : >"$ROOT/dev/vfio/$group"
	done
	fake_cmdline "vfio-pci.ids=$(printf '%s\n' "${ids[@]}" | sort -u | paste -sd,)"
}

# fake_cpu VENDOR_ID [TABLE...]: proc/cpuinfo's vendor_id ("GenuineIntel",
# "AuthenticAMD") and the ACPI tables the firmware hands the kernel
# (sys/firmware/acpi/tables/DMAR for VT-d, IVRS for AMD-Vi).
fake_cpu() {
	local table
	mkdir -p "$ROOT/sys/firmware/acpi/tables"
	printf 'processor\t: 0\nvendor_id\t: %s\ncpu family\t: 6\n\n' "$1" >"$ROOT/proc/cpuinfo"
	shift
	for table in APIC FACP "$@"; do : >"$ROOT/sys/firmware/acpi/tables/$table"; done
}

# fake_kernel_config RELEASE LINE...: the running kernel's release and its
# config in /boot, as the distribution's kernel package installs it.
fake_kernel_config() {
	local release=$1
	shift
	mkdir -p "$ROOT/proc/sys/kernel" "$ROOT/boot"
	echo "$release" >"$ROOT/proc/sys/kernel/osrelease"
	printf '#\n# Linux/x86 %s Kernel Configuration\n' "$release" >"$ROOT/boot/config-$release"
	printf '%s\n' "$@" >>"$ROOT/boot/config-$release"
}

# fake_iomem LINE...: proc/iomem, one line each ("  e0000000-efffffff : NAME",
# nested by two spaces a level).
fake_iomem() {
	printf '%s\n' "$@" >"$ROOT/proc/iomem"
}

# Rebinds a fake function, as the kernel would after a successful bind.
fake_set_driver() {
	local dev="$ROOT/sys/devices/pci0000:00/$1"
	rm -f "$dev/driver"
	[ -z "$2" ] || ln -s "../../../bus/pci/drivers/$2" "$dev/driver"
}

fake_attr() {
	cat "$ROOT/sys/devices/pci0000:00/$1/$2"
}

fake_driver_of() {
	local link="$ROOT/sys/devices/pci0000:00/$1/driver"
	if [ -L "$link" ]; then basename "$(readlink "$link")"; else echo none; fi
}

# The sysfs files vfio-bind opened for writing, in order, one per line,
# relative to the root (dev/kmsg and the boot job's record, opened in
# run/vfio-bind/, left out): openat() on the running system, openat2()
# inside a --root tree.
sysfs_writes() {
	sed -n 's/^[0-9]* *openat2\{0,1\}([^"]*"\([^"]*\)", \(O_WRONLY\|{flags=O_WRONLY\).*/\1/p' \
		"$BATS_TEST_TMPDIR/trace" | sed "s|^$ROOT/||; s|^/||" |
		grep -v -e '^dev/kmsg$' -e '^\.boot-[a-z]*\.json\.new$' || true
}

# strace with its arguments. LeakSanitizer cannot run under ptrace, so a
# helper built with make SANITIZE=1 runs here without it.
strace_helper() {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace "$@"
}

# Runs vfio-bind on the fake root under strace, so sysfs_writes can tell
# the order of writes.
vfio_bind_traced() {
	strace_helper -qq -f -e trace=openat,openat2 -o "$BATS_TEST_TMPDIR/trace" \
		"$VFIO_BIND" --root "$ROOT" "$@"
}

# /dev/vfio/GROUP for a function's IOMMU group, as devtmpfs makes it.
fake_vfio_node() {
	local group
	group=$(basename "$(readlink "$ROOT/sys/devices/pci0000:00/$1/iommu_group")")
	mkdir -p "$ROOT/dev/vfio"
	: >"$ROOT/dev/vfio/$group"
}

# fake_vfio_cdev ADDR N: the function's vfio cdev (iommufd), vfio-dev/vfioN
# in sysfs and dev/vfio/devices/vfioN.
fake_vfio_cdev() {
	mkdir -p "$ROOT/sys/devices/pci0000:00/$1/vfio-dev/vfio$2" "$ROOT/dev/vfio/devices"
	: >"$ROOT/dev/vfio/devices/vfio$2"
}

# A small PCI ID database, in pci.ids' format.
fake_pci_ids() {
	mkdir -p "$ROOT/usr/share/misc"
	printf '%s\n' '# pci.ids excerpt' '10de  NVIDIA Corporation' \
		'	1c30  GP106GL [Quadro P2000]' '		1028 11b3  Quadro P2000' \
		'	10f1  GP106 High Definition Audio Controller' \
		'8086  Intel Corporation' '	1533  I210 Gigabit Network Connection' \
		'C 03  Display controller' >"$ROOT/usr/share/misc/pci.ids"
}

# --- block devices ------------------------------------------------------
# A block device under a parent sysfs directory (relative to sys/devices),
# with its class/block and dev/block links and empty holders/ and slaves/.
_fake_block() {
	local parent=$1 name=$2 devnum=$3 dir
	dir="$ROOT/sys/devices/$parent/$name"
	mkdir -p "$dir/holders" "$dir/slaves" "$ROOT/sys/class/block" \
		"$ROOT/sys/dev/block"
	echo "$devnum" >"$dir/dev"
	ln -s "../../devices/$parent/$name" "$ROOT/sys/class/block/$name"
	ln -s "../../devices/$parent/$name" "$ROOT/sys/dev/block/$devnum"
}

# fake_disk ADDR NAME MAJ:MIN: an NVMe namespace on the function ADDR.
fake_disk() {
	_fake_block "pci0000:00/$1/nvme/${2%n*}" "$2" "$3"
}

# fake_usb_disk ADDR NAME MAJ:MIN: a USB disk behind the USB controller ADDR,
# at the depth the kernel puts it (port, interface, SCSI host, target, LUN).
fake_usb_disk() {
	_fake_block "pci0000:00/$1/usb2/2-1/2-1:1.0/host0/target0:0:0/0:0:0:0/block" "$2" "$3"
}

# fake_partition DISK NAME NUMBER MAJ:MIN
fake_partition() {
	local disk parent
	disk=$(readlink "$ROOT/sys/class/block/$1")
	parent=${disk#../../devices/}
	_fake_block "$parent" "$2" "$4"
	echo "$3" >"$ROOT/sys/class/block/$2/partition"
}

# fake_stacked NAME MAJ:MIN DM_NAME|- MEMBER...: a dm (or md) device built
# on the members, linked both ways as the kernel links them.
fake_stacked() {
	local name=$1 devnum=$2 dm_name=$3 member
	shift 3
	_fake_block virtual/block "$name" "$devnum"
	if [ "$dm_name" != - ]; then
		mkdir -p "$ROOT/sys/devices/virtual/block/$name/dm"
		echo "$dm_name" >"$ROOT/sys/devices/virtual/block/$name/dm/name"
	fi
	for member in "$@"; do
		ln -s "../../$member" "$ROOT/sys/class/block/$name/slaves/$member"
		ln -s "../../$name" "$ROOT/sys/class/block/$member/holders/$name"
	done
}

# fake_loop NAME MAJ:MIN BACKING: a loop device reading BACKING (a path, as
# loop/backing_file shows it).
fake_loop() {
	_fake_block virtual/block "$1" "$2"
	mkdir -p "$ROOT/sys/class/block/$1/loop"
	echo "$3" >"$ROOT/sys/class/block/$1/loop/backing_file"
}

# fake_zfs_imported POOL: OpenZFS's kstat directory of an imported pool.
fake_zfs_imported() {
	mkdir -p "$ROOT/proc/spl/kstat/zfs/$1"
	echo ONLINE >"$ROOT/proc/spl/kstat/zfs/$1/state"
}

# fake_ext4_journal NAME UUID JOURNAL: a real ext4 filesystem as dev/NAME
# whose journal is the external journal device dev/JOURNAL, both made by
# mke2fs (which writes the journal's UUID into the filesystem only through
# a block device: a loop device stands in while it runs). Needs root.
fake_ext4_journal() {
	local loop
	truncate -s 8M "$ROOT/dev/$1" "$ROOT/dev/$3"
	mke2fs -q -F -O journal_dev "$ROOT/dev/$3"
	loop=$(losetup --find --show "$ROOT/dev/$3")
	mkfs.ext4 -q -F -U "$2" -J "device=$loop" "$ROOT/dev/$1" 2>/dev/null
	local status=$?
	losetup -d "$loop"
	return "$status"
}

# fake_fs NAME TYPE UUID LABEL: a real filesystem image as dev/NAME, for
# libblkid to probe.
fake_fs() {
	local image="$ROOT/dev/$1"
	truncate -s 4M "$image"
	case $2 in
	ext4) mkfs.ext4 -q -F -U "$3" -L "$4" "$image" ;;
	swap) mkswap -q -U "$3" -L "$4" "$image" >/dev/null ;;
	esac
}

# fake_gpt NAME PARTUUID PARTLABEL: a whole-disk image with a GPT whose
# second partition has that UUID and name.
fake_gpt() {
	local image="$ROOT/dev/$1"
	truncate -s 8M "$image"
	printf '%s\n' 'label: gpt' 'size=2MiB, name=efi' \
		"size=2MiB, uuid=$2, name=$3" | sfdisk -q "$image" >/dev/null
}

# fake_btrfs NAME...: one real btrfs filesystem (RAID1 over two or more
# devices) across the images dev/NAME..., with UUID $BTRFS_UUID.
fake_btrfs() {
	local name images=()
	for name in "$@"; do
		truncate -s 125M "$ROOT/dev/$name"
		images+=("$ROOT/dev/$name")
	done
	if (($# > 1)); then
		mkfs.btrfs -q -f -d raid1 -m raid1 -U "$BTRFS_UUID" "${images[@]}" >/dev/null
	else
		mkfs.btrfs -q -f -U "$BTRFS_UUID" "${images[@]}" >/dev/null
	fi
}

_be32() {
	printf "\\$(printf %03o $(($1 >> 24 & 255)))\\$(printf %03o $(($1 >> 16 & 255)))\\$(printf %03o $(($1 >> 8 & 255)))\\$(printf %03o $(($1 & 255)))"
}

# fake_zfs NAME POOL: dev/NAME as a member of ZFS pool POOL, as libblkid
# finds one (libblkid/src/superblocks/zfs.c): a 64 MiB device whose first
# vdev label holds the config nvlist (XDR, big-endian) with the pool's
# "name" at 16 KiB, and four uberblocks (magic 0x00bab10c) from 128 KiB.
fake_zfs() {
	local image="$ROOT/dev/$1" pool=$2 len pad i
	len=${#pool}
	pad=$(((len + 3) / 4 * 4))
	truncate -s 64M "$image"
	{
		printf '\001\001\000\000\000\000\000\000\000\000\000\001'
		_be32 $((28 + pad))
		_be32 $((28 + pad))
		_be32 4
		printf name
		_be32 9 # DATA_TYPE_STRING
		_be32 1
		_be32 "$len"
		printf '%s' "$pool"
		head -c $((pad - len)) /dev/zero
		_be32 0
	} | dd of="$image" bs=1 seek=16384 conv=notrunc status=none
	for i in 0 1 2 3; do
		printf '\014\261\272\000\000\000\000\000\210\023\000\000\000\000\000\000' |
			dd of="$image" bs=1 seek=$((131072 + i * 1024)) conv=notrunc status=none
	done
}

# fake_mountinfo LINE...: proc/self/mountinfo, one line each.
fake_mountinfo() {
	mkdir -p "$ROOT/proc/self"
	printf '%s\n' "$@" >"$ROOT/proc/self/mountinfo"
}

# fake_multipath_ns SUBSYS NAME MAJ:MIN CTRL=ADDR...: a namespace of a
# native-multipath NVMe subsystem, reached through each controller CTRL
# (nvme0, ...) on the function ADDR.
fake_multipath_ns() {
	local subsys=$1 name=$2 devnum=$3 kv
	shift 3
	_fake_block "virtual/nvme-subsystem/$subsys" "$name" "$devnum"
	mkdir -p "$ROOT/sys/class/nvme-subsystem"
	ln -sfn "../../devices/virtual/nvme-subsystem/$subsys" \
		"$ROOT/sys/class/nvme-subsystem/$subsys"
	for kv in "$@"; do
		mkdir -p "$ROOT/sys/devices/pci0000:00/${kv#*=}/nvme/${kv%%=*}"
		ln -s "../../pci0000:00/${kv#*=}/nvme/${kv%%=*}" \
			"$ROOT/sys/devices/virtual/nvme-subsystem/$subsys/${kv%%=*}"
	done
}

# fake_vmd_disk VMD_ADDR DOMAIN_ADDR NAME MAJ:MIN: an NVMe namespace on the
# function DOMAIN_ADDR inside the VMD domain that VMD_ADDR hosts.
fake_vmd_disk() {
	local domain=${2%%:*}
	mkdir -p "$ROOT/sys/devices/pci0000:00/$1/pci$domain:00/$2"
	_fake_block "pci0000:00/$1/pci$domain:00/$2/nvme/${3%n*}" "$3" "$4"
}

# fake_netdev ADDR IFACE MAC: the network interface of the function ADDR.
fake_netdev() {
	local dir="$ROOT/sys/devices/pci0000:00/$1/net/$2"
	mkdir -p "$dir" "$ROOT/sys/class/net"
	echo "$3" >"$dir/address"
	ln -s "../../devices/pci0000:00/$1/net/$2" "$ROOT/sys/class/net/$2"
}

# fake_stacked_netdev IFACE LOWER...: a virtual interface (a bridge, bond,
# VLAN, Open vSwitch's datapath) over the interfaces LOWER, linked as the
# kernel links them (lower_NAME in IFACE's directory, upper_IFACE in each
# LOWER's, master when IFACE is a bridge, bond or datapath).
fake_stacked_netdev() {
	local iface=$1 lower dir
	shift
	dir="$ROOT/sys/devices/virtual/net/$iface"
	mkdir -p "$dir" "$ROOT/sys/class/net"
	echo 1 >"$dir/type"
	ln -s "../../devices/virtual/net/$iface" "$ROOT/sys/class/net/$iface"
	for lower in "$@"; do
		ln -sr "$(readlink -f "$ROOT/sys/class/net/$lower")" "$dir/lower_$lower"
		ln -sr "$dir" "$(readlink -f "$ROOT/sys/class/net/$lower")/upper_$iface"
	done
}

# fake_routes LINE...: proc/net/route's rows after its header, as
# "IFACE DEST GATEWAY MASK" in the kernel's hex (the raw __be32).
fake_routes() {
	local row iface dest gateway mask
	mkdir -p "$ROOT/proc/net"
	printf 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n' \
		>"$ROOT/proc/net/route"
	for row in "$@"; do
		read -r iface dest gateway mask <<<"$row"
		printf '%s\t%s\t%s\t0003\t0\t0\t100\t%s\t0\t0\t0\n' \
			"$iface" "$dest" "$gateway" "$mask" >>"$ROOT/proc/net/route"
	done
}
