// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The network interfaces a running system needs: the one with its default
 * route, and under a network root the one that reaches the root. Read from
 * /proc/net and the command line, so a test tree can hold them.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/kernel-cmdline.h"
#include "guard/block.h"
#include "guard/devspec.h"
#include "guard/netuse.h"
#include "shared/util.h"

#define CLASS_NET "sys/class/net"
#define IBFT "sys/firmware/ibft"
#define IFACE_MAX 16 /* IFNAMSIZ */
#define RTF_UP 0x0001
#define RTF_REJECT 0x0200
#define ARPHRD_LOOPBACK "772" /* include/uapi/linux/if_arp.h */
/* ovs-vswitchd's one datapath device (lib/dpif-netlink.c), the master of
 * every physical port of every Open vSwitch bridge (vport-netdev.c). */
#define OVS_DATAPATH "ovs-system"
#define STACK_DEPTH_MAX 8

bool cmdline_network_root(const char *cmdline)
{
	static const char *const params[] = {"netroot", "nfsroot", "iscsi_target_name"};
	_cleanup_free_ char *root = NULL;

	if (kernel_param(cmdline, "root", &root) > 0 && root &&
	    spec_kind(root) == SPEC_NETWORK)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(params); i++) {
		_cleanup_free_ char *value = NULL;

		if (kernel_param(cmdline, params[i], &value) > 0)
			return true;
	}
	return kernel_param_prefixed(cmdline, "rd.iscsi.") ||
	       kernel_param_prefixed(cmdline, "rd.nvmf.");
}

bool is_network_controller(const struct pci_function *f)
{
	return f->class >> 16 == 0x02 || f->class >> 8 == 0x0c06;
}

bool function_has_interfaces(const struct sysroot *s, const struct pci_function *f)
{
	return pci_has_attr(s, f->addr, "net");
}

bool is_network_function(const struct sysroot *s, const struct pci_function *f)
{
	return is_network_controller(f) || function_has_interfaces(s, f);
}

/* The interface IFACE, in use as USE says. */
static int add_iface(const struct sysroot *s, struct need **uses, size_t *n,
		     const char *iface, struct need *use)
{
	char link[128];

	if (path_format(link, sizeof(link), CLASS_NET "/%s", iface) < 0 ||
	    !sysroot_exists(s, link))
		return 0;
	str_copy(use->device, sizeof(use->device), iface);
	return need_add(uses, n, link, use);
}

struct subnet {
	char iface[IFACE_MAX];
	unsigned dest, mask; /* raw __be32, as /proc/net/route prints them */
};

struct ipv6_addr {
	char iface[IFACE_MAX];
	char hex[33]; /* in network order, as /proc/net/if_inet6 prints it */
};

/* What the scans of /proc/net gather into, and what they need. */
struct nic_scan {
	const struct sysroot *s;
	bool network_root;
	struct need **uses;
	size_t *n;
	struct subnet *subnets; /* the interfaces' IPv4 subnets */
	size_t n_subnets;
	struct ipv6_addr *addrs6; /* the interfaces' IPv6 addresses */
	size_t n_addrs6;
};

static void format_ipv4(char *buf, size_t size, unsigned raw)
{
	struct in_addr a = {.s_addr = raw};

	if (!inet_ntop(AF_INET, &a, buf, (socklen_t)size))
		str_copy(buf, size, "?");
}

/*
 * A row of /proc/net/route (fib_route_seq_show(): addresses as the raw
 * __be32): the default route's interface, and under a network root every
 * routed interface, are in use; a route with no gateway is a subnet the
 * interface is on.
 */
static int scan_ipv4_route(const char *line, void *data)
{
	unsigned dest, gateway, flags, mask;
	struct nic_scan *scan = data;
	char iface[IFACE_MAX];
	struct need use = {0};

	if (sscanf(line, "%15s %x %x %x %*d %*d %*d %x", iface, &dest, &gateway, &flags,
		   &mask) != 5 ||
	    !(flags & RTF_UP))
		return 0;
	if (gateway == 0 && mask != 0) {
		struct subnet net = {.dest = dest, .mask = mask};
		int r;

		str_copy(net.iface, sizeof(net.iface), iface);
		r = array_push(&scan->subnets, &scan->n_subnets, sizeof(net), &net);
		if (r < 0)
			return r;
	}
	if (dest == 0 && mask == 0) {
		use.role = NEED_DEFAULT_ROUTE;
		format_ipv4(use.where, sizeof(use.where), gateway);
	} else if (scan->network_root) {
		use.role = NEED_ROOT_ROUTE;
		format_ipv4(use.where, sizeof(use.where), dest);
		use.number = (unsigned)__builtin_popcount(mask);
	} else {
		return 0;
	}
	return add_iface(scan->s, scan->uses, scan->n, iface, &use);
}

