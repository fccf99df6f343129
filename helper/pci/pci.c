// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pci/addrs.h"
#include "pci/pci.h"
#include "shared/util.h"

#define PCI_HEADER_TYPE_OFFSET 0x0e
#define PCI_HEADER_TYPE_MASK 0x7f

int pci_device_path(char *buf, size_t size, const char *addr, const char *attr)
{
	if (attr)
		return path_format(buf, size, PCI_DEVICES "/%s/%s", addr, attr);
	return path_format(buf, size, PCI_DEVICES "/%s", addr);
}

int pci_open_devices(const struct sysroot *s, DIR **dir)
{
	return sysroot_opendir(s, PCI_DEVICES, dir);
}

static int compare_addresses(const void *a, const void *b)
{
	return strcmp(a, b);
}

int pci_list_addresses(const struct sysroot *s, char (**addrs)[PCI_ADDR_MAX], size_t *n)
{
	_cleanup_closedir_ DIR *dir = NULL;
	char(*list)[PCI_ADDR_MAX] = NULL;
	size_t count = 0, allocated = 0;
	struct dirent *de;
	int r;

	r = pci_open_devices(s, &dir);
	if (r < 0)
		return r;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (strlen(de->d_name) >= PCI_ADDR_MAX)
			continue;
		if (count == allocated) {
			size_t grown = allocated ? allocated * 2 : 64;
			void *p = realloc(list, grown * sizeof(*list));

			if (!p) {
				free(list);
				return -ENOMEM;
			}
			list = p;
			allocated = grown;
		}
		strcpy(list[count++], de->d_name);
	}
	if (count > 1)
		qsort(list, count, sizeof(*list), compare_addresses);
	*addrs = list;
	*n = count;
	return 0;
}

int pci_read_id_field(const struct sysroot *s, struct pci_function *f,
		      enum pci_id_field field)
{
	static const char *const attrs[PCI_FIELD_COUNT] = {
		[PCI_FIELD_VENDOR] = "vendor",
		[PCI_FIELD_DEVICE] = "device",
		[PCI_FIELD_SUBVENDOR] = "subsystem_vendor",
		[PCI_FIELD_SUBDEVICE] = "subsystem_device",
		[PCI_FIELD_CLASS] = "class",
	};
	uint32_t *const values[PCI_FIELD_COUNT] = {
		&f->vendor, &f->device, &f->subvendor, &f->subdevice, &f->class,
	};

	return sysroot_read_hexf(s, values[field], PCI_DEVICES "/%s/%s", f->addr,
				 attrs[field]);
}

static int read_name(const struct sysroot *s, const char *addr, const char *attr,
		     bool is_link, char *buf, size_t size)
{
	int r;

	buf[0] = '\0';
	r = is_link ? sysroot_read_link_namef(s, buf, size, PCI_DEVICES "/%s/%s", addr,
					      attr)
		    : sysroot_readf(s, buf, size, PCI_DEVICES "/%s/%s", addr, attr);
	if (r == -ENOENT) {
		buf[0] = '\0';
		return 0;
	}
	return r < 0 ? r : 0;
}

int pci_read_driver(const struct sysroot *s, struct pci_function *f)
{
	return read_name(s, f->addr, "driver", true, f->driver, sizeof(f->driver));
}

int pci_read_state(const struct sysroot *s, struct pci_function *f)
{
	int r;

	r = pci_read_driver(s, f);
	if (r < 0)
		return r;
	r = read_name(s, f->addr, "driver_override", false, f->override,
		      sizeof(f->override));
	if (r < 0)
		return r;
	/* The kernel prints an unset override as "(null)". */
	if (strcmp(f->override, "(null)") == 0)
		f->override[0] = '\0';
	return read_name(s, f->addr, "iommu_group", true, f->iommu_group,
			 sizeof(f->iommu_group));
}

bool pci_driver_is_vfio(const struct sysroot *s, const char *driver)
{
	char module[DRIVER_NAME_MAX];

	if (strcmp(driver, VFIO_PCI) == 0)
		return true;
	if (!driver[0] ||
	    sysroot_read_link_namef(s, module, sizeof(module),
				    "sys/bus/pci/drivers/%s/module", driver) < 0)
		return false;
	/* a module that uses another's exports is linked in that one's
	 * holders (kernel/module/sysfs.c, add_usage_links()) */
	return sysroot_existsf(s, "sys/module/vfio_pci_core/holders/%s", module) > 0;
}

