// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "shared/sysroot.h"

/*
 * Under RESOLVE_IN_ROOT, openat2() fails with EAGAIN when a rename or a
 * mount raced its walk of a ".." and it cannot tell that the walk stayed
 * inside; the caller is to try again (runc does, up to 32 times).
 */
#define OPENAT2_ATTEMPTS 32

/*
 * A path under a --root tree, resolved as if DIR were "/": an absolute
 * symlink or a ".." cannot lead out of it (openat2(2), RESOLVE_IN_ROOT).
 * glibc 2.36 has no wrapper.
 */
static int open_in_root(int root_fd, const char *path, int flags)
{
	struct open_how how = {.flags = (uint64_t)flags, .resolve = RESOLVE_IN_ROOT};
	long fd = -1;

	for (int i = 0; i < OPENAT2_ATTEMPTS; i++) {
		fd = syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	return fd < 0 ? -errno : (int)fd;
}

int sysroot_open(struct sysroot *s, const char *root)
{
	int fd;

	if (path_format(s->root, sizeof(s->root), "%s", root) < 0)
		return -ENAMETOOLONG;
	s->root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->root_fd < 0)
		return -errno;
	s->is_live = strcmp(root, "/") == 0;
	if (s->is_live)
		return 0;
	/* Before anything is read: a kernel without openat2() (before
	 * 5.6) cannot keep a tree's paths inside it. */
	fd = open_in_root(s->root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		sysroot_close(s);
		return fd;
	}
	close(fd);
	return 0;
}

void sysroot_close(struct sysroot *s)
{
	if (s->root_fd >= 0)
		close(s->root_fd);
	s->root_fd = -1;
}

/* The one place a path is formatted: -ENAMETOOLONG when it does not fit. */
_printf_format_(3, 0) static int format_path(char *buf, size_t size, const char *fmt,
					     va_list ap)
{
	int n = vsnprintf(buf, size, fmt, ap);

	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= size)
		return -ENAMETOOLONG;
	return n;
}

