/* pr.h — the hooked functions of the process tests (libpr.c). */
enum { PR_FORK_EXEC, PR_POSIX_SPAWN, PR_SYSTEM, PR_POPEN, PR_VFORK_EXEC, PR_POSIX_SPAWNP,
       PR_VFORK_CALL_EXEC, PR_SPAWN_OWN_ENV };

int pr_leaf(int x);
int pr_fork_inside(int x, int how);
int pr_spawn(const char *prog, const char *arg, int how);
int pr_block(int fd);