int pci_read_function(const struct sysroot *s, const char *addr, struct pci_function *f)
{
	int r;

	memset(f, 0, sizeof(*f));
	r = path_format(f->addr, sizeof(f->addr), "%s", addr);
	if (r < 0)
		return r;
	for (enum pci_id_field i = 0; i < PCI_FIELD_COUNT; i++) {
		r = pci_read_id_field(s, f, i);
		if (r < 0)
			return r;
	}
	return pci_read_state(s, f);
}

int pci_read_header_type(const struct sysroot *s, const char *addr, uint8_t *type)
{
	uint8_t byte;
	int r;

	r = sysroot_read_bytesf(s, &byte, 1, PCI_HEADER_TYPE_OFFSET,
				PCI_DEVICES "/%s/config", addr);
	if (r < 0)
		return r;
	if (r != 1)
		return -EIO;
	*type = byte & PCI_HEADER_TYPE_MASK;
	return 0;
}

/* drivers/pci/pci.h: pci_match_one_device(). */
bool pci_id_field_match(const struct pci_id *id, enum pci_id_field field,
			const struct pci_function *f)
{
	switch (field) {
	case PCI_FIELD_VENDOR:
		return id->vendor == PCI_ANY_ID || id->vendor == f->vendor;
	case PCI_FIELD_DEVICE:
		return id->device == PCI_ANY_ID || id->device == f->device;
	case PCI_FIELD_SUBVENDOR:
		return id->subvendor == PCI_ANY_ID || id->subvendor == f->subvendor;
	case PCI_FIELD_SUBDEVICE:
		return id->subdevice == PCI_ANY_ID || id->subdevice == f->subdevice;
	default:
		return !((id->class ^ f->class) & id->class_mask);
	}
}

bool pci_id_match(const struct pci_id *id, const struct pci_function *f)
{
	for (enum pci_id_field i = 0; i < PCI_FIELD_COUNT; i++)
		if (!pci_id_field_match(id, i, f))
			return false;
	return true;
}

int pci_read_all(const struct sysroot *s, struct pci_function **list, size_t *n)
{
	_cleanup_free_ char(*addrs)[PCI_ADDR_MAX] = NULL;
	size_t n_addrs;
	int r;

	*list = NULL;
	*n = 0;
	r = pci_list_addresses(s, &addrs, &n_addrs);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n_addrs; i++) {
		struct pci_function f;

		if (pci_read_function(s, addrs[i], &f) < 0)
			continue;
		r = array_push(list, n, sizeof(f), &f);
		if (r < 0) {
			free(*list);
			*list = NULL;
			*n = 0;
			return r;
		}
	}
	return 0;
}

int pci_read_number(const struct sysroot *s, const char *addr, const char *attr,
		    long *value)
{
	return sysroot_read_longf(s, value, PCI_DEVICES "/%s/%s", addr, attr);
}

bool pci_has_attr(const struct sysroot *s, const char *addr, const char *attr)
{
	if (!attr)
		return sysroot_existsf(s, PCI_DEVICES "/%s", addr) > 0;
	return sysroot_existsf(s, PCI_DEVICES "/%s/%s", addr, attr) > 0;
}

/* One component of a sysfs path, LEN bytes at COMPONENT, when it names a
 * PCI function not yet listed. */
static int add_path_function(const char *component, size_t len,
			     char (**addrs)[PCI_ADDR_MAX], size_t *n)
{
	char addr[PCI_ADDR_MAX] = "";
	struct pci_addr a;

	if (len >= sizeof(addr))
		return 0;
	memcpy(addr, component, len);
	if (pci_addr_parse(addr, &a) < 0 || a.fn < 0 ||
	    pci_addr_list_has(*addrs, *n, addr))
		return 0;
	return array_push(addrs, n, sizeof(addr), addr);
}

int pci_functions_above(const struct sysroot *s, const char *link,
			char (**addrs)[PCI_ADDR_MAX], size_t *n)
{
	char target[PATH_MAX];
	int r = sysroot_read_link(s, link, target, sizeof(target));

	return r < 0 ? r : pci_functions_on_path(target, addrs, n);
}

int pci_functions_on_path(const char *target, char (**addrs)[PCI_ADDR_MAX], size_t *n)
{
	int r = 0;

	for (const char *p = target; r >= 0 && *p;) {
		size_t len = strcspn(p, "/");

		r = add_path_function(p, len, addrs, n);
		p += len;
		p += strspn(p, "/");
	}
	return r;
}

bool pci_addr_list_has(char (*addrs)[PCI_ADDR_MAX], size_t n, const char *addr)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(addrs[i], addr) == 0)
			return true;
	return false;
}
