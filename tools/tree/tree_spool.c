/*
 * tree_spool.c — an unlinked temporary file behind a direct-mapped write-back block
 * cache (see tree_spool.h). Never grows the cache: memory stays SPOOL_BLOCKS blocks.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tree/tree_spool.h"

int spool_open(struct spool *sp)
{
	const char *dir = getenv("TMPDIR");
	int i;

	memset(sp, 0, sizeof(*sp));
	if (!dir || !dir[0])
		dir = "/tmp";
	sp->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (sp->fd < 0) {
		/* filesystems without O_TMPFILE: a named file, unlinked at once */
		char path[4096];
		size_t n = strlen(dir);

		if (n + 32 > sizeof(path))
			return -ENAMETOOLONG;
		memcpy(path, dir, n);
		memcpy(path + n, "/impulse-tree-XXXXXX", 21);
		sp->fd = mkostemp(path, O_CLOEXEC);
		if (sp->fd < 0)
			return -errno;
		unlink(path);
	}
	sp->mem = malloc((size_t)SPOOL_BLOCKS * SPOOL_BLOCK_SIZE);
	if (!sp->mem) {
		close(sp->fd);
		return -ENOMEM;
	}
	for (i = 0; i < SPOOL_BLOCKS; i++) {
		sp->blocks[i].no = -1;
		sp->blocks[i].data = sp->mem + (size_t)i * SPOOL_BLOCK_SIZE;
	}
	return 0;
}

static int flush_block(struct spool *sp, struct spool_block *b)
{
	size_t done = 0;

	while (b->dirty && done < SPOOL_BLOCK_SIZE) {
		ssize_t n = pwrite(sp->fd, b->data + done, SPOOL_BLOCK_SIZE - done,
				   (off_t)b->no * SPOOL_BLOCK_SIZE + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	b->dirty = false;
	return 0;
}

/* The cached block no, read in (or zeroed past the end) when it is not there. */
static struct spool_block *get_block(struct spool *sp, int64_t no, int *err)
{
	struct spool_block *b = &sp->blocks[no % SPOOL_BLOCKS];
	size_t done = 0;

	if (b->no == no)
		return b;
	*err = flush_block(sp, b);
	if (*err)
		return NULL;
	b->no = -1;
	/* blocks entirely past what was appended have never been written */
	if ((uint64_t)no * SPOOL_BLOCK_SIZE >= sp->size) {
		memset(b->data, 0, SPOOL_BLOCK_SIZE);
		b->no = no;
		return b;
	}
	while (done < SPOOL_BLOCK_SIZE) {
		ssize_t n = pread(sp->fd, b->data + done, SPOOL_BLOCK_SIZE - done,
				  (off_t)no * SPOOL_BLOCK_SIZE + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = -errno;
			return NULL;
		}
		if (n == 0) {
			memset(b->data + done, 0, SPOOL_BLOCK_SIZE - done);
			break;
		}
		done += (size_t)n;
	}
	b->no = no;
	return b;
}

static int spool_io(struct spool *sp, uint64_t off, void *buf, size_t len, bool write)
{
	char *p = buf;
	int err = 0;

	while (len) {
		int64_t no = (int64_t)(off / SPOOL_BLOCK_SIZE);
		size_t in = off % SPOOL_BLOCK_SIZE, n = SPOOL_BLOCK_SIZE - in;
		struct spool_block *b = get_block(sp, no, &err);

		if (!b)
			return err;
		if (n > len)
			n = len;
		if (write) {
			memcpy(b->data + in, p, n);
			b->dirty = true;
		} else {
			memcpy(p, b->data + in, n);
		}
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

int spool_append(struct spool *sp, const void *buf, size_t len, uint64_t *off)
{
	uint64_t at = sp->size;
	int rc;

	*off = at;
	rc = spool_io(sp, at, (void *)buf, len, true);
	if (!rc)
		sp->size = at + len;
	return rc;
}

int spool_read(struct spool *sp, uint64_t off, void *buf, size_t len)
{
	return spool_io(sp, off, buf, len, false);
}

int spool_write(struct spool *sp, uint64_t off, const void *buf, size_t len)
{
	return spool_io(sp, off, (void *)buf, len, true);
}

void spool_close(struct spool *sp)
{
	if (sp->fd >= 0)
		close(sp->fd);
	free(sp->mem);
	sp->mem = NULL;
	sp->fd = -1;
}
