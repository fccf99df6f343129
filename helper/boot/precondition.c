// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "boot/iommu-off.h"
#include "boot/modules.h"
#include "boot/precondition.h"
#include "config/kernel-cmdline.h"
#include "config/modprobe.h"
#include "shared/log.h"
#include "shared/util.h"

#define PCI_VENDOR_ID_INTEL 0x8086
#define PCI_HEADER_TYPE_NORMAL 0

/* What libkmod will give the module: modprobe.d's options, then the command line's. */
static int module_param_before_load(const struct boot_config *cfg, const char *module,
				    const char *param, struct module_param *arg)
{
	const struct modprobe_entry *last;
	struct module_param from_cmdline;
	int r;

	r = modprobe_module_param(&cfg->modprobe, module, param, arg, &last, NULL);
	if (r < 0)
		return r;
	r = cmdline_module_param(cfg->cmdline, module, param, &from_cmdline);
	if (r < 0) {
		module_param_clear(arg);
		return r;
	}
	module_param_merge(arg, &from_cmdline);
	return (int)arg->count;
}

/* What loading MODULE gives PARAM (false when absent); with ended, also
 * whether a bare "--" ends the options libkmod will give it. */
static int bool_param_before_load(const struct boot_config *cfg, const char *module,
				  const char *param, bool *value, bool *ended)
{
	struct module_param arg;
	int r;

	*value = false;
	r = module_param_before_load(cfg, module, param, &arg);
	if (r > 0 && parse_kernel_bool(arg.value, value) < 0)
		*value = false;
	if (r >= 0 && ended)
		*ended = arg.ended;
	module_param_clear(&arg);
	return r < 0 ? r : 0;
}

/* Whether MODULE is loaded (or built in): it has a /sys/module entry. */
static int module_present(const struct sysroot *s, const char *module, bool *present)
{
	int r = sysroot_existsf(s, "sys/module/%s", module);

	if (r >= 0)
		*present = r > 0;
	return r;
}

/* PARAM of MODULE: the running value when LOADED, else the one loading
 * would give it. */
static int read_bool_param(const struct sysroot *s, const struct boot_config *cfg,
			   bool loaded, const char *module, const char *param,
			   bool *value)
{
	char buf[16];
	int r;

	*value = false;
	if (!loaded)
		return bool_param_before_load(cfg, module, param, value, NULL);
	r = sysroot_readf(s, buf, sizeof(buf), "sys/module/%s/parameters/%s", module,
			  param);
	/* A kernel built without the option has no such parameter. */
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	return parse_kernel_bool(buf, value);
}

int vfio_read_params(const struct sysroot *s, const struct boot_config *cfg,
		     struct vfio_params *params)
{
	bool vfio = false, vfio_pci = false;
	int r;

	r = module_present(s, "vfio", &vfio);
	if (r >= 0)
		r = module_present(s, "vfio_pci", &vfio_pci);
	params->vfio_pci_loaded = vfio_pci;
	if (r >= 0)
		r = read_bool_param(s, cfg, vfio, "vfio", "enable_unsafe_noiommu_mode",
				    &params->noiommu);
	if (r >= 0)
		r = read_bool_param(s, cfg, vfio_pci, "vfio_pci", "disable_denylist",
				    &params->disable_denylist);
	if (r >= 0)
		r = read_bool_param(s, cfg, vfio_pci, "vfio_pci", "disable_idle_d3",
				    &params->disable_idle_d3);
	if (r >= 0)
		r = bool_param_before_load(cfg, "vfio_pci", "disable_idle_d3",
					   &params->disable_idle_d3_asked,
					   &params->options_ended);
	if (r < 0)
		return ERR_ERRNO(r, "cannot read vfio's parameters under %s: %m",
				 s->root);
	return 0;
}

/*
 * drivers/vfio/pci/vfio_pci.c: vfio_pci_dev_in_denylist(). DSA and IAX
 * joined the QAT devices in both of Debian 12's kernels (6.1.0-56 and 6.12
 * compare with 0x0b25 and 0x0cfe in vfio-pci.ko).
 */
static bool in_denylist(const struct pci_function *f)
{
	static const uint32_t intel_denied[] = {
		0x19e2, 0x19e3, /* QAT C3XXX and its VF */
		0x37c8, 0x37c9, /* QAT C62X and its VF */
		0x0435, 0x0443, /* QAT DH895XCC and its VF */
		0x0b25, /* DSA on Sapphire Rapids */
		0x0cfe, /* IAX on Sapphire Rapids */
	};

	if (f->vendor != PCI_VENDOR_ID_INTEL)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(intel_denied); i++)
		if (f->device == intel_denied[i])
			return true;
	return false;
}

