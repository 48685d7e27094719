/*
 * tree.h — what the parts of `impulse tree` share: tree.c (the command line, the
 * inputs), tree_build.c (records into the spool, linked into per-thread trees as they
 * arrive) and tree_print.c (the trees out, parents first, folded and filtered).
 */
#ifndef IMPULSE_TREE_H
#define IMPULSE_TREE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "reader/reader.h"
#include "tree/tree_spool.h"
#include "view/record_filter.h"

/* More identical siblings in a row than this are folded into one line. */
#define FOLD_MIN 5

enum { NODE_MATCH = 1, NODE_SUB_MATCH = 2 };

/* A call in the spool; its text (the line, then "\n" and a trace log per log) follows. */
struct node {
	uint64_t next;		/* the next sibling's offset; 0: none (offset 0 is a dummy) */
	uint64_t first_child;	/* 0: none */
	int64_t start_ns, end_ns;
	uint64_t call_hash;	/* of call_id: child processes name it */
	uint64_t fold_key;	/* of name and status: what folding compares */
	uint32_t text_len;
	uint32_t descendants;	/* calls below it */
	uint8_t status;		/* enum record_status */
	uint8_t flags;		/* NODE_* */
	uint8_t pad[6];
};

/* The calls completed at one depth whose parent has not arrived. */
struct level {
	uint64_t first, last;
	int64_t first_start, last_start;	/* of first and last, ns */
	uint64_t count;		/* calls, descendants included */
	bool match;
};

struct process;

struct thread {
	struct process *proc;
	int64_t tid;
	char name[64];
	int64_t first_start, last_end;
	uint64_t calls;
	struct level *lv;	/* by depth */
	unsigned nlv, top;	/* allocated; deepest level with pending calls + 1 */
	bool match;
	struct thread *next;	/* in its process */
};

struct process {
	char tracer[64];
	uint64_t hash;
	struct thread *threads;
	unsigned nthreads;
	bool has_root, placed;
	char program[256];
	int64_t pid;
	char exit_text[160];
	uint8_t status;
	int64_t start_ns, end_ns;	/* root's, else the threads' span */
	uint64_t root_call_hash, parent_hash;
	char parent_id[96];
};

struct tree_opts {
	const char *uri, *database, *collection, *config;
	struct record_filter filter;	/* --session, --thread, --hook */
	int64_t min_ns;
	long max_depth;		/* -1: all */
	bool colour, pager;
	size_t width;		/* 0: do not cut lines */
	size_t args_max;
};

struct tree {
	struct tree_opts o;
	struct spool sp;
	struct process **procs;	/* open addressing by hash */
	size_t nprocs, procs_cap;
	struct thread **threads;	/* open addressing by (proc, tid) */
	size_t nthreads, threads_cap;
	uint64_t *parent_set;	/* the parent_hash of every process: open addressing */
	size_t parent_cap;
	FILE *out;
	long records;
	char text[65536];
};

/* tree.c: the message, on stderr, and exit(status). */
void tree_fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

/* tree_build.c */
void *tree_xcalloc(size_t n, size_t size);
void tree_spool_check(int rc);
void tree_read_node(struct tree *t, uint64_t off, struct node *n);
struct level tree_level_merge(struct tree *t, const struct level *a, const struct level *b);
void tree_add_root(struct tree *t, const struct record *rec);
void tree_add_call(struct tree *t, const struct record *rec);

/* tree_print.c: every process, thread and call read, to t->out. */
void tree_print(struct tree *t);

#endif