int path_format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = format_path(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* PATH (a PATH_MAX array) from the calling function's FMT and arguments;
 * the caller returns the error when it does not fit. */
#define FORMAT_PATH_OR_RETURN(path, fmt)                            \
	do {                                                        \
		va_list ap_;                                        \
		int r_;                                             \
                                                                    \
		va_start(ap_, fmt);                                 \
		r_ = format_path(path, ARRAY_SIZE(path), fmt, ap_); \
		va_end(ap_);                                        \
		if (r_ < 0)                                         \
			return r_;                                  \
	} while (0)

/* The running system keeps following sysfs's own symlinks with openat(). */
int sysroot_open_at(const struct sysroot *s, const char *path, int flags)
{
	int fd;

	while (*path == '/')
		path++;
	/* openat2() refuses O_PATH with any flag but these (EINVAL). */
	flags |= O_CLOEXEC | (flags & O_PATH ? 0 : O_NOCTTY);
	if (!s->is_live)
		return open_in_root(s->root_fd, path, flags);
	fd = openat(s->root_fd, path, flags);
	return fd < 0 ? -errno : fd;
}

int sysroot_open_atf(const struct sysroot *s, int flags, const char *fmt, ...)
{
	char path[PATH_MAX];

	FORMAT_PATH_OR_RETURN(path, fmt);
	return sysroot_open_at(s, path, flags);
}

static ssize_t read_retry(int fd, void *buf, size_t size, off_t offset)
{
	ssize_t n;

	do
		n = pread(fd, buf, size, offset);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

int sysroot_read_bytes(const struct sysroot *s, const char *path, void *buf, size_t size,
		       off_t offset)
{
	_cleanup_close_ int fd = sysroot_open_at(s, path, O_RDONLY);

	if (fd < 0)
		return fd;
	return (int)read_retry(fd, buf, size, offset);
}

int sysroot_read_bytesf(const struct sysroot *s, void *buf, size_t size, off_t offset,
			const char *fmt, ...)
{
	char path[PATH_MAX];

	FORMAT_PATH_OR_RETURN(path, fmt);
	return sysroot_read_bytes(s, path, buf, size, offset);
}

static ssize_t read_next(int fd, void *buf, size_t size)
{
	ssize_t n;

	do
		n = read(fd, buf, size);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

/*
 * procfs and seq_file hand out about one page per read(), so a single read
 * cuts /proc/self/mountinfo short on a busy host: read until end of file,
 * unless SHORT_ENDS, for a file whose short read is its end (a sysfs
 * attribute, or a regular file of a test tree). When size bytes came and
 * there is more, the next byte goes to buf[size] (the caller's spare
 * byte), counts in *len, and the result is -EFBIG.
 */
static int read_to_end(int fd, char *buf, size_t size, bool short_ends, size_t *len)
{
	ssize_t n;

	*len = 0;
	while (*len < size) {
		size_t want = size - *len;

		n = read_next(fd, buf + *len, want);
		if (n < 0)
			return (int)n;
		*len += (size_t)n;
		if (n == 0 || (short_ends && (size_t)n < want))
			return 0;
	}
	n = read_next(fd, buf + size, 1);
	if (n <= 0)
		return (int)n;
	*len += 1;
	return -EFBIG;
}

static size_t terminate_text(char *buf, size_t len)
{
	buf[len] = '\0';
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	return len;
}

/*
 * A sysfs attribute: the kernel's show() output, which one read() hands out
 * whole (kernfs's seq_file holds a single record, sysfs_kf_seq_show()), so
 * that a short read is its end; and a regular file, so that its type needs
 * no fstat(). In a test tree, O_NONBLOCK keeps a FIFO there from holding
 * the open or the read.
 */
static bool is_sysfs(const char *path)
{
	return strncmp(path, "sys/", 4) == 0;
}

/*
 * An fd to read a text file: a regular file (sysfs and procfs attributes
 * are) or /dev/null (a modprobe.d name masked by a link to it). A FIFO, which
 * would hold the read until a writer comes, a socket or another device is
 * -EINVAL; opened with O_NONBLOCK, so that a FIFO cannot hold the open.
 * A sysfs attribute's type is not asked (is_sysfs()).
 */
static int open_text(const struct sysroot *s, const char *path)
{
	int fd = sysroot_open_at(s, path, O_RDONLY | O_NONBLOCK);
	struct stat st;

	if (fd < 0 || is_sysfs(path))
		return fd;
	if (fstat(fd, &st) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	if (S_ISREG(st.st_mode) || (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)))
		return fd;
	close(fd);
	return -EINVAL;
}

int sysroot_readf(const struct sysroot *s, char *buf, size_t size, const char *fmt, ...)
{
	char path[PATH_MAX];

	FORMAT_PATH_OR_RETURN(path, fmt);
	return sysroot_read(s, path, buf, size);
}

int sysroot_read(const struct sysroot *s, const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = -1;
	size_t len;
	int r;

	if (size == 0)
		return -EINVAL;
	fd = open_text(s, path);
	if (fd < 0)
		return fd;
	r = read_to_end(fd, buf, size - 1, is_sysfs(path), &len);
	if (r < 0)
		return r;
	return (int)terminate_text(buf, len);
}

int sysroot_read_file(const struct sysroot *s, const char *path, char **text)
{
	_cleanup_close_ int fd = open_text(s, path);
	_cleanup_free_ char *buf = NULL;
	size_t size = 0, len = 0;
	int r = -EFBIG;

	*text = NULL;
	if (fd < 0)
		return fd;
	while (r == -EFBIG) {
		size_t more;
		char *grown;

		if (size >= SYSROOT_FILE_MAX)
			return -EFBIG;
		size = size ? size * 2 : 4096;
		grown = realloc(buf, size + 1);
		if (!grown)
			return -ENOMEM;
		buf = grown;
		r = read_to_end(fd, buf + len, size - len, false, &more);
		len += more;
	}
	if (r < 0)
		return r;
	len = terminate_text(buf, len);
	*text = buf;
	buf = NULL;
	return (int)len;
}

int sysroot_read_filef(const struct sysroot *s, char **text, const char *fmt, ...)
{
	char path[PATH_MAX];

	*text = NULL;
	FORMAT_PATH_OR_RETURN(path, fmt);
	return sysroot_read_file(s, path, text);
}

/* The buffer's first size, or twice it for a line that fills it. */
static int grow_line_buffer(char **buf, size_t *size)
{
	char *grown;

	if (*buf) {
		if (*size >= SYSROOT_FILE_MAX)
			return -EFBIG;
		*size *= 2;
	}
	grown = realloc(*buf, *size + 1);
	if (!grown)
		return -ENOMEM;
	*buf = grown;
	return 0;
}

/*
 * Calls fn for each whole line in buf[0, len) (and the last one, without its
 * newline, at end of file), skipping empty lines and the header; *used is
 * how far it got.
 */
static int feed_lines(char *buf, size_t len, bool at_eof, bool *header,
		      int (*fn)(const char *line, void *data), void *data, size_t *used)
{
	char *line = buf, *end = buf + len, *nl;
	int r = 0;

	while (r >= 0 && line < end) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl && !at_eof)
			break;
		if (!nl)
			nl = end;
		*nl = '\0';
		if (*line != '\0' && *header)
			*header = false;
		else if (*line != '\0')
			r = fn(line, data);
		line = nl + 1;
	}
	*used = line < end ? (size_t)(line - buf) : len;
	return r;
}

int sysroot_for_each_line(const struct sysroot *s, const char *path, bool has_header,
			  int (*fn)(const char *line, void *data), void *data)
{
	_cleanup_close_ int fd = open_text(s, path);
	_cleanup_free_ char *buf = NULL;
	size_t size = SYSROOT_LINES_CHUNK, len = 0, used;
	bool header = has_header, eof = false;
	int r = 0;

	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	while (r >= 0 && !eof) {
		ssize_t n;

		if (!buf || len == size) {
			r = grow_line_buffer(&buf, &size);
			if (r < 0)
				return r;
		}
		n = read_next(fd, buf + len, size - len);
		if (n < 0)
			return (int)n;
		eof = n == 0;
		len += (size_t)n;
		r = feed_lines(buf, len, eof, &header, fn, data, &used);
		len -= used;
		memmove(buf, buf + used, len);
	}
	return r;
}

int sysroot_write(const struct sysroot *s, const char *path, const char *value)
{
	/*
	 * O_TRUNC as the shell's ">" uses it: sysfs ignores it, and the
	 * regular files of a test tree then hold exactly the last value.
	 */
	_cleanup_close_ int fd = sysroot_open_at(s, path, O_WRONLY | O_TRUNC);
	size_t len = strlen(value);
	ssize_t n;

	if (fd < 0)
		return fd;
	do
		n = write(fd, value, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* A sysfs store consumes the whole buffer or fails. */
	if ((size_t)n != len)
		return -EIO;
	return 0;
}

int sysroot_writef(const struct sysroot *s, const char *value, const char *fmt, ...)
{
	char path[PATH_MAX];

	FORMAT_PATH_OR_RETURN(path, fmt);
	return sysroot_write(s, path, value);
}

/* A regular file takes what one write() gives it in parts, when at all. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int sysroot_create(const struct sysroot *s, const char *dir, const char *name,
		   const char *content)
{
	_cleanup_close_ int dir_fd = sysroot_open_at(s, dir, O_PATH | O_DIRECTORY);
	_cleanup_close_ int fd = -1;

	if (dir_fd < 0)
		return dir_fd;
	fd = openat(dir_fd, name,
		    O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
		    0644);
	if (fd < 0)
		return -errno;
	return write_all(fd, content, strlen(content));
}

/* The directory PATH, made (mode 0755) in its parent when it is missing. */
static int open_or_make_dir(const struct sysroot *s, const char *path)
{
	char parent[PATH_MAX];
	const char *name = strrchr(path, '/');
	int fd = sysroot_open_at(s, path, O_PATH | O_DIRECTORY | O_NOFOLLOW);

	if (fd != -ENOENT)
		return fd;
	if (!name)
		return -ENOENT;
	if (path_format(parent, sizeof(parent), "%.*s", (int)(name - path), path) < 0)
		return -ENAMETOOLONG;
	fd = sysroot_mkdir(s, parent, name + 1);
	if (fd < 0)
		return fd;
	return sysroot_open_at(s, path, O_PATH | O_DIRECTORY | O_NOFOLLOW);
}

int sysroot_replace(const struct sysroot *s, const char *dir, const char *name,
		    const char *content)
{
	_cleanup_close_ int dir_fd = open_or_make_dir(s, dir);
	_cleanup_close_ int fd = -1;
	char temp[NAME_MAX + 1];
	int r;

	if (dir_fd < 0)
		return dir_fd;
	r = path_format(temp, sizeof(temp), ".%s.new", name);
	if (r < 0)
		return r;
	fd = openat(dir_fd, temp,
		    O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
		    0644);
	if (fd < 0)
		return -errno;
	r = write_all(fd, content, strlen(content));
	if (r >= 0 && renameat(dir_fd, temp, dir_fd, name) < 0)
		r = -errno;
	if (r < 0)
		unlinkat(dir_fd, temp, 0);
	return r;
}

int sysroot_mkdir(const struct sysroot *s, const char *dir, const char *name)
{
	_cleanup_close_ int dir_fd = sysroot_open_at(s, dir, O_PATH | O_DIRECTORY);

	if (dir_fd < 0)
		return dir_fd;
	return mkdirat(dir_fd, name, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

int sysroot_rmdir(const struct sysroot *s, const char *dir, const char *name)
{
	_cleanup_close_ int dir_fd = sysroot_open_at(s, dir, O_PATH | O_DIRECTORY);

	if (dir_fd < 0)
		return dir_fd == -ENOENT ? 0 : dir_fd;
	if (unlinkat(dir_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT &&
	    errno != ENOTEMPTY && errno != EEXIST)
		return -errno;
	return 0;
}

int sysroot_unlink(const struct sysroot *s, const char *dir, const char *name)
{
	_cleanup_close_ int dir_fd = sysroot_open_at(s, dir, O_PATH | O_DIRECTORY);

	if (dir_fd < 0)
		return dir_fd == -ENOENT ? 0 : dir_fd;
	return unlinkat(dir_fd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
}

int sysroot_read_hex(const struct sysroot *s, const char *path, uint32_t *value)
{
	char buf[64], *end;
	unsigned long v;
	int r;

	r = sysroot_read(s, path, buf, sizeof(buf));
	if (r < 0)
		return r;
	errno = 0;
	v = strtoul(buf, &end, 16);
	if (errno != 0 || end == buf || *end != '\0' || v > UINT32_MAX)
		return -EINVAL;
	*value = (uint32_t)v;
	return 0;
}

int sysroot_read_hexf(const struct sysroot *s, uint32_t *value, const char *fmt, ...)
{
	char path[PATH_MAX];

	FORMAT_PATH_OR_RETURN(path, fmt);
	return sysroot_read_hex(s, path, value);
}

int sysroot_read_long(const struct sysroot *s, const char *path, long *value)
{
	char buf[64], *end;
	long v;
	int r;

	r = sysroot_read(s, path, buf, sizeof(buf));
	if (r < 0)
		return r;
	errno = 0;
	v = strtol(buf, &end, 0);
	if (errno != 0)
		return -errno;
	if (end == buf || (*end != '\0' && *end != '\n'))
		return -EINVAL;
	*value = v;
	return 0;
}

int sysroot_read_longf(const struct sysroot *s, long *value, const char *fmt, ...)
{
	char path[PATH_MAX];

	FORMAT_PATH_OR_RETURN(path, fmt);
	return sysroot_read_long(s, path, value);
}

int sysroot_read_link(const struct sysroot *s, const char *path, char *target,
		      size_t size)
{
	_cleanup_close_ int fd = -1;
	ssize_t n;

	while (*path == '/')
		path++;
	if (s->is_live) {
		n = readlinkat(s->root_fd, path, target, size - 1);
	} else {
		/* The link itself, its directories resolved inside the root;
		 * readlinkat() of "" reads an O_PATH|O_NOFOLLOW fd's link. */
		fd = sysroot_open_at(s, path, O_PATH | O_NOFOLLOW);
		if (fd < 0)
			return fd;
		n = readlinkat(fd, "", target, size - 1);
	}
	if (n < 0)
		return -errno;
	target[n] = '\0';
	return 0;
}

int sysroot_read_linkf(const struct sysroot *s, char *target, size_t size,
		       const char *fmt, ...)
{
	char path[PATH_MAX];

	FORMAT_PATH_OR_RETURN(path, fmt);
	return sysroot_read_link(s, path, target, size);
}

int sysroot_read_link_name(const struct sysroot *s, const char *path, char *buf,
			   size_t size)
{
	char target[PATH_MAX];
	const char *name;
	int r = sysroot_read_link(s, path, target, sizeof(target));

	if (r < 0)
		return r;
	name = strrchr(target, '/');
	name = name ? name + 1 : target;
	return path_format(buf, size, "%s", name);
}

int sysroot_read_link_namef(const struct sysroot *s, char *buf, size_t size,
			    const char *fmt, ...)
{
	char path[PATH_MAX];

	FORMAT_PATH_OR_RETURN(path, fmt);
	return sysroot_read_link_name(s, path, buf, size);
}

/* The running system's checks cost one syscall each, as before --root
 * trees were kept inside. */
bool sysroot_exists(const struct sysroot *s, const char *path)
{
	_cleanup_close_ int fd = -1;

	while (*path == '/')
		path++;
	if (s->is_live)
		return faccessat(s->root_fd, path, F_OK, 0) == 0;
	fd = sysroot_open_at(s, path, O_PATH);
	return fd >= 0;
}

int sysroot_existsf(const struct sysroot *s, const char *fmt, ...)
{
	char path[PATH_MAX];

	FORMAT_PATH_OR_RETURN(path, fmt);
	return sysroot_exists(s, path);
}

int sysroot_stat(const struct sysroot *s, const char *path, struct stat *st)
{
	_cleanup_close_ int fd = -1;

	while (*path == '/')
		path++;
	if (s->is_live)
		return fstatat(s->root_fd, path, st, 0) < 0 ? -errno : 0;
	fd = sysroot_open_at(s, path, O_PATH);
	if (fd < 0)
		return fd;
	return fstat(fd, st) < 0 ? -errno : 0;
}

int sysroot_statf(const struct sysroot *s, struct stat *st, const char *fmt, ...)
{
	char path[PATH_MAX];

	FORMAT_PATH_OR_RETURN(path, fmt);
	return sysroot_stat(s, path, st);
}

int sysroot_opendir(const struct sysroot *s, const char *path, DIR **dir)
{
	int fd = sysroot_open_at(s, path, O_RDONLY | O_DIRECTORY);

	if (fd < 0)
		return fd;
	*dir = fdopendir(fd);
	if (!*dir) {
		int r = -errno;

		close(fd);
		return r;
	}
	return 0;
}

int sysroot_opendirf(const struct sysroot *s, DIR **dir, const char *fmt, ...)
{
	char path[PATH_MAX];

	FORMAT_PATH_OR_RETURN(path, fmt);
	return sysroot_opendir(s, path, dir);
}

const char *sysroot_describe(const struct sysroot *s, const char *path, char *buf,
			     size_t size)
{
	const char *sep = s->root[strlen(s->root) - 1] == '/' ? "" : "/";

	while (*path == '/')
		path++;
	if (path_format(buf, size, "%s%s%s", s->root, sep, path) < 0)
		return path;
	return buf;
}
