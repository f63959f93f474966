/**
 * The seccomp profile every training container runs under, given to the
 * engine explicitly: a container that asks for nothing gets whatever the
 * daemon was configured with, which may be `unconfined`. Default deny: a
 * system call not listed fails with EPERM. The list is what Node.js, its
 * libuv threads, TensorFlow.js and tini need to read a task, compute and
 * write files; it leaves out everything that changes the kernel, the
 * machine or another process (mount, ptrace, bpf, keyrings, modules,
 * namespaces, io_uring, …) and hard links, which a trainer never needs
 * (and which would let one file be counted twice in /out).
 */

/** Granted as they are. Names unknown on this architecture are skipped by the engine. */
const ALLOWED = [
  // files and descriptors
  'read', 'write', 'readv', 'writev', 'pread64', 'pwrite64', 'preadv', 'pwritev', 'preadv2', 'pwritev2',
  'open', 'openat', 'openat2', 'creat', 'close', 'close_range', 'dup', 'dup2', 'dup3', 'lseek', '_llseek',
  'stat', 'fstat', 'lstat', 'newfstatat', 'statx', 'stat64', 'fstat64', 'lstat64', 'fstatat64', 'statfs', 'fstatfs', 'statfs64', 'fstatfs64',
  'access', 'faccessat', 'faccessat2', 'readlink', 'readlinkat', 'getdents', 'getdents64', 'getcwd', 'chdir', 'fchdir',
  'mkdir', 'mkdirat', 'rmdir', 'unlink', 'unlinkat', 'rename', 'renameat', 'renameat2', 'symlink', 'symlinkat',
  'chmod', 'fchmod', 'fchmodat', 'umask', 'utime', 'utimes', 'utimensat', 'futimesat',
  'truncate', 'ftruncate', 'fallocate', 'fsync', 'fdatasync', 'sync_file_range', 'flock', 'fcntl', 'fcntl64', 'ioctl',
  'fadvise64', 'fadvise64_64', 'readahead', 'sendfile', 'sendfile64', 'copy_file_range', 'splice', 'tee',
  'pipe', 'pipe2', 'memfd_create',
  // polling and events (libuv)
  'poll', 'ppoll', 'select', 'pselect6', '_newselect', 'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_wait', 'epoll_pwait', 'epoll_pwait2',
  'eventfd', 'eventfd2', 'timerfd_create', 'timerfd_settime', 'timerfd_gettime', 'signalfd', 'signalfd4',
  'inotify_init', 'inotify_init1', 'inotify_add_watch', 'inotify_rm_watch',
  // memory
  'brk', 'mmap', 'mmap2', 'munmap', 'mremap', 'mprotect', 'madvise', 'mincore', 'msync', 'mlock', 'mlock2', 'munlock', 'membarrier',
  'mbind', 'get_mempolicy', 'set_mempolicy', 'pkey_alloc', 'pkey_free', 'pkey_mprotect',
  // threads, signals, time
  'futex', 'futex_waitv', 'set_robust_list', 'get_robust_list', 'set_tid_address', 'rseq', 'arch_prctl', 'prctl', 'gettid',
  'sched_yield', 'sched_getaffinity', 'sched_setaffinity', 'sched_getparam', 'sched_getscheduler', 'sched_getattr', 'sched_get_priority_max', 'sched_get_priority_min', 'getcpu',
  'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'sigreturn', 'rt_sigsuspend', 'rt_sigpending', 'rt_sigtimedwait', 'rt_sigqueueinfo', 'sigaltstack', 'restart_syscall',
  'kill', 'tkill', 'tgkill', 'pause', 'nanosleep', 'clock_nanosleep', 'clock_gettime', 'clock_getres', 'gettimeofday', 'time',
  'alarm', 'getitimer', 'setitimer', 'times',
  // processes (tini and node's child_process); clone is below, with its flags checked
  'fork', 'vfork', 'execve', 'execveat', 'wait4', 'waitid', 'exit', 'exit_group',
  'getpid', 'getppid', 'getpgrp', 'getpgid', 'setpgid', 'getsid', 'setsid', 'getuid', 'geteuid', 'getgid', 'getegid', 'getresuid', 'getresgid', 'getgroups',
  'getrlimit', 'prlimit64', 'ugetrlimit', 'getrusage', 'getpriority', 'capget', 'uname', 'sysinfo', 'getrandom',
  // local sockets only matter here: the container has no network, only lo
  'socket', 'socketpair', 'connect', 'bind', 'listen', 'accept', 'accept4', 'shutdown', 'getsockname', 'getpeername',
  'sendto', 'recvfrom', 'sendmsg', 'recvmsg', 'sendmmsg', 'recvmmsg', 'setsockopt', 'getsockopt',
  // System V IPC inside the container's own IPC namespace (its small /dev/shm)
  'shmget', 'shmat', 'shmdt', 'shmctl', 'semget', 'semop', 'semtimedop', 'semctl',
];

/** clone() flags that would create a namespace: a way to gain capabilities inside a user namespace. */
const CLONE_NEW_FLAGS = [0x00020000 /* NEWNS */, 0x02000000 /* NEWCGROUP */, 0x04000000 /* NEWUTS */, 0x08000000 /* NEWIPC */, 0x10000000 /* NEWUSER */, 0x20000000 /* NEWPID */, 0x40000000 /* NEWNET */];
const ENOSYS = 38;

const ARCHITECTURES: Record<string, string[]> = {
  x64: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  arm64: ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'],
};

export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet: number;
  architectures: string[];
  syscalls: Array<{ names: string[]; action: string; errnoRet?: number; args?: Array<{ index: number; value: number; valueTwo: number; op: string }> }>;
}

export function trainerSeccompProfile(arch: string = process.arch): SeccompProfile {
  const namespaceMask = CLONE_NEW_FLAGS.reduce((mask, flag) => mask + flag, 0);
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1,
    architectures: ARCHITECTURES[arch] ?? [],
    syscalls: [
      { names: ALLOWED, action: 'SCMP_ACT_ALLOW' },
      // The first argument of clone (x86_64, arm64) holds the flags: allowed only without any CLONE_NEW* bit.
      { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: namespaceMask, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] },
      // clone3 passes its flags in memory, where seccomp cannot look: ENOSYS makes the C library fall back to clone.
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS },
    ],
  };
}

/** The profile as the engine's SecurityOpt wants it: `seccomp=<the JSON itself>`. */
export function trainerSeccompOption(): string {
  return `seccomp=${JSON.stringify(trainerSeccompProfile())}`;
}
