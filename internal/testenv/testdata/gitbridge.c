/*
 * git.exe for the Windows suite under Wine only; never shipped. The
 * helper's Windows build runs "git" (install, uninstall, doctor), and the
 * tests' git is the host's Linux git. Wine starts a Linux program a Windows
 * one asks for, but hands back no process handle to wait on, so Go's
 * os/exec fails. This Windows program runs GIT (the Linux git's path, given
 * at compile time) with its own arguments and environment through Wine's
 * __wine_unix_spawnvp, feeding it and reading it through pipes it makes
 * with raw Linux system calls (Wine 8 lets them through), and exits with
 * git's status.
 */
#include <windows.h>
#include <shellapi.h>
#include <stdlib.h>
#include <string.h>

/* Windows' long is 32 bits: system call arguments are 64. */
typedef long long word;

static word sys(word n, word a, word b, word c, word d)
{
	word ret;
	register word r10 __asm__("r10") = d;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}

enum { SYS_read = 0, SYS_write = 1, SYS_close = 3, SYS_dup2 = 33, SYS_pipe2 = 293 };
#define EINTR 4

static char *utf8(const WCHAR *w)
{
	int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
	char *s = malloc(n);
	if (s)
		WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL);
	return s;
}

struct pump {
	HANDLE win;
	int fd;
	int toUnix; /* Windows handle to the pipe (stdin), else the reverse */
};

static DWORD WINAPI copy(void *arg)
{
	struct pump *p = arg;
	char buf[65536];
	for (;;) {
		DWORD n = 0;
		word got;
		if (p->toUnix) {
			if (!p->win || !ReadFile(p->win, buf, sizeof buf, &n, NULL) || n == 0)
				break;
			for (DWORD off = 0; off < n;) {
				word w = sys(SYS_write, p->fd, (word)(buf + off), n - off, 0);
				if (w == -EINTR)
					continue;
				if (w <= 0)
					goto done;
				off += w;
			}
		} else {
			got = sys(SYS_read, p->fd, (word)buf, sizeof buf, 0);
			if (got == -EINTR)
				continue;
			if (got <= 0)
				break;
			for (DWORD off = 0; off < (DWORD)got; off += n)
				if (!WriteFile(p->win, buf + off, got - off, &n, NULL))
					goto done;
		}
	}
done:
	sys(SYS_close, p->fd, 0, 0, 0);
	return 0;
}

int main(void)
{
	int argc, i, n = 0;
	LPWSTR *argw = CommandLineToArgvW(GetCommandLineW(), &argc);
	char **argv = calloc(argc + 1, sizeof(char *));
	if (!argw || !argv)
		return 128;
	argv[0] = GIT;
	for (i = 1; i < argc; i++)
		if (!(argv[i] = utf8(argw[i])))
			return 128;

	/* The Windows environment, but for Windows' own PATH and temporary
	 * directories, and the "=C:" entries. */
	WCHAR *env = GetEnvironmentStringsW(), *e;
	for (e = env; *e; e += wcslen(e) + 1)
		n++;
	char **envp = calloc(n + 2, sizeof(char *));
	if (!envp)
		return 128;
	n = 0;
	envp[n++] = "PATH=/usr/local/bin:/usr/bin:/bin";
	for (e = env; *e; e += wcslen(e) + 1) {
		if (*e == L'=' || !_wcsnicmp(e, L"PATH=", 5) || !_wcsnicmp(e, L"TEMP=", 5) || !_wcsnicmp(e, L"TMP=", 4))
			continue;
		if (!(envp[n++] = utf8(e)))
			return 128;
	}

	/* Wine's __wine_unix_spawnvp forks and executes a Linux program with
	 * this process's Linux descriptors 0, 1 and 2, waits for it, and
	 * returns its exit status. Make those descriptors pipes, copied to and
	 * from the Windows standard handles by three threads, and pass the
	 * environment through env -i. */
	typedef NTSTATUS(WINAPI * spawnvp_fn)(char *const argv[], int wait);
	spawnvp_fn spawnvp = (spawnvp_fn)GetProcAddress(GetModuleHandleA("ntdll.dll"), "__wine_unix_spawnvp");
	char **cmd = calloc(n + argc + 4, sizeof(char *));
	if (!spawnvp || !cmd)
		return 128;
	int c = 0;
	cmd[c++] = "/usr/bin/env";
	cmd[c++] = "-i";
	for (i = 0; i < n; i++)
		cmd[c++] = envp[i];
	for (i = 0; i < argc; i++)
		cmd[c++] = argv[i];
	int fds[3][2];
	for (i = 0; i < 3; i++)
		if (sys(SYS_pipe2, (word)fds[i], 02000000 /* O_CLOEXEC */, 0, 0) < 0)
			return 128;
	sys(SYS_dup2, fds[0][0], 0, 0, 0);
	sys(SYS_dup2, fds[1][1], 1, 0, 0);
	sys(SYS_dup2, fds[2][1], 2, 0, 0);
	sys(SYS_close, fds[0][0], 0, 0, 0);
	sys(SYS_close, fds[1][1], 0, 0, 0);
	sys(SYS_close, fds[2][1], 0, 0, 0);
	struct pump pumps[3] = {
		{GetStdHandle(STD_INPUT_HANDLE), fds[0][1], 1},
		{GetStdHandle(STD_OUTPUT_HANDLE), fds[1][0], 0},
		{GetStdHandle(STD_ERROR_HANDLE), fds[2][0], 0},
	};
	HANDLE threads[3];
	for (i = 0; i < 3; i++)
		threads[i] = CreateThread(NULL, 0, copy, &pumps[i], 0, NULL);
	int status = (int)spawnvp(cmd, TRUE);
	/* Git has ended: close this process's write ends, so that the
	 * copiers see the end of its output, and wait for them. The stdin
	 * copier may still be blocked reading a handle git never read:
	 * leave it. */
	sys(SYS_close, 0, 0, 0, 0);
	sys(SYS_close, 1, 0, 0, 0);
	sys(SYS_close, 2, 0, 0, 0);
	WaitForMultipleObjects(2, threads + 1, TRUE, INFINITE);
	return status;
}
