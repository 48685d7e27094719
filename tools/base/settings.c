/*
 * settings.c — the hooks.conf settings a subcommand needs (log_dir, mongo_*), taken
 * as libimpulse takes them: the file, then the environment, then the command's
 * options. One place, so that every subcommand reads the same file the same way.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/tool.h"
#include "config.h"

int tool_settings_read(struct cfg *cfg, const char *config, const char **path_read, char *msg,
		       size_t size)
{
	const char *path = config;
	char protos[PATH_MAX];
	struct cfg_error err;
	int rc;

	cfg_init(cfg);
	if (path_read)
		*path_read = NULL;
	if (!path) {
		path = getenv("IMPULSE_CONFIG");
		if (!path || !path[0])
			path = access("hooks.conf", F_OK) ? NULL : "hooks.conf";
	}
	if (!path)
		return 0;	/* no file: the defaults */
	memset(&err, 0, sizeof(err));
	/* Bare names and include <libc> need the shipped prototype files. */
	if (!locate_proto_dir(protos, sizeof(protos)) && cfg_set_proto_dir(cfg, protos)) {
		snprintf(msg, size, "out of memory");
		return -1;
	}
	rc = cfg_parse_file(cfg, path, &err);
	if (rc == -EINVAL || (rc && err.text[0])) {
		cfg_error_format(&err, msg, size);
		return -1;
	}
	if (rc) {
		snprintf(msg, size, "%s: %s", path, strerror(-rc));
		return -1;
	}
	if (path_read)
		*path_read = path;
	return 0;
}

int tool_settings_set(struct cfg *cfg, const char *key, const char *value, const char *source,
		      char *msg, size_t size)
{
	struct cfg_error err;

	if (!value || !value[0] || !cfg_set(cfg, key, value, &err))
		return 0;
	snprintf(msg, size, "%s: %s", source, err.text);
	return -1;
}

int tool_settings_mongo(struct cfg *cfg, const char *uri, const char *database,
			const char *collection, char *msg, size_t size)
{
	static const char *const env[][2] = {
		{ "mongo_uri", "IMPULSE_MONGO_URI" },
		{ "mongo_database", "IMPULSE_MONGO_DATABASE" },
		{ "mongo_collection", "IMPULSE_MONGO_COLLECTION" },
	};
	const char *opt[] = { uri, database, collection };
	static const char *const opt_name[] = { "--mongo", "--database", "--collection" };

	for (size_t i = 0; i < 3; i++)
		if (tool_settings_set(cfg, env[i][0], getenv(env[i][1]), env[i][1], msg, size) ||
		    tool_settings_set(cfg, env[i][0], opt[i], opt_name[i], msg, size))
			return -1;
	return 0;
}
