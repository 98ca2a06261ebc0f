// SPDX-License-Identifier: GPL-2.0
/* `xnicctl save` (see save.h). */
#include <dirent.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "batch.h"	/* batch_quote() */
#include "blocklist.h"
#include "limit.h"
#include "npcmd.h"
#include "pin.h"
#include "polcmd.h"
#include "redircmd.h"
#include "save.h"
#include "service_cmd.h"
#include "tcattach.h"
#include "xdplink.h"
#include "xnicctl.h"

static const char help_save[] =
"save\n"
"    Print the datapath's state as a batch file that sets it up again\n"
"    ('xnicctl batch FILE', e.g. at boot, since a reboot empties\n"
"    /sys/fs/bpf), in this order: the blocklists (prefilter add,\n"
"    arp-block add); per device its tc policy (policy identity, policy\n"
"    default, policy add) and redirects (redirect add); the services\n"
"    with their backends and weights (service add) and the cgroup of\n"
"    the socket programs (service attach); the limits (limit add dev,\n"
"    limit add cgroup); NodePort (service nodeport attach); last the\n"
"    prefilter and policy attachments (attach DEV --xdp MODE, --tc), so\n"
"    traffic meets the whole policy at once. What cannot be made again\n"
"    (a redirect, limit or device whose device is gone, a cgroup with no\n"
"    directory) is a comment. Counters and connection tables are not\n"
"    saved.\n";

void save_usage(FILE *out)
{
	fprintf(out, "\nxnicctl %s", help_save);
}

/* What `attach` made on one device. */
struct attached {
	char dev[256];
	bool gone;
	bool xdp;
	enum xdp_mode mode;
	bool tc;
};

static int read_attached(const char *dev, struct attached *a,
			 struct xerr *err)
{
	struct xdp_state xs;
	struct tc_state ts;
	int ret;

	memset(a, 0, sizeof(*a));
	snprintf(a->dev, sizeof(a->dev), "%s", dev);
	ret = xdp_state_read(dev, &xs, err);
	if (!ret && xs.ours) {
		a->xdp = true;
		a->mode = xs.mode;
	}
	xdp_state_close(&xs);
	if (ret == XNIC_EXIT_NOLINK) {
		a->gone = true;
		return 0;
	}
	if (!ret)
		ret = tc_state_read(dev, &ts, err);
	if (!ret)
		a->tc = tc_attached(&ts);
	return ret == XNIC_EXIT_NOLINK ? 0 : ret;
}

/*
 * Under the lock: the blocklists, and the devices with what is attached
 * to them. The policy commands take the lock themselves, after.
 */
static int read_locked(FILE *out, FILE *later, struct attached **devs,
		       int *ndevs, struct xerr *err)
{
	struct dirent **names = NULL;
	int lock, ret, n = 0, i;

	*devs = NULL;
	*ndevs = 0;
	ret = pin_lock(false, &lock, err);
	if (ret)
		return ret;
	fputs("# xnicctl save: run with 'xnicctl batch FILE'\n", out);
	if (lock < 0)
		return 0;	/* nothing was ever pinned: nothing to save */
	ret = blocklist_save(out, err);
	if (!ret)
		ret = service_save(later, err);
	if (!ret)
		ret = limit_save(later, err);
	if (!ret)
		ret = np_save(later, err);
	if (!ret)
		ret = pin_dev_list(&names, &n, err);
	if (!ret && n) {
		*devs = calloc(n, sizeof(**devs));
		if (!*devs)
			ret = xerr_set(err, XNIC_EXIT_SYSTEM, "out of memory");
	}
	for (i = 0; i < n && !ret; i++)
		ret = read_attached(names[i]->d_name, &(*devs)[i], err);
	if (!ret)
		*ndevs = n;
	pin_dev_list_free(names, n);
	pin_unlock(lock);
	return ret;
}

static void save_attach(FILE *out, const struct attached *a)
{
	if (a->gone) {
		fprintf(out, "# %s is gone: not attached again\n", a->dev);
		return;
	}
	if (!a->xdp && !a->tc)
		return;
	fputs("attach ", out);
	batch_quote(out, a->dev);
	if (a->xdp)
		fprintf(out, " --xdp %s", xdp_mode_name(a->mode));
	fputs(a->tc ? " --tc\n" : "\n", out);
}

static int run(struct xerr *err)
{
	struct attached *devs;
	char *later = NULL;
	size_t later_len;
	int ndevs, i, ret;
	FILE *f;

	/*
	 * Services, limits and NodePort are read under the lock, but
	 * printed after the policies, which take the lock themselves.
	 */
	f = open_memstream(&later, &later_len);
	if (!f)
		return xerr_set(err, XNIC_EXIT_SYSTEM, "out of memory");
	ret = read_locked(stdout, f, &devs, &ndevs, err);
	fclose(f);
	for (i = 0; i < ndevs && !ret; i++)
		if (!devs[i].gone)
			ret = policy_save(devs[i].dev, stdout, err);
	for (i = 0; i < ndevs && !ret; i++)
		if (!devs[i].gone)
			ret = redirect_save(devs[i].dev, stdout, err);
	if (!ret)
		fputs(later, stdout);
	for (i = 0; i < ndevs && !ret; i++)
		save_attach(stdout, &devs[i]);
	free(later);
	free(devs);
	return ret ? ret : xerr_flush(err);
}

int save_main(int argc, char **argv)
{
	struct kwarg none = { NULL, NULL };
	struct xerr err;
	struct args a;
	int ret;

	ret = args_scan(argc, argv, &none, 0, 0, &a, &err);
	if (!ret && a.help)
		return args_help(save_usage);
	if (!ret)
		ret = run(&err);
	if (ret)
		xerr_print("save", &err);
	return ret;
}
