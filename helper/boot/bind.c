// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <time.h>

#include "boot/bind.h"
#include "shared/util.h"

#define PCI_DRIVERS "sys/bus/pci/drivers"
#define PCI_DRIVERS_PROBE "sys/bus/pci/drivers_probe"
#define MODULES "sys/module"

sigset_t bind_block_signals(void)
{
	sigset_t set, old;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	return old;
}

/* A signal that came meanwhile is delivered here. */
void bind_restore_signals(sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}

static int write_attr(const struct sysroot *s, const char *addr, const char *attr,
		      const char *value)
{
	return sysroot_writef(s, value, PCI_DEVICES "/%s/%s", addr, attr);
}

static int write_driver_file(const struct sysroot *s, const char *driver,
			     const char *file, const char *addr)
{
	return sysroot_writef(s, addr, PCI_DRIVERS "/%s/%s", driver, file);
}

/* A lone newline clears driver_override (drivers/base/driver.c). */
static int set_override(const struct sysroot *s, const char *addr, const char *driver)
{
	return write_attr(s, addr, "driver_override", driver[0] ? driver : "\n");
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * The first module whose initstate is "coming": its init function, which
 * registers its drivers and queues their probes, is running. Returns 1 and
 * its name, 0 when none is, or -errno.
 */
static int module_loading(const struct sysroot *s, char *name, size_t size)
{
	_cleanup_closedir_ DIR *dir = NULL;
	struct dirent *de;
	char state[16];
	int r, found = 0;

	r = sysroot_opendir(s, MODULES, &dir);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	while (!found && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		/* Built-in modules have no initstate. */
		if (sysroot_readf(s, state, sizeof(state), MODULES "/%s/initstate",
				  de->d_name) < 0 ||
		    strcmp(state, "coming") != 0)
			continue;
		str_copy(name, size, de->d_name);
		found = 1;
	}
	return found;
}

/*
 * A driver module that is loading may have queued a probe of this function
 * (drivers/base/dd.c: __driver_attach() hands drivers that probe
 * asynchronously, such as nvme, to an async worker). Wait, bounded, until no
 * module is loading.
 */
static void wait_modules_loaded(const struct sysroot *s, struct bind_waits *w)
{
	char name[DRIVER_NAME_MAX];

	while (module_loading(s, name, sizeof(name)) > 0) {
		if (!w->loading[0])
			str_copy(w->loading, sizeof(w->loading), name);
		if (w->loading_ms >= BIND_LOAD_WAIT_MS) {
			w->loading_timed_out = true;
			return;
		}
		sleep_ms(BIND_POLL_MS);
		w->loading_ms += BIND_POLL_MS;
	}
}

/*
 * The kernel shows driver_override under the device lock, which a probe
 * holds from start to end (device_driver_attach(), the async helper): the
 * read returns once a probe in flight is over, and the driver link then
 * says where it went.
 */
static int wait_probe_done(const struct sysroot *s, struct pci_function *f)
{
	char value[DRIVER_NAME_MAX + 2];
	int r = sysroot_readf(s, value, sizeof(value), PCI_DEVICES "/%s/driver_override",
			      f->addr);

	if (r < 0 && r != -ENOENT)
		return r;
	return pci_read_driver(s, f);
}

static int restore_host_driver(const struct sysroot *s, struct pci_function *f,
			       const char *vfio_driver, const char *old_override)
{
	int r;

	r = set_override(s, f->addr, old_override);
	if (r < 0)
		return r;
	if (strcmp(f->driver, vfio_driver) == 0) {
		r = write_driver_file(s, vfio_driver, "unbind", f->addr);
		if (r < 0)
			return r;
	}
	r = sysroot_write(s, PCI_DRIVERS_PROBE, f->addr);
	if (r < 0)
		return r;
	str_copy(f->override, sizeof(f->override), old_override);
	return pci_read_driver(s, f);
}

/* The driver it is on, unless that is the one it goes to. */
static int unbind_host_driver(const struct sysroot *s, struct pci_function *f,
			      const char *driver)
{
	if (!f->driver[0] || strcmp(f->driver, driver) == 0)
		return 0;
	return write_driver_file(s, f->driver, "unbind", f->addr);
}

/*
 * bind fails with EBUSY when the function has a driver by the time the
 * kernel holds its device lock (__driver_probe_device()): a probe queued
 * before the override was set ran meanwhile, and the async helper does not
 * check driver_override again. bind returns only after that probe, so the
 * driver link names the driver: unbind it and bind again.
 */
static int bind_retrying(const struct sysroot *s, struct pci_function *f,
			 const char *driver, struct bind_waits *w)
{
	int r;

	for (;;) {
		r = write_driver_file(s, driver, "bind", f->addr);
		if (r != -EBUSY)
			return r;
		if (++w->busy >= BIND_ATTEMPTS)
			return r;
		r = pci_read_driver(s, f);
		if (r < 0)
			return r;
		str_copy(w->busy_driver, sizeof(w->busy_driver), f->driver);
		if (strcmp(f->driver, driver) == 0)
			return 0;
		r = unbind_host_driver(s, f, driver);
		if (r < 0)
			return r;
	}
}

/* On a VFIO variant driver that is not the one it goes to: someone chose
 * that one, which gives the guest what vfio-pci does not. vfio-pci itself
 * gives way to a variant driver chosen for the function. */
static bool on_other_variant(const struct sysroot *s, const struct pci_function *f,
			     const char *driver)
{
	return f->driver[0] && strcmp(f->driver, driver) != 0 &&
	       strcmp(f->driver, VFIO_PCI) != 0 && pci_driver_is_vfio(s, f->driver);
}

int bind_to_vfio(const struct sysroot *s, struct pci_function *f, const char *driver,
		 struct bind_waits *w)
{
	char old_override[DRIVER_NAME_MAX];
	bool override_was_set = strcmp(f->override, driver) == 0;
	int r, bind_error;

	memset(w, 0, sizeof(*w));
	if (on_other_variant(s, f, driver))
		return BIND_ON_VARIANT;
	strcpy(old_override, f->override);
	if (!override_was_set) {
		r = set_override(s, f->addr, driver);
		if (r < 0)
			return r;
	}
	if (strcmp(f->driver, driver) == 0) {
		str_copy(f->override, sizeof(f->override), driver);
		return override_was_set ? BIND_UNCHANGED : BIND_OVERRIDE_SET;
	}

	wait_modules_loaded(s, w);
	r = wait_probe_done(s, f);
	if (r == 0 && strcmp(f->driver, driver) == 0) {
		str_copy(f->override, sizeof(f->override), driver);
		return BIND_BOUND;
	}
	if (r == 0)
		r = unbind_host_driver(s, f, driver);
	if (r < 0) {
		(void)set_override(s, f->addr, old_override);
		return r;
	}
	/*
	 * bind reports the driver's probe error, but only the driver link
	 * proves the function is attached, so read it back either way.
	 */
	bind_error = bind_retrying(s, f, driver, w);
	r = pci_read_driver(s, f);
	if (r == 0 && strcmp(f->driver, driver) == 0) {
		str_copy(f->override, sizeof(f->override), driver);
		return BIND_BOUND;
	}

	r = restore_host_driver(s, f, driver, old_override);
	if (r < 0) {
		w->rollback_error = -r;
		/* where the rollback left it, for the log */
		if (pci_read_driver(s, f) < 0)
			f->driver[0] = '\0';
	}
	return bind_error < 0 ? bind_error : -ENODEV;
}

int unbind_from_vfio(const struct sysroot *s, struct pci_function *f,
		     const char *vfio_driver)
{
	int r = restore_host_driver(s, f, vfio_driver, "");

	/* where the failure left it, for the log */
	if (r < 0 && pci_read_driver(s, f) < 0)
		f->driver[0] = '\0';
	return r;
}
