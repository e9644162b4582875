/*
 * git.exe for tests under Wine only: the helper's Windows build runs "git"
 * for install, uninstall, doctor and the codecommit:// remote helper, and
 * the git the tests use is the host's Linux git. Wine starts a Linux program
 * a Windows one asks for, but gives the caller no process handle to wait
 * on, so Go's os/exec fails. This bridge is a real Windows program: it runs
 * GIT (the Linux git's path, given at compile time) with its own arguments
 * through Wine's __wine_unix_spawnvp, which hands the Linux process the
 * bridge's standard handles and waits for it, and exits with its status.
 */
#include <windows.h>
#include <shellapi.h>
#include <stdlib.h>

typedef NTSTATUS(WINAPI *spawnvp_fn)(char *const argv[], int wait);

int main(void)
{
	int argc, i;
	LPWSTR *argw = CommandLineToArgvW(GetCommandLineW(), &argc);
	char **argv = calloc(argc + 1, sizeof(char *));
	spawnvp_fn spawnvp = (spawnvp_fn)GetProcAddress(GetModuleHandleA("ntdll.dll"), "__wine_unix_spawnvp");
	if (!argw || !argv || !spawnvp)
		return 128;
	argv[0] = GIT;
	for (i = 1; i < argc; i++) {
		int n = WideCharToMultiByte(CP_UTF8, 0, argw[i], -1, NULL, 0, NULL, NULL);
		argv[i] = malloc(n);
		if (!argv[i] || !WideCharToMultiByte(CP_UTF8, 0, argw[i], -1, argv[i], n, NULL, NULL))
			return 128;
	}
	return (int)spawnvp(argv, TRUE);
}
