// SPDX-License-Identifier: GPL-2.0
/* `xnicctl status` (see status.h). */
#include <bpf/bpf.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "json.h"
#include "pfobj.h"
#include "pin.h"
#include "status.h"
#include "tcattach.h"
#include "tcobj.h"
#include "xdplink.h"
#include "xnicctl.h"

static const char help_status[] =
"status [--json]\n"
"    The devices xnicctl attached the prefilter to: DEV, MODE (native,\n"
"    generic, or '-' when not attached), PROG (id), TAG, LINK (id); then\n"
"    the pinned blocklists: MAP, ID, ENTRIES, MAX; then, per device\n"
"    with a tc policy, per direction: DEV, DIR, PROG (id of the filter's\n"
"    program, '-' when not attached), TAG.\n"
"      --json            {devices: [{dev, attached, mode, prog_id, tag,\n"
"                        link_id}], maps: [{name, id, entries,\n"
"                        max_entries}], tc: [{dev, direction, attached,\n"
"                        prog_id, tag}]}; null for what does not apply\n";

void status_usage(FILE *out)
{
	fprintf(out, "\nxnicctl %s", help_status);
}

struct dev_row {
	char dev[256];
	bool attached;
	enum xdp_mode mode;
	__u32 prog_id, link_id;
	char tag[17];
	bool has_policy;	/* DEV's policy maps are pinned */
	struct tc_dir_state tc[POL_DIRS];	/* ours only */
};

struct map_row {
	const char *name;
	bool pinned;
	__u32 id, entries, max_entries;
};

static int read_dev(const char *dev, struct dev_row *row, struct xerr *err)
{
	struct xdp_state st;
	int ret;

	memset(row, 0, sizeof(*row));
	snprintf(row->dev, sizeof(row->dev), "%s", dev);
	ret = xdp_state_read(dev, &st, err);
	/* A device that is gone is shown as not attached. */
	if (ret == XNIC_EXIT_NOLINK)
		ret = 0;
	if (!ret && st.ours) {
		row->attached = true;
		row->mode = st.mode;
		row->prog_id = st.link_prog_id;
		row->link_id = st.link_id;
		if (prog_tag(st.link_prog_id, row->tag))
			snprintf(row->tag, sizeof(row->tag), "-");
	}
	xdp_state_close(&st);
	return ret;
}

/* The tc side: only for a device whose policy maps are pinned. */
static int read_tc(const char *dev, struct dev_row *row, struct xerr *err)
{
	char path[PATH_MAX];
	struct tc_state st;
	int ret, d;

	pin_dev_path(path, dev, pol_map_name(POL_MAP_RULES));
	row->has_policy = !access(path, F_OK);
	if (!row->has_policy)
		return 0;
	ret = tc_state_read(dev, &st, err);
	if (ret == XNIC_EXIT_NOLINK)
		return 0;
	for (d = 0; !ret && d < POL_DIRS; d++)
		if (st.dir[d].ours)
			row->tc[d] = st.dir[d];
	return ret;
}

/* Entries are counted by walking the keys: maps have no counter. */
static int read_map(enum pf_map m, struct map_row *row, struct xerr *err)
{
	unsigned char key[64], next[64];
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	void *prev = NULL;
	int fd, ret = 0;

	memset(row, 0, sizeof(*row));
	row->name = pf_map_name(m);
	pin_map_path(path, row->name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : bpf_error(err, errno, path);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		ret = bpf_error(err, errno, path);
		goto out;
	}
	if (info.key_size > sizeof(key)) {
		ret = xerr_set(err, XNIC_EXIT_SYSTEM,
			       "%s: unexpected key size %u", path,
			       info.key_size);
		goto out;
	}
	row->pinned = true;
	row->id = info.id;
	row->max_entries = info.max_entries;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		row->entries++;
		memcpy(key, next, info.key_size);
		prev = key;
	}
	if (errno != ENOENT)
		ret = bpf_error(err, errno, path);
out:
	close(fd);
	return ret;
}

