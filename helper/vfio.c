// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmdline.h"
#include "vfio.h"

#define PCI_VENDOR_ID_INTEL 0x8086
#define PCI_HEADER_TYPE_NORMAL 0

static int read_bool_param(const struct sysroot *s, const char *cmdline,
			   const char *module, const char *param, bool *value)
{
	char dir[128], path[256], buf[16];
	struct module_param arg;
	int r;

	*value = false;
	r = path_format(dir, sizeof(dir), "sys/module/%s", module);
	if (r < 0)
		return r;
	if (sysroot_exists(s, dir)) {
		r = path_format(path, sizeof(path), "%s/parameters/%s", dir,
				param);
		if (r < 0)
			return r;
		r = sysroot_read(s, path, buf, sizeof(buf));
		/* A kernel built without the option has no such parameter. */
		if (r == -ENOENT)
			return 0;
		if (r < 0)
			return r;
		return parse_kernel_bool(buf, value);
	}
	r = cmdline_module_param(cmdline, module, param, &arg);
	if (r > 0 && parse_kernel_bool(arg.value, value) < 0)
		*value = false;
	module_param_clear(&arg);
	return r < 0 ? r : 0;
}

int vfio_read_params(const struct sysroot *s, const char *cmdline,
		     struct vfio_params *params)
{
	int r;

	r = read_bool_param(s, cmdline, "vfio", "enable_unsafe_noiommu_mode",
			    &params->noiommu);
	if (r < 0)
		return r;
	return read_bool_param(s, cmdline, "vfio_pci", "disable_denylist",
			       &params->disable_denylist);
}

/* drivers/vfio/pci/vfio_pci.c: vfio_pci_dev_in_denylist(). */
static bool in_denylist(const struct pci_function *f)
{
	static const uint32_t intel_qat[] = {
		0x19e2, 0x19e3, /* C3XXX and its VF */
		0x37c8, 0x37c9, /* C62X and its VF */
		0x0435, 0x0443, /* DH895XCC and its VF */
	};

	if (f->vendor != PCI_VENDOR_ID_INTEL)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(intel_qat); i++)
		if (f->device == intel_qat[i])
			return true;
	return false;
}

void vfio_refusal(const struct sysroot *s, const struct vfio_params *params,
		  const struct pci_function *f, char *why, size_t size)
{
	uint8_t type;
	int r;

	why[0] = '\0';
	if (f->override[0] && strcmp(f->override, VFIO_PCI) != 0) {
		snprintf(why, size,
			 "its driver_override names %s: clear it to let "
			 "vfio-pci take it",
			 f->override);
		return;
	}
	r = pci_read_header_type(s, f->addr, &type);
	if (r < 0) {
		snprintf(why, size, "its config space cannot be read (%s)",
			 strerror(-r));
		return;
	}
	if (type != PCI_HEADER_TYPE_NORMAL) {
		snprintf(why, size,
			 "it is a bridge (header type %u): vfio-pci takes only "
			 "endpoints",
			 type);
		return;
	}
	if (in_denylist(f) && !params->disable_denylist)
		snprintf(why, size,
			 "it is on vfio-pci's denylist: add "
			 "vfio-pci.disable_denylist=1 to take it");
}

bool vfio_pci_registered(const struct sysroot *s)
{
	return sysroot_exists(s, "sys/bus/pci/drivers/" VFIO_PCI);
}