/* A row of /proc/net/ipv6_route (ipv6_route_native_seq_show()):
 * destination, its length, source, its length, next hop, metric, refcnt,
 * use, flags, device. */
static int scan_ipv6_route(const char *line, void *data)
{
	char dest[33], iface[IFACE_MAX];
	struct nic_scan *scan = data;
	unsigned plen, flags;
	struct need use = {0};
	bool is_default;

	if (sscanf(line, "%32s %x %*s %*x %*s %*x %*x %*x %x %15s", dest, &plen, &flags,
		   iface) != 4 ||
	    strcmp(iface, "lo") == 0 || (flags & RTF_REJECT) || !(flags & RTF_UP))
		return 0;
	is_default = plen == 0;
	/* Link-local and multicast routes come with any interface. */
	if (!is_default && (!scan->network_root || strncasecmp(dest, "fe80", 4) == 0 ||
			    strncasecmp(dest, "ff", 2) == 0))
		return 0;
	use.role = is_default ? NEED_DEFAULT_ROUTE6 : NEED_ROOT_ROUTE6;
	return add_iface(scan->s, scan->uses, scan->n, iface, &use);
}

#define TCP_ESTABLISHED 1

/*
 * A row of /proc/net/tcp (tcp4_seq_show(): "sl local rem st ...",
 * addresses as the raw __be32): an established session's interface is the
 * one on whose subnet its local address lies.
 */
static int scan_tcp_session(const char *line, void *data)
{
	struct nic_scan *scan = data;
	unsigned local, port, state;
	int r = 0;

	if (sscanf(line, " %*s %x:%x %*s %x", &local, &port, &state) != 3 ||
	    state != TCP_ESTABLISHED)
		return 0;
	for (size_t i = 0; r >= 0 && i < scan->n_subnets; i++) {
		const struct subnet *net = &scan->subnets[i];
		struct need use = {.role = NEED_TCP_SESSION, .number = port};

		if ((local & net->mask) != net->dest)
			continue;
		format_ipv4(use.where, sizeof(use.where), local);
		r = add_iface(scan->s, scan->uses, scan->n, net->iface, &use);
	}
	return r;
}

/*
 * The device of ip=: the sixth field of the kernel's and dracut's
 * <client>:<server>:<gw>:<netmask>:<hostname>:<device>:..., or the first of
 * dracut's <device>:<autoconf>[:...]. IPv6 addresses come in brackets.
 */
static void ip_param_device(const char *value, char *iface, size_t size)
{
	static const char *const autoconf[] = {"dhcp",	"on",	 "any",	    "dhcp6",
					       "auto6", "link6", "either6", "ibft",
					       "off",	"none"};
	char fields[8][64] = {{0}};
	size_t field = 0, len = 0;
	bool bracket = false;

	iface[0] = '\0';
	for (const char *p = value; *p && field < ARRAY_SIZE(fields); p++) {
		if (*p == '[' || *p == ']')
			bracket = *p == '[';
		if (*p == ':' && !bracket) {
			field++;
			len = 0;
		} else if (len + 1 < sizeof(fields[0])) {
			fields[field][len++] = *p;
		}
	}
	if (field >= 5) {
		str_copy(iface, size, fields[5]);
		return;
	}
	for (size_t i = 0; field >= 1 && i < ARRAY_SIZE(autoconf); i++)
		if (strcmp(fields[1], autoconf[i]) == 0)
			str_copy(iface, size, fields[0]);
}

static int iface_by_mac(const struct sysroot *s, const char *mac, char *iface,
			size_t size)
{
	_cleanup_free_ char(*names)[BLOCK_NAME_MAX] = NULL;
	size_t n;
	int r = block_list_dir(s, CLASS_NET, &names, &n);

	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		char address[64];

		if (sysroot_readf(s, address, sizeof(address), CLASS_NET "/%s/address",
				  names[i]) >= 0 &&
		    strcasecmp(address, mac) == 0)
			return path_format(iface, size, "%s", names[i]);
	}
	return -ENOENT;
}

static int add_ip_devices(const struct sysroot *s, const char *cmdline,
			  struct need **uses, size_t *n)
{
	char **values, iface[64];
	size_t n_values;
	int r = kernel_param_values(cmdline, "ip", &values, &n_values);

