/*
 * wrap_exec.h — the wrappers of the functions that start programs (wrap_exec.c),
 * for the table in wrappers.c.
 */
#ifndef IMPULSE_WRAP_EXEC_H
#define IMPULSE_WRAP_EXEC_H

#include <spawn.h>
#include <stdio.h>
#include <sys/types.h>

#pragma GCC visibility push(hidden)

int wrap_exec_execve(const char *path, char *const argv[], char *const envp[]);
int wrap_exec_execv(const char *path, char *const argv[]);
int wrap_exec_execvp(const char *file, char *const argv[]);
int wrap_exec_execvpe(const char *file, char *const argv[], char *const envp[]);
int wrap_exec_fexecve(int fd, char *const argv[], char *const envp[]);
int wrap_exec_execl(const char *path, const char *arg0, ...);
int wrap_exec_execlp(const char *file, const char *arg0, ...);
int wrap_exec_execle(const char *path, const char *arg0, ...);
int wrap_exec_posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
			  const posix_spawnattr_t *attr, char *const argv[], char *const envp[]);
int wrap_exec_posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
			   const posix_spawnattr_t *attr, char *const argv[], char *const envp[]);
int wrap_exec_system(const char *command);
FILE *wrap_exec_popen(const char *command, const char *type);

#pragma GCC visibility pop

#endif
