// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pci.ids format: a vendor line is "vvvv  Name" at the start of a line,
 * its devices follow as "\tdddd  Name"; the class list ("C cc  Name") comes
 * after all vendors.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands/pciids.h"

static const char *const db_paths[] = {
	"usr/share/misc/pci.ids",
	"usr/share/hwdata/pci.ids",
};

static int load_file(const struct sysroot *s, const char *path, struct pci_ids_db *db)
{
	_cleanup_close_ int fd = sysroot_open_at(s, path, O_RDONLY);
	struct stat st;
	size_t done = 0;

	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size <= 0)
		return -1;
	db->text = malloc((size_t)st.st_size + 1);
	if (!db->text)
		return -1;
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, db->text + done, (size_t)st.st_size - done);

		if (n <= 0)
			break;
		done += (size_t)n;
	}
	db->text[done] = '\0';
	db->size = done;
	return 0;
}

void pci_ids_db_load(const struct sysroot *s, struct pci_ids_db *db)
{
	db->text = NULL;
	db->size = 0;
	for (size_t i = 0; i < ARRAY_SIZE(db_paths); i++)
		if (load_file(s, db_paths[i], db) == 0)
			return;
	pci_ids_db_free(db);
}

void pci_ids_db_free(struct pci_ids_db *db)
{
	free(db->text);
	db->text = NULL;
	db->size = 0;
}

/* Copies the name after "xxxx  " up to the end of the line. */
static void copy_name(const char *p, char *buf, size_t size)
{
	while (*p == ' ')
		p++;
	snprintf(buf, size, "%.*s", (int)strcspn(p, "\n"), p);
}

static const char *next_line(const char *p)
{
	p = strchr(p, '\n');
	return p ? p + 1 : NULL;
}

void pci_ids_db_name(const struct pci_ids_db *db, uint32_t vendor, uint32_t device,
		     char *buf, size_t size)
{
	char vendor_key[8], device_key[8], vendor_name[128], device_name[160];
	const char *line;

	buf[0] = '\0';
	if (!db->text)
		return;
	snprintf(vendor_key, sizeof(vendor_key), "%04x ", vendor);
	snprintf(device_key, sizeof(device_key), "\t%04x ", device);
	for (line = db->text; line; line = next_line(line))
		if (strncmp(line, vendor_key, 5) == 0)
			break;
	if (!line)
		return;
	copy_name(line + 5, vendor_name, sizeof(vendor_name));
	snprintf(device_name, sizeof(device_name), "Device %04x", device);
	/* Its devices follow, up to the next line that starts a vendor. */
	for (line = next_line(line); line; line = next_line(line)) {
		if (strncmp(line, device_key, 6) == 0) {
			copy_name(line + 6, device_name, sizeof(device_name));
			break;
		}
		if (line[0] != '\t' && line[0] != '#' && line[0] != '\n')
			break;
	}
	snprintf(buf, size, "%s %s", vendor_name, device_name);
}