	for (size_t i = 0; r >= 0 && i < n_values; i++) {
		struct need use = {.role = NEED_IP_PARAM};

		ip_param_device(values[i], iface, sizeof(iface));
		if (!iface[0])
			continue;
		str_copy(use.where, sizeof(use.where), values[i]);
		r = add_iface(s, uses, n, iface, &use);
	}
	if (r >= 0)
		strv_free(values, n_values);
	return r;
}

/* BOOTIF=01-52-54-00-12-34-56 (PXELINUX's IPAPPEND 2: ARP type, MAC). */
static int add_bootif(const struct sysroot *s, const char *cmdline, struct need **uses,
		      size_t *n)
{
	_cleanup_free_ char *bootif = NULL;
	struct need use = {.role = NEED_BOOTIF};
	char mac[32], iface[IFACE_MAX];
	int r = kernel_param(cmdline, "BOOTIF", &bootif);

	if (r <= 0 || !bootif)
		return r;
	str_copy(mac, sizeof(mac), strlen(bootif) == 20 ? bootif + 3 : bootif);
	for (char *p = mac; *p; p++)
		if (*p == '-')
			*p = ':';
	if (iface_by_mac(s, mac, iface, sizeof(iface)) < 0)
		return 0;
	str_copy(use.where, sizeof(use.where), bootif);
	return add_iface(s, uses, n, iface, &use);
}

/* dracut's ifname=NAME:MAC: the interface has the name, or still the MAC. */
static int add_ifnames(const struct sysroot *s, const char *cmdline, struct need **uses,
		       size_t *n)
{
	char **values, iface[IFACE_MAX];
	size_t n_values;
	int r = kernel_param_values(cmdline, "ifname", &values, &n_values);

	for (size_t i = 0; r >= 0 && i < n_values; i++) {
		const char *mac = strchr(values[i], ':');
		struct need use = {.role = NEED_IFNAME};

		str_copy(use.where, sizeof(use.where), values[i]);
		str_copy(iface, sizeof(iface), values[i]);
		iface[strcspn(iface, ":")] = '\0';
		r = add_iface(s, uses, n, iface, &use);
		if (r >= 0 && mac && iface_by_mac(s, mac + 1, iface, sizeof(iface)) >= 0)
			r = add_iface(s, uses, n, iface, &use);
	}
	if (r >= 0)
		strv_free(values, n_values);
	return r;
}

/* The NICs the iSCSI Boot Firmware Table names (drivers/firmware/iscsi_ibft.c
 * links each ethernetN record to its PCI function as "device"). */
static int add_ibft(const struct sysroot *s, struct need **uses, size_t *n)
{
	_cleanup_free_ char(*records)[BLOCK_NAME_MAX] = NULL;
	size_t n_records;
	int r = block_list_dir(s, IBFT, &records, &n_records);

	if (r < 0)
		return r == -ENOENT ? 0 : r;
	for (size_t i = 0; r >= 0 && i < n_records; i++) {
		struct need use = {.role = NEED_IBFT};
		char link[128];

		if (strncmp(records[i], "ethernet", 8) != 0 ||
		    path_format(link, sizeof(link), IBFT "/%s/device", records[i]) < 0 ||
		    !sysroot_exists(s, link))
			continue;
		str_copy(use.where, sizeof(use.where), records[i]);
		r = need_add(uses, n, link, &use);
	}
	return r;
}

/* A row of /proc/net/if_inet6 (if6_seq_show()): address, ifindex, prefix
 * length, scope, flags, device. */
static int scan_ipv6_addr(const char *line, void *data)
{
	struct nic_scan *scan = data;
	struct ipv6_addr addr;

	if (sscanf(line, "%32s %*x %*x %*x %*x %15s", addr.hex, addr.iface) != 2)
		return 0;
	return array_push(&scan->addrs6, &scan->n_addrs6, sizeof(addr), &addr);
}

/* /proc/net/tcp6 prints an address as its four 32-bit words, each as
 * %08X of the word in host order: back to the bytes in network order. */
