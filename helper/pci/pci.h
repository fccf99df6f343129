/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/sysroot.h"

#define PCI_DEVICES "sys/bus/pci/devices"
#define PCI_ANY_ID 0xffffffffu
#define PCI_ADDR_MAX 32
#define DRIVER_NAME_MAX 64
#define VFIO_PCI "vfio-pci"

/* One entry of vfio-pci's ids= parameter: struct pci_device_id's fields. */
struct pci_id {
	uint32_t vendor;
	uint32_t device;
	uint32_t subvendor;
	uint32_t subdevice;
	uint32_t class;
	uint32_t class_mask;
};

/* The fields of an ID entry, in the order pci_match_one_device() tests them. */
enum pci_id_field {
	PCI_FIELD_VENDOR,
	PCI_FIELD_DEVICE,
	PCI_FIELD_SUBVENDOR,
	PCI_FIELD_SUBDEVICE,
	PCI_FIELD_CLASS,
	PCI_FIELD_COUNT,
};

struct pci_function {
	char addr[PCI_ADDR_MAX]; /* "0000:0b:00.0" */
	uint32_t vendor;
	uint32_t device;
	uint32_t subvendor;
	uint32_t subdevice;
	uint32_t class; /* 24 bits: base class, sub-class, prog-if */
	char driver[DRIVER_NAME_MAX]; /* "" when no driver is bound */
	char override[DRIVER_NAME_MAX]; /* "" when driver_override is unset */
	char iommu_group[16]; /* its number; "" when it has none */
};

/*
 * Whether DRIVER, a PCI driver's name, is vfio-pci or a VFIO variant driver
 * built on vfio-pci-core ("nvgrace-gpu-vfio-pci", "mlx5_vfio_pci"): its
 * module holds vfio_pci_core. A built-in variant driver has no module to
 * tell it by, and is not counted.
 */
bool pci_driver_is_vfio(const struct sysroot *s, const char *driver);

/* The directory of the PCI functions the kernel knows, in no order. */
int pci_open_devices(const struct sysroot *s, DIR **dir) _must_check_;
/* The PCI functions the kernel knows, sorted by address. */
int pci_list_addresses(const struct sysroot *s, char (**addrs)[PCI_ADDR_MAX],
		       size_t *n) _must_check_;
int pci_read_function(const struct sysroot *s, const char *addr,
		      struct pci_function *f) _must_check_;
/* Re-reads only the driver link, which is what a bind changes. */
int pci_read_driver(const struct sysroot *s, struct pci_function *f) _must_check_;
/* Reads the state a function's binding depends on: driver, override, IOMMU
 * group. */
int pci_read_state(const struct sysroot *s, struct pci_function *f) _must_check_;
/* The header type as vfio-pci sees it (pdev->hdr_type, without the
 * multi-function bit). */
int pci_read_header_type(const struct sysroot *s, const char *addr,
			 uint8_t *type) _must_check_;
/* Every function whose attributes can be read, in address order. */
int pci_read_all(const struct sysroot *s, struct pci_function **list,
		 size_t *n) _must_check_;
/* A function attribute that holds a number, like boot_vga; -ENOENT when
 * the function has no such attribute. */
int pci_read_number(const struct sysroot *s, const char *addr, const char *attr,
		    long *value) _must_check_;
bool pci_has_attr(const struct sysroot *s, const char *addr, const char *attr);
/* Reads one ID field of f (f->addr set) from its sysfs attribute. */
int pci_read_id_field(const struct sysroot *s, struct pci_function *f,
		      enum pci_id_field field) _must_check_;
/* pci_match_one_device(): every field of the entry accepts f's. */
bool pci_id_match(const struct pci_id *id, const struct pci_function *f);
/* One field of the entry accepts f's, a wildcard or the class under its mask.
 */
bool pci_id_field_match(const struct pci_id *id, enum pci_id_field field,
			const struct pci_function *f);
/*
 * Appends to *addrs every PCI function on the sysfs path that LINK points
 * to (a device's bridges, a VMD domain's host function, the endpoint), each
 * once.
 */
int pci_functions_above(const struct sysroot *s, const char *link,
			char (**addrs)[PCI_ADDR_MAX], size_t *n) _must_check_;
/* The same, for a link's TARGET already read. */
int pci_functions_on_path(const char *target, char (**addrs)[PCI_ADDR_MAX],
			  size_t *n) _must_check_;
bool pci_addr_list_has(char (*addrs)[PCI_ADDR_MAX], size_t n, const char *addr);
int pci_device_path(char *buf, size_t size, const char *addr,
		    const char *attr) _must_check_;