void precondition_check_function(const struct sysroot *s,
				 const struct vfio_params *params,
				 const struct pci_function *f, struct reason *why)
{
	uint8_t type;
	int r;

	*why = (struct reason){.kind = REASON_NONE};
	/* vfio-pci's, or a variant driver's that an earlier pass chose */
	if (f->override[0] && !pci_driver_is_vfio(s, f->override)) {
		why->kind = REASON_OTHER_OVERRIDE;
		str_copy(why->detail, sizeof(why->detail), f->override);
		return;
	}
	r = pci_read_header_type(s, f->addr, &type);
	if (r < 0) {
		*why = (struct reason){.kind = REASON_CONFIG_UNREADABLE, .err = -r};
		return;
	}
	if (type != PCI_HEADER_TYPE_NORMAL) {
		*why = (struct reason){.kind = REASON_BRIDGE, .header_type = type};
		return;
	}
	if (in_denylist(f) && !params->disable_denylist)
		why->kind = REASON_DENYLIST;
}

static bool iommu_groups_exist(const struct sysroot *s)
{
	_cleanup_closedir_ DIR *dir = NULL;
	struct dirent *de;

	if (sysroot_opendir(s, "sys/kernel/iommu_groups", &dir) < 0)
		return false;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.')
			return true;
	return false;
}

enum iommu_state iommu_state(const struct sysroot *s, const struct vfio_params *params)
{
	if (iommu_groups_exist(s))
		return IOMMU_ON;
	return params->noiommu ? IOMMU_OFF_NOIOMMU : IOMMU_OFF;
}

int precondition_check_iommu(const struct sysroot *s, const struct vfio_params *params,
			     const char *cmdline, bool any_left)
{
	struct iommu_off off;
	char why[256], fix[256];

	if (params->noiommu) {
		WRN("vfio's unsafe no-IOMMU mode is on: the devices get no DMA isolation");
		return 0;
	}
	if (!any_left || iommu_state(s, params) != IOMMU_OFF)
		return 0;
	iommu_off_diagnose(s, cmdline, &off);
	iommu_off_describe(&off, why, sizeof(why), fix, sizeof(fix));
	return ERR_ERRNO(
		ENODEV,
		"IOMMU is off: %s, so vfio-pci can take no device: %s; nothing changed",
		why, fix);
}

void precondition_check_group(const struct vfio_params *params,
			      const struct pci_function *f, struct reason *why)
{
	if (!params->noiommu && !f->iommu_group[0])
		why->kind = REASON_NO_IOMMU_GROUP;
}

bool vfio_pci_registered(const struct sysroot *s)
{
	return sysroot_exists(s, "sys/bus/pci/drivers/" VFIO_PCI);
}

static uint64_t monotonic_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/*
 * libkmod hands vfio-pci the ids= of modprobe.d's options and then of the
 * command line, and vfio-pci takes every unbound match itself, storage
 * controllers that carry root included. An empty ids= after them (the
 * kernel sets each in turn, and the last wins) leaves vfio-pci only the
 * functions bound to it here.
 */
int precondition_load_vfio_pci(const struct sysroot *s, const struct vfio_params *params,
			       bool dry_run)
{
	uint64_t started;
	int r;

	if (vfio_pci_registered(s))
		return 0;
	if (params->options_ended)
		return ERR_ERRNO(
			EINVAL,
			"vfio-pci's options hold a bare \"--\" (modprobe.d or the command line): the kernel ignores every option after it, the empty ids= vfio-bind adds so that vfio-pci takes nothing by itself among them; remove the \"--\"; nothing changed");
	if (dry_run) {
		INF("vfio-pci is not loaded; a real run loads it");
		return 0;
	}
	if (!s->is_live)
		return ERR_ERRNO(
			ENOENT,
			"vfio-pci is not loaded in %s, and modules are loaded only on the running system (--root /); nothing changed",
			s->root);
	started = monotonic_usec();
	r = module_load(VFIO_PCI, "ids=");
	if (r == -ENOENT)
		return ERR_ERRNO(
			r,
			"vfio-pci is not in this initramfs: install vfio-bind's dracut or initramfs-tools integration and rebuild it (dracut -f, update-initramfs -u); nothing changed");
	if (r == -ELIBACC || r == -ELIBBAD)
		return ERR_ERRNO(
			r,
			"cannot open libkmod.so.2 to load vfio-pci (%s): install vfio-bind's initramfs integration and rebuild the initramfs; nothing changed",
			r == -ELIBACC ? "not found" : "too old");
	if (r == MODULE_BLACKLISTED)
		return ERR_ERRNO(
			EPERM,
			"vfio-pci is blacklisted (modprobe.blacklist= or a modprobe.d blacklist line): remove that entry; nothing changed");
	if (r == -EPERM)
		return ERR_ERRNO(
			r,
			"cannot load vfio-pci: %m (the kernel refused: modules disabled by kernel.modules_disabled, a lockdown, or no CAP_SYS_MODULE); nothing changed");
	if (r < 0)
		return ERR_ERRNO(
			r,
			"cannot load vfio-pci: %m (see the kernel log above); nothing changed");
	if (!vfio_pci_registered(s))
		return ERR_ERRNO(
			ENODEV,
			"vfio-pci loaded but registered no PCI driver; nothing changed");
	INF("loaded vfio-pci and the modules it needs in %.1f ms",
	    (double)(monotonic_usec() - started) / 1000);
	return 0;
}