static void print_text(const struct dev_row *devs, int ndevs,
		       const struct map_row *maps)
{
	int i, d;

	printf("%-15s %-8s %6s %-16s %6s\n", "DEV", "MODE", "PROG", "TAG",
	       "LINK");
	for (i = 0; i < ndevs; i++) {
		if (!devs[i].attached) {
			printf("%-15s %-8s %6s %-16s %6s\n", devs[i].dev, "-",
			       "-", "-", "-");
			continue;
		}
		printf("%-15s %-8s %6u %-16s %6u\n", devs[i].dev,
		       xdp_mode_name(devs[i].mode), devs[i].prog_id,
		       devs[i].tag, devs[i].link_id);
	}
	printf("\n%-15s %6s %8s %8s\n", "MAP", "ID", "ENTRIES", "MAX");
	for (i = 0; i < PF_MAP_SHARED; i++) {
		if (!maps[i].pinned) {
			printf("%-15s %6s %8s %8s\n", maps[i].name, "-", "-",
			       "-");
			continue;
		}
		printf("%-15s %6u %8u %8u\n", maps[i].name, maps[i].id,
		       maps[i].entries, maps[i].max_entries);
	}
	printf("\n%-15s %-8s %6s %-16s\n", "DEV", "TC", "PROG", "TAG");
	for (i = 0; i < ndevs; i++) {
		for (d = 0; devs[i].has_policy && d < POL_DIRS; d++) {
			const struct tc_dir_state *t = &devs[i].tc[d];

			if (t->ours)
				printf("%-15s %-8s %6u %-16s\n", devs[i].dev,
				       pol_dir_name(d), t->prog_id, t->tag);
			else
				printf("%-15s %-8s %6s %-16s\n", devs[i].dev,
				       pol_dir_name(d), "-", "-");
		}
	}
}

static void print_json(const struct dev_row *devs, int ndevs,
		       const struct map_row *maps)
{
	struct json j;
	int i, d;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "devices");
	json_array_begin(&j);
	for (i = 0; i < ndevs; i++) {
		json_object_begin(&j);
		json_key(&j, "dev");
		json_string(&j, devs[i].dev);
		json_key(&j, "attached");
		json_bool(&j, devs[i].attached);
		json_member_string(&j, "mode", devs[i].attached ?
				   xdp_mode_name(devs[i].mode) : NULL);
		json_member_int(&j, "prog_id", devs[i].attached, devs[i].prog_id);
		json_member_string(&j, "tag",
				   devs[i].attached ? devs[i].tag : NULL);
		json_member_int(&j, "link_id", devs[i].attached, devs[i].link_id);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_key(&j, "maps");
	json_array_begin(&j);
	for (i = 0; i < PF_MAP_SHARED; i++) {
		json_object_begin(&j);
		json_key(&j, "name");
		json_string(&j, maps[i].name);
		json_member_int(&j, "id", maps[i].pinned, maps[i].id);
		json_member_int(&j, "entries", maps[i].pinned, maps[i].entries);
		json_member_int(&j, "max_entries", maps[i].pinned,
			     maps[i].max_entries);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_key(&j, "tc");
	json_array_begin(&j);
	for (i = 0; i < ndevs; i++) {
		for (d = 0; devs[i].has_policy && d < POL_DIRS; d++) {
			const struct tc_dir_state *t = &devs[i].tc[d];

			json_object_begin(&j);
			json_member_string(&j, "dev", devs[i].dev);
			json_member_string(&j, "direction", pol_dir_name(d));
			json_key(&j, "attached");
			json_bool(&j, t->ours);
			json_member_int(&j, "prog_id", t->ours, t->prog_id);
			json_member_string(&j, "tag", t->ours ? t->tag : NULL);
			json_object_end(&j);
		}
	}
	json_array_end(&j);
	json_object_end(&j);
}

static int run(bool json, struct xerr *err)
{
	struct map_row maps[PF_MAP_SHARED];
	struct dirent **names = NULL;
	struct dev_row *devs = NULL;
	int lock, ret, n = 0, i;

	ret = pin_lock(false, &lock, err);
	if (ret)
		return ret;
	ret = pin_dev_list(&names, &n, err);
	if (ret)
		goto out;
	devs = calloc(n + 1, sizeof(*devs));
	if (!devs) {
		ret = xerr_set(err, XNIC_EXIT_SYSTEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n && !ret; i++) {
		ret = read_dev(names[i]->d_name, &devs[i], err);
		if (!ret)
			ret = read_tc(names[i]->d_name, &devs[i], err);
	}
	for (i = 0; i < PF_MAP_SHARED && !ret; i++)
		ret = read_map(i, &maps[i], err);
	if (!ret && json)
		print_json(devs, n, maps);
	else if (!ret)
		print_text(devs, n, maps);
out:
	free(devs);
	pin_dev_list_free(names, n);
	pin_unlock(lock);
	return ret ? ret : xerr_flush(err);
}

int status_main(int argc, char **argv)
{
	struct kwarg none = { .name = NULL };
	struct args a;
	struct xerr err;
	int ret;

	ret = args_scan(argc, argv, &none, 0, ARG_OPT_JSON, &a, &err);
	if (!ret && a.help)
		return args_help(status_usage);
	if (!ret)
		ret = run(a.opts & ARG_OPT_JSON, &err);
	if (ret)
		xerr_print("status", &err);
	return ret;
}
