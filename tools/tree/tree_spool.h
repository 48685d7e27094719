/*
 * tree_spool.h — the temporary file `impulse tree` keeps its calls in, behind a small
 * write-back block cache: records arrive in completion order (children first), the
 * tree is printed parents first, so every call goes to the spool as it is read and is
 * read back (randomly, mostly forward) when the tree is printed. Memory is the cache,
 * SPOOL_BLOCKS × SPOOL_BLOCK_SIZE bytes, whatever the size of the spool.
 *
 * The file is created unlinked in $TMPDIR (or /tmp), so nothing is left behind.
 */
#ifndef IMPULSE_TREE_SPOOL_H
#define IMPULSE_TREE_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPOOL_BLOCK_SIZE (64 * 1024)
#define SPOOL_BLOCKS 64		/* 4 MiB of cache */

struct spool_block {
	int64_t no;		/* block number in the file, -1: empty */
	bool dirty;
	char *data;		/* SPOOL_BLOCK_SIZE bytes; owned */
};

struct spool {
	int fd;
	uint64_t size;		/* bytes appended so far */
	struct spool_block blocks[SPOOL_BLOCKS];	/* direct-mapped: block no % SPOOL_BLOCKS */
	char *mem;		/* the blocks' memory; owned */
};

/* Opens an unlinked temporary file. 0 or -errno (open, -ENOMEM). */
int spool_open(struct spool *sp);

/* Appends len bytes; returns their offset in *off. 0 or -errno of a write. */
int spool_append(struct spool *sp, const void *buf, size_t len, uint64_t *off);

/* Reads / overwrites len bytes at off (inside what was appended). 0 or -errno. */
int spool_read(struct spool *sp, uint64_t off, void *buf, size_t len);
int spool_write(struct spool *sp, uint64_t off, const void *buf, size_t len);

void spool_close(struct spool *sp);

#endif
