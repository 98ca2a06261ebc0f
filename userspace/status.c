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
#include "polcmd.h"	/* pol_list_read() */
#include "status.h"
#include "tcattach.h"
#include "tcobj.h"
#include "xdplink.h"
#include "xnicctl.h"

static const char help_status[] =
"status [--json]\n"
"    The devices xnicctl attached the prefilter to: DEV, MODE (native,\n"
"    generic, or '-' when not attached), PROG (id), TAG, LINK (id); then\n"
"    the pinned shared maps, the blocklists and the drop events' (ring\n"
"    buffer xnic_events, whose MAX is its size in bytes and ENTRIES '-';\n"
"    the rate limiter xnic_ev_config and xnic_ev_bucket; xnic_ev_stats):\n"
"    MAP, ID, ENTRIES (keys present), MAX; then, per device with a tc\n"
"    policy, per direction: DEV, DIR, PROG (id of the filter's program,\n"
"    '-' when not attached), TAG; then its redirect maps: DEV, MAP, ID,\n"
"    ENTRIES (for pol_redirects the redirects in use), MAX.\n"
"      --json            {devices: [{dev, attached, mode, prog_id, tag,\n"
"                        link_id}], maps: [{name, id, entries,\n"
"                        max_entries}], tc: [{dev, direction, attached,\n"
"                        prog_id, tag}], dev_maps: [{dev, name, id,\n"
"                        entries, max_entries}]}; null for what does not\n"
"                        apply\n";

void status_usage(FILE *out)
{
	fprintf(out, "\nxnicctl %s", help_status);
}

struct map_row {
	const char *name;
	bool pinned;
	bool counted;	/* entries known: not a ring buffer */
	__u32 id, entries, max_entries;
};

/* bpf/drop_event.h's maps, shared by every program that drops. */
static const char *const ev_maps[] = {
	"xnic_events", "xnic_ev_config", "xnic_ev_bucket", "xnic_ev_stats",
};

#define SHARED_MAPS	(PF_MAP_SHARED + ARRAY_SIZE(ev_maps))

/* Each device's redirect maps, in this order. */
static const enum pol_map dev_maps[] = {
	POL_MAP_REDIRECTS, POL_MAP_REDIR_STATS,
};

#define DEV_MAPS	ARRAY_SIZE(dev_maps)

struct dev_row {
	char dev[256];
	bool attached;
	enum xdp_mode mode;
	__u32 prog_id, link_id;
	char tag[17];
	bool has_policy;	/* DEV's policy maps are pinned */
	struct tc_dir_state tc[POL_DIRS];	/* ours only */
	struct map_row maps[DEV_MAPS];		/* with has_policy */
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

/*
 * The map pinned at @path, if any. Entries are counted by walking the
 * keys (maps have no counter); a ring buffer has none.
 */
static int read_map(const char *path, const char *name, struct map_row *row,
		    struct xerr *err)
{
	unsigned char key[64], next[64];
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	void *prev = NULL;
	int fd, ret = 0;

	memset(row, 0, sizeof(*row));
	row->name = name;
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
	row->counted = info.type != BPF_MAP_TYPE_RINGBUF;
	while (row->counted && !bpf_map_get_next_key(fd, prev, next)) {
		row->entries++;
		memcpy(key, next, info.key_size);
		prev = key;
	}
	if (row->counted && errno != ENOENT)
		ret = bpf_error(err, errno, path);
out:
	close(fd);
	return ret;
}

static int read_shared(struct map_row *rows, struct xerr *err)
{
	char path[PATH_MAX];
	unsigned int i;
	int ret = 0;

	for (i = 0; i < SHARED_MAPS && !ret; i++) {
		const char *name = i < PF_MAP_SHARED ? pf_map_name(i) :
				   ev_maps[i - PF_MAP_SHARED];

		pin_map_path(path, name);
		ret = read_map(path, name, &rows[i], err);
	}
	return ret;
}

/*
 * DEV's redirect maps. An array has every key, so pol_redirects' entries
 * are the redirects in its lists instead ('-' if the policy's pins are
 * of an older xnicctl).
 */
static int read_dev_maps(const char *dev, struct dev_row *row,
			 struct xerr *err)
{
	int fd[POL_MAP_COUNT], ret = 0;
	char path[PATH_MAX];
	struct pol_list *l;
	unsigned int i;

	for (i = 0; i < DEV_MAPS && !ret; i++) {
		pin_dev_path(path, dev, pol_map_name(dev_maps[i]));
		ret = read_map(path, pol_map_name(dev_maps[i]), &row->maps[i],
			       err);
	}
	if (ret || !row->maps[0].pinned)
		return ret;
	row->maps[0].counted = false;
	ret = tcobj_open_pins(dev, fd, err);
	if (ret)
		return ret == XNIC_EXIT_NOLINK ? 0 : ret;
	l = malloc(sizeof(*l));
	if (!l)
		ret = xerr_set(err, XNIC_EXIT_SYSTEM, "out of memory");
	row->maps[0].entries = 0;
	for (i = 0; !ret && i < POL_DIRS; i++) {
		ret = pol_list_read(pol_list_maps(fd, true), i, l, err);
		if (!ret)
			row->maps[0].entries += l->n;
	}
	row->maps[0].counted = !ret;
	free(l);
	tcobj_close_fds(fd);
	return ret;
}

/* One MAP table row, DEV first if given; '-' for what is unknown. */
static void print_map_row(const char *dev, const struct map_row *m)
{
	char id[12] = "-", entries[12] = "-", max[12] = "-";

	if (dev)
		printf("%-15s ", dev);
	if (m->pinned) {
		snprintf(id, sizeof(id), "%u", m->id);
		snprintf(max, sizeof(max), "%u", m->max_entries);
	}
	if (m->pinned && m->counted)
		snprintf(entries, sizeof(entries), "%u", m->entries);
	printf("%-15s %6s %8s %8s\n", m->name, id, entries, max);
}

static void json_map_row(struct json *j, const char *dev,
			 const struct map_row *m)
{
	json_object_begin(j);
	if (dev)
		json_member_string(j, "dev", dev);
	json_member_string(j, "name", m->name);
	json_member_int(j, "id", m->pinned, m->id);
	json_member_int(j, "entries", m->pinned && m->counted, m->entries);
	json_member_int(j, "max_entries", m->pinned, m->max_entries);
	json_object_end(j);
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
	for (i = 0; i < (int)SHARED_MAPS; i++)
		print_map_row(NULL, &maps[i]);
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
	printf("\n%-15s %-15s %6s %8s %8s\n", "DEV", "MAP", "ID", "ENTRIES",
	       "MAX");
	for (i = 0; i < ndevs; i++)
		for (d = 0; devs[i].has_policy && d < (int)DEV_MAPS; d++)
			print_map_row(devs[i].dev, &devs[i].maps[d]);
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
	for (i = 0; i < (int)SHARED_MAPS; i++)
		json_map_row(&j, NULL, &maps[i]);
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
	json_key(&j, "dev_maps");
	json_array_begin(&j);
	for (i = 0; i < ndevs; i++)
		for (d = 0; devs[i].has_policy && d < (int)DEV_MAPS; d++)
			json_map_row(&j, devs[i].dev, &devs[i].maps[d]);
	json_array_end(&j);
	json_object_end(&j);
}

static int run(bool json, struct xerr *err)
{
	struct map_row maps[SHARED_MAPS];
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
		if (!ret && devs[i].has_policy)
			ret = read_dev_maps(names[i]->d_name, &devs[i], err);
	}
	if (!ret)
		ret = read_shared(maps, err);
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