static bool ipv6_words_to_hex(const char *words, char *hex, size_t size)
{
	uint8_t bytes[16];

	if (strlen(words) != 32 || size < 33)
		return false;
	for (size_t i = 0; i < 4; i++) {
		char word[9];
		uint32_t value;

		memcpy(word, words + 8 * i, 8);
		word[8] = '\0';
		value = (uint32_t)strtoul(word, NULL, 16);
		memcpy(bytes + 4 * i, &value, sizeof(value));
	}
	for (size_t i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
	return true;
}

/* A row of /proc/net/tcp6 (tcp6_seq_show()): an established session's
 * interface is the one that has its local address. */
static int scan_tcp6_session(const char *line, void *data)
{
	char words[40], hex[33];
	struct nic_scan *scan = data;
	unsigned port, state;
	int r = 0;

	if (sscanf(line, " %*s %39[0-9A-Fa-f]:%x %*s %x", words, &port, &state) != 3 ||
	    state != TCP_ESTABLISHED || !ipv6_words_to_hex(words, hex, sizeof(hex)))
		return 0;
	for (size_t i = 0; r >= 0 && i < scan->n_addrs6; i++) {
		const struct ipv6_addr *addr = &scan->addrs6[i];
		struct need use = {.role = NEED_TCP6_SESSION, .number = port};

		if (strcasecmp(addr->hex, hex) != 0 || strcmp(addr->iface, "lo") == 0)
			continue;
		r = add_iface(scan->s, scan->uses, scan->n, addr->iface, &use);
	}
	return r;
}

int nics_in_use(const struct sysroot *s, const char *cmdline, bool network_root,
		struct need **uses, size_t *n)
{
	struct nic_scan scan = {
		.s = s, .network_root = network_root, .uses = uses, .n = n};
	int r;

	*uses = NULL;
	*n = 0;
	r = sysroot_for_each_line(s, "proc/net/route", true, scan_ipv4_route, &scan);
	if (r >= 0)
		r = sysroot_for_each_line(s, "proc/net/ipv6_route", false,
					  scan_ipv6_route, &scan);
	if (r >= 0 && scan.n_subnets > 0)
		r = sysroot_for_each_line(s, "proc/net/tcp", true, scan_tcp_session,
					  &scan);
	if (r >= 0)
		r = sysroot_for_each_line(s, "proc/net/if_inet6", false, scan_ipv6_addr,
					  &scan);
	if (r >= 0 && scan.n_addrs6 > 0)
		r = sysroot_for_each_line(s, "proc/net/tcp6", true, scan_tcp6_session,
					  &scan);
	free(scan.subnets);
	free(scan.addrs6);
	if (r >= 0 && network_root)
		r = add_ip_devices(s, cmdline, uses, n);
	if (r >= 0 && network_root)
		r = add_bootif(s, cmdline, uses, n);
	if (r >= 0 && network_root)
		r = add_ifnames(s, cmdline, uses, n);
	if (r >= 0 && network_root)
		r = add_ibft(s, uses, n);
	if (r < 0) {
		free(*uses);
		*uses = NULL;
		*n = 0;
	}
	return r;
}

int nics_default_route(const struct sysroot *s, struct need **uses, size_t *n)
{
	struct nic_scan scan = {.s = s, .uses = uses, .n = n};
	int r;

	*uses = NULL;
	*n = 0;
	r = sysroot_for_each_line(s, "proc/net/route", true, scan_ipv4_route, &scan);
	if (r >= 0)
		r = sysroot_for_each_line(s, "proc/net/ipv6_route", false,
					  scan_ipv6_route, &scan);
	free(scan.subnets);
	if (r < 0) {
		free(*uses);
		*uses = NULL;
		*n = 0;
	}
	return r;
}

/* One interface in use, followed down to the PCI functions it stands on. */
struct nic_trace {
	const struct sysroot *s;
	const struct need *use;
	struct need **fns;
	size_t *n;
	struct doubt *unsure;
};

static int trace_interface(struct nic_trace *t, const char *iface, const char *through,
			   unsigned depth);

/* The functions under LINK, holding the interface in use through the
 * interface THROUGH (NULL: the interface itself), or as a VF's physical
 * function when via_vf. */
static int add_functions_under(struct nic_trace *t, const char *link, const char *through,
			       bool via_vf)
{
	_cleanup_free_ char(*addrs)[PCI_ADDR_MAX] = NULL;
	struct need held = *t->use;
	size_t n = 0;
	int r = pci_functions_above(t->s, link, &addrs, &n);

	if (through) {
		held.through = via_vf ? THROUGH_VF : THROUGH_INTERFACE;
		str_copy(held.through_name, sizeof(held.through_name), through);
	}
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = need_add(t->fns, t->n, addrs[i], &held);
	return r == -ENOENT ? 0 : r;
}

/* An interface of an SR-IOV virtual function also stands on its physical
 * function: unbinding the PF's driver disables SR-IOV and removes the VF
 * (drivers/pci/iov.c). */
static int add_physical_functions(struct nic_trace *t, size_t first)
{
	size_t n = *t->n;
	int r = 0;

	for (size_t i = first; r >= 0 && i < n; i++) {
		char link[160], vf[NEED_NAME_MAX];

		if (pci_device_path(link, sizeof(link), (*t->fns)[i].name, "physfn") <
			    0 ||
		    !sysroot_exists(t->s, link))
			continue;
		str_copy(vf, sizeof(vf), (*t->fns)[i].name);
		r = add_functions_under(t, link, vf, true);
	}
	return r;
}

/* The devices a stacked interface (a bridge, bond, team, VLAN, macvlan, an
 * Open vSwitch datapath) is over: the kernel links each as lower_NAME in
 * the upper one's directory (net/core/dev.c, netdev_adjacent_sysfs_add()). */
static int trace_lower(struct nic_trace *t, const char *iface, unsigned depth,
		       size_t *n_lower)
{
	_cleanup_free_ char(*names)[BLOCK_NAME_MAX] = NULL;
	_cleanup_closedir_ DIR *dir = NULL;
	size_t n;
	int r = sysroot_opendirf(t->s, &dir, CLASS_NET "/%s", iface);

	*n_lower = 0;
	if (r >= 0)
		r = block_dir_names(dir, &names, &n);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	for (size_t i = 0; r >= 0 && i < n; i++) {
		if (strncmp(names[i], "lower_", 6) != 0)
			continue;
		(*n_lower)++;
		r = trace_interface(t, names[i] + 6, names[i] + 6, depth + 1);
	}
	return r;
}

static bool is_loopback(const struct sysroot *s, const char *iface)
{
	char type[16];

	return sysroot_readf(s, type, sizeof(type), CLASS_NET "/%s/type", iface) >= 0 &&
	       strcmp(type, ARPHRD_LOOPBACK) == 0;
}

/*
 * An interface that stands on no device and is over none: an Open vSwitch
 * bridge's internal port (br-ex, whose ports the kernel links only to the
 * datapath) stands on the datapath's ports; any other (a tunnel, a VPN, a
 * container's veth) cannot be followed, and the guard is unsure.
 */
static int trace_unlinked(struct nic_trace *t, const char *iface, unsigned depth)
{
	size_t n_ports = 0;
	int r = 0;

	if (is_loopback(t->s, iface))
		return 0;
	if (strcmp(iface, OVS_DATAPATH) != 0 &&
	    sysroot_exists(t->s, CLASS_NET "/" OVS_DATAPATH))
		r = trace_lower(t, OVS_DATAPATH, depth, &n_ports);
	if (r >= 0 && n_ports == 0)
		doubt_note(t->unsure, DOUBT_IFACE_VIRTUAL, NULL, iface);
	return r;
}

static int trace_interface(struct nic_trace *t, const char *iface, const char *through,
			   unsigned depth)
{
	char link[128];
	size_t before = *t->n, n_lower = 0;
	int r;

	if (depth > STACK_DEPTH_MAX) {
		doubt_note(t->unsure, DOUBT_IFACE_TOO_DEEP, NULL, iface);
		return 0;
	}
	r = path_format(link, sizeof(link), CLASS_NET "/%s", iface);
	if (r >= 0)
		r = add_functions_under(t, link, through, false);
	if (r >= 0 && *t->n > before)
		return add_physical_functions(t, before);
	if (r >= 0)
		r = trace_lower(t, iface, depth, &n_lower);
	if (r >= 0 && n_lower == 0)
		r = trace_unlinked(t, iface, depth);
	return r;
}

int nic_functions(const struct sysroot *s, const struct need *use, struct need **fns,
		  size_t *n, struct doubt *unsure)
{
	struct nic_trace t = {.s = s, .use = use, .fns = fns, .n = n, .unsure = unsure};
	int r;

	*fns = NULL;
	*n = 0;
	*unsure = (struct doubt){.kind = DOUBT_NONE};
	if (strncmp(use->name, CLASS_NET "/", strlen(CLASS_NET "/")) == 0)
		r = trace_interface(&t, use->name + strlen(CLASS_NET "/"), NULL, 0);
	else
		r = add_functions_under(&t, use->name, NULL, false);
	if (r < 0) {
		free(*fns);
		*fns = NULL;
		*n = 0;
	}
	return r;
}
