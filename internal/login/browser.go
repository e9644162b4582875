package login

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
)

// openBrowser asks the desktop to open url in the default browser: open on
// macOS, rundll32's URL handler on Windows, xdg-open elsewhere. It starts
// the command and does not wait for it, since some of them wait for the
// browser to exit; it fails only when the command cannot start, or there is
// no graphical display to open a browser on (xdg-open would then start a
// text browser that fights the prompt for the terminal).
func openBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return errors.New("no graphical display: neither DISPLAY nor WAYLAND_DISPLAY is set")
		}
		cmd = exec.Command("xdg-open", url)
	}
	// The standard streams stay unset (the null device): the command's
	// output would garble the prompt.
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait() // reap it whenever it ends
	return nil
}
