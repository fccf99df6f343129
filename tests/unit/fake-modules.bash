# shellcheck shell=bash
# A kernel's modules under $ROOT/lib/modules/$FAKE_RELEASE, for libkmod to
# look aliases up in: each a relocatable ELF object whose .modinfo section
# holds the lines modpost writes (alias=, name=), assembled by as, and the
# whole set indexed by the real depmod -b into modules.alias,
# modules.alias.bin and modules.dep, which libkmod reads. The aliases are
# those scripts/mod/file2alias.c writes for the upstream drivers' device
# tables: Debian's kernels build none of the variant drivers.

FAKE_RELEASE=6.12.0-vfio-bind-test

# fake_module PATH NAME ALIAS...: kernel/PATH/NAME.ko with those aliases
fake_module() {
	local dir=$ROOT/lib/modules/$FAKE_RELEASE/kernel/$1 name=$2 alias src
	shift 2
	mkdir -p "$dir"
	src=$BATS_TEST_TMPDIR/$name.s
	{
		printf '.section .modinfo,"a"\n'
		for alias; do
			printf '.asciz "alias=%s"\n' "$alias"
		done
		printf '.asciz "name=%s"\n' "$name"
	} >"$src"
	as -o "$dir/$name.ko" "$src"
}

# The variant drivers of drivers/vfio/pci (their PCI_DRIVER_OVERRIDE_DEVICE_VFIO
# entries), vfio-pci's catch-all, and the host drivers whose pci: aliases
# match the same devices.
fake_variant_modules() {
	local dir=$ROOT/lib/modules/$FAKE_RELEASE
	mkdir -p "$ROOT/proc/sys/kernel" "$dir"
	echo "$FAKE_RELEASE" >"$ROOT/proc/sys/kernel/osrelease"
	# what kbuild installs beside the modules, empty here
	: >"$dir/modules.order"
	: >"$dir/modules.builtin"
	: >"$dir/modules.builtin.modinfo"
	fake_module drivers/vfio/pci vfio_pci 'vfio_pci:v*d*sv*sd*bc*sc*i*'
	fake_module drivers/vfio/pci vfio_pci_core
	fake_module drivers/vfio/pci/nvgrace-gpu nvgrace_gpu_vfio_pci \
		'vfio_pci:v000010DEd00002342sv*sd*bc*sc*i*' \
		'vfio_pci:v000010DEd00002345sv*sd*bc*sc*i*' \
		'vfio_pci:v000010DEd00002348sv*sd*bc*sc*i*' \
		'vfio_pci:v000010DEd00002941sv*sd*bc*sc*i*' \
		'vfio_pci:v000010DEd000031C2sv*sd*bc*sc*i*'
	fake_module drivers/vfio/pci/mlx5 mlx5_vfio_pci \
		'vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i*'
	fake_module drivers/gpu/drm/nouveau nouveau \
		'pci:v000010DEd*sv*sd*bc03sc*i*' 'pci:v000012D2d*sv*sd*bc03sc*i*'
	fake_module drivers/net/ethernet/mellanox/mlx5/core mlx5_core \
		'pci:v000015B3d0000101Esv*sd*bc*sc*i*'
	fake_module drivers/nvme/host nvme 'pci:v*d*sv*sd*bc01sc08i02*'
	depmod -b "$ROOT" "$FAKE_RELEASE"
}
