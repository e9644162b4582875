/*
 * A stand-in for Windows' bcryptprimitives.dll, for tests only: it lets the
 * windows/amd64 build of the helper start under Wine 8 (Debian 12), whose
 * own bcryptprimitives.dll lacks ProcessPrng. Go's runtime (1.24+) loads
 * ProcessPrng from there at start and aborts without it. testenv.Wine
 * compiles this with mingw-w64 into a throw-away Wine prefix's system32 and
 * runs programs with WINEDLLOVERRIDES=bcryptprimitives=n, so that Wine loads
 * this file instead of its own. It is never part of a release.
 *
 * ProcessPrng fills the buffer from RtlGenRandom (advapi32's
 * SystemFunction036), which Wine implements over the host's random source.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
	while (length > 0) {
		ULONG n = length > 0x40000000 ? 0x40000000 : (ULONG)length;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		length -= n;
	}
	return TRUE;
}
